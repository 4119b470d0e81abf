def log = new File(basedir, 'build.log').text
def spec = new File(basedir, 'src/main/nabla/com/acme/broken.nabla').canonicalPath
assert log.contains('BUILD FAILURE')
// Every error is reported as file:line:col in Maven's error format, with the source line and a caret.
assert log.contains("[ERROR] ${spec}:6:19: error: unknown name 'W2'") : "no file:line:col diagnostic for W2 in build.log"
assert log.contains('[ERROR]   out  = logsoftmax(W2 relu(W1 x + b1))')
assert log =~ /\[ERROR\] +\^/
assert log =~ /\[ERROR\] \Q${spec}\E:7:\d+: error: /  : 'the second error is reported too'
assert log.contains('Failed to execute goal dev.nabla:nabla-maven-plugin')
assert log.contains('2 errors in 1 nabla spec')
assert !new File(basedir, 'target/generated-sources/nabla/com/acme/Broken.java').exists()
return true
