def generated = new File(basedir, 'target/generated-sources/nabla/com/acme/WideNet.java')
assert generated.isFile() : "no generated class at ${generated}"
assert !generated.text.contains('jdk.incubator') : 'the kernels live in the runtime'
assert generated.text.contains('dense(W1, 12, 40, b1, x, xOffset, 40, lo, hi, ')
def log = new File(basedir, 'build.log').text
assert log.contains('Tests run: 3, Failures: 0, Errors: 0, Skipped: 0') : 'our two tests and the generated gradient check should run'
return true
