package dev.nabla.maven;

import dev.nabla.codegen.CodegenOptions.Backend;
import dev.nabla.codegen.CodegenOptions.Precision;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.inject.Inject;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.descriptor.PluginDescriptor;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.codehaus.plexus.build.BuildContext;

/**
 * Turns the nabla specs of a project ({@code src/main/nabla/**&#47;*.nabla}) into Java classes that
 * train the networks they describe, and adds them to the sources to compile.
 *
 * <p>A spec's folder below {@code sourceDirectory} is its package: {@code src/main/nabla/com/acme/net.nabla}
 * with {@code model Net} becomes the class {@code com.acme.Net}, unless {@code packageName} sets one
 * package for all. Only specs
 * that changed since the last build are regenerated; the outputs of deleted specs are removed. An error
 * in a spec fails the build and is reported with its file, line and column.
 */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public final class GenerateMojo extends AbstractMojo {

  /** Where the specs are. A spec's folder below it gives the package of its class. */
  @Parameter(property = "nabla.sourceDirectory", defaultValue = "${project.basedir}/src/main/nabla", required = true)
  private File sourceDirectory;

  /** Where the generated model classes go; added to the project's compile source roots. */
  @Parameter(property = "nabla.outputDirectory", defaultValue = "${project.build.directory}/generated-sources/nabla", required = true)
  private File outputDirectory;

  /**
   * Where the generated gradient-check tests go (with {@code generateTests}); added to the project's
   * test source roots.
   */
  @Parameter(property = "nabla.testOutputDirectory", defaultValue = "${project.build.directory}/generated-test-sources/nabla",
      required = true)
  private File testOutputDirectory;

  /** Ant patterns, relative to {@code sourceDirectory}, of the specs to generate. Default: {@code **&#47;*.nabla}. */
  @Parameter(property = "nabla.includes")
  private List<String> includes;

  /** Ant patterns, relative to {@code sourceDirectory}, of specs to leave out. */
  @Parameter(property = "nabla.excludes")
  private List<String> excludes;

  /**
   * The package of every generated class. When not set, each spec's folder below {@code sourceDirectory}
   * is its package (a spec directly in it goes to the default package).
   */
  @Parameter(property = "nabla.packageName")
  private String packageName;

  /**
   * The arithmetic of the generated classes: {@code float} (a {@code FloatTrainable}, what training runs on)
   * or {@code double} (slower; for checks against exact gradients).
   */
  @Parameter(property = "nabla.precision", defaultValue = "float", required = true)
  private String precision;

  /**
   * Deprecated and without effect ({@code scalar} or {@code vector} are still accepted): a generated class
   * runs on the kernels of nabla-runtime, which chooses them when the class runs, the Vector API ones when the
   * JVM has {@code --add-modules jdk.incubator.vector} (add it to surefire's {@code argLine}), plain Java
   * otherwise. The project compiles with no flag either way.
   */
  @Parameter(property = "nabla.backend", defaultValue = "scalar", required = true)
  private String backend;

  /**
   * Also generate, for each model, a JUnit 5 test that checks its gradients against finite differences
   * ({@code NetGradientTest} for the model {@code Net}). The project then needs {@code org.junit.jupiter:junit-jupiter} in test scope.
   */
  @Parameter(property = "nabla.generateTests", defaultValue = "false")
  private boolean generateTests;

  /** Skips the goal: nothing is generated and no source root is added. */
  @Parameter(property = "nabla.skip", defaultValue = "false")
  private boolean skip;

  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  private MavenProject project;

  @Parameter(defaultValue = "${plugin}", readonly = true, required = true)
  private PluginDescriptor plugin;

  @Parameter(defaultValue = "${mojoExecution}", readonly = true, required = true)
  private MojoExecution execution;

  /** Carries errors to the IDE (m2e) as markers on the spec's line, and tells it which files changed. */
  private final BuildContext buildContext;

  @Inject
  public GenerateMojo(BuildContext buildContext) {
    this.buildContext = buildContext;
  }

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("nabla: skipped (nabla.skip)");
      return;
    }
    GenerationRequest request = new GenerationRequest(sourceDirectory.toPath(), outputDirectory.toPath(),
        testOutputDirectory.toPath(), includes, excludes, packageName, precision(), backend(), generateTests, generatorVersion(),
        Path.of(project.getBuild().getDirectory(), "nabla-maven-plugin", execution.getExecutionId() + ".state"));
    GenerationResult result;
    try {
      result = new SpecGenerator(request, new SpecGenerator.Log() {
        @Override
        public void info(String message) {
          getLog().info(message);
        }

        @Override
        public void debug(String message) {
          getLog().debug(message);
        }
      }).run();
    } catch (IOException e) {
      throw new MojoExecutionException("nabla: cannot generate into " + outputDirectory + ": " + e, e);
    } catch (SpecGenerator.InternalFailure e) {
      for (String line : e.getMessage().split("\n")) {
        getLog().error(line);
      }
      throw new MojoExecutionException("nabla: " + e.getMessage().lines().findFirst().orElse("internal error"), e.getCause());
    }
    result.written().forEach(file -> buildContext.refresh(file.toFile()));
    result.deleted().forEach(file -> buildContext.refresh(file.toFile()));

    project.addCompileSourceRoot(outputDirectory.getPath());
    if (generateTests) {
      project.addTestCompileSourceRoot(testOutputDirectory.getPath());
    }

    for (Path spec : result.generated()) {
      buildContext.removeMessages(request.sourceDirectory().resolve(spec).toFile());
    }
    if (!result.errors().isEmpty()) {
      for (SpecError error : result.errors()) {
        buildContext.removeMessages(error.file().toFile());
      }
      for (SpecError error : result.errors()) {
        buildContext.addMessage(error.file().toFile(), error.line(), error.column(), error.message(),
            BuildContext.SEVERITY_ERROR, null);
        String text = error.formatted() != null ? error.formatted() : error.headline();
        for (String line : text.split("\n")) {
          getLog().error(line);
        }
      }
      throw new MojoFailureException(new SpecFailureException(result.errors()).getMessage());
    }
  }

  private Backend backend() throws MojoExecutionException {
    try {
      return Backend.named(backend.strip());
    } catch (IllegalArgumentException e) {
      throw new MojoExecutionException("nabla: " + e.getMessage());
    }
  }

  private Precision precision() throws MojoExecutionException {
    try {
      return Precision.valueOf(precision.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new MojoExecutionException("nabla: precision must be float or double, not '" + precision + "'");
    }
  }

  /**
   * The plugin's version; for a snapshot also the size and date of its jars, so that a rebuilt
   * snapshot of the generator regenerates everything.
   */
  private String generatorVersion() {
    StringBuilder version = new StringBuilder(plugin.getVersion());
    if (plugin.getVersion().endsWith("-SNAPSHOT")) {
      for (Artifact artifact : plugin.getArtifacts()) {
        File file = artifact.getFile();
        if (artifact.isSnapshot() && file != null && file.isFile()) {
          version.append(';').append(artifact.getArtifactId()).append('@').append(file.length()).append('/').append(file.lastModified());
        }
      }
      File own = plugin.getPluginArtifact() == null ? null : plugin.getPluginArtifact().getFile();
      if (own != null && own.isFile()) {
        version.append(";self@").append(own.length()).append('/').append(own.lastModified());
      }
    }
    return version.toString();
  }
}
