def out = new File(basedir, 'target/generated-sources/nabla')
assert new File(out, 'com/acme/nets/Classifier.java').isFile()
assert new File(out, 'org/example/Regressor.java').isFile()
def log = new File(basedir, 'build.log').text
assert log.contains('nabla: generated 2 specs')
assert log.contains('Tests run: 1, Failures: 0, Errors: 0, Skipped: 0')
return true
