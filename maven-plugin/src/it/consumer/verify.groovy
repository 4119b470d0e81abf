def generated = new File(basedir, 'target/generated-sources/nabla/com/acme/TinyNet.java')
assert generated.isFile() : "no generated class at ${generated}"
assert generated.text.contains('package com.acme;')
assert new File(basedir, 'target/generated-test-sources/nabla/com/acme/TinyNetGradientTest.java').isFile()
assert new File(basedir, 'target/classes/com/acme/TinyNet.class').isFile()
def log = new File(basedir, 'build.log').text
assert log.contains('Tests run: 2, Failures: 0, Errors: 0, Skipped: 0') : 'both tests (ours and the generated gradient check) should run'
// This project adds no module: the runtime runs its plain Java kernels and says, once, how to get the others.
assert log.contains('nabla: plain Java kernels; pass --add-modules jdk.incubator.vector') : 'the one-line hint of the scalar fallback'
return true
