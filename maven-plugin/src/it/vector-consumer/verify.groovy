def generated = new File(basedir, 'target/generated-sources/nabla/com/acme/WideNet.java')
assert generated.isFile() : "no generated class at ${generated}"
assert generated.text.contains('import jdk.incubator.vector.FloatVector;') : 'the vector backend was asked for'
assert generated.text.contains('rowsTimesSamples(W1, 12, 40, x, 0, 40, blockStart, blockSize, blockSums);')
def log = new File(basedir, 'build.log').text
assert log.contains('Tests run: 2, Failures: 0, Errors: 0, Skipped: 0') : 'both tests (ours and the generated gradient check) should run'
return true
