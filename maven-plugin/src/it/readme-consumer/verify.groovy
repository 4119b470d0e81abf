// The README's consumer pom.xml, built as printed: the class is generated, compiled, its tests run, the jar is made.
assert new File(basedir, 'target/generated-sources/nabla/com/acme/ShirtNet.java').isFile()
assert new File(basedir, 'target/classes/com/acme/ShirtNet.class').isFile()
assert new File(basedir, 'target/shirts-1.0.jar').isFile()
def log = new File(basedir, 'build.log').text
assert log =~ /Tests run: 1, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: .* -- in com\.acme\.ShirtNetTest/
assert log =~ /Tests run: 1, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: .* -- in com\.acme\.ShirtNetGradientTest/
return true
