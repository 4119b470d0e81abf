package dev.nabla.codegen;

import com.palantir.javapoet.JavaFile;
import dev.nabla.runtime.Model;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles generated sources in memory with {@code javax.tools} and loads them: how {@code nabla
 * train} and the tests get a running model without writing a file. All files go to one javac run.
 */
public final class InMemoryCompiler {
  private InMemoryCompiler() {}

  /** The options generated code must pass: Java 17, every lint warning an error. */
  public static final List<String> STRICT = List.of("--release", "17", "-Xlint:all", "-Werror");

  /** The module the vector backend's classes import. */
  public static final String VECTOR_MODULE = "jdk.incubator.vector";

  /**
   * The options for classes of the vector backend: {@link #STRICT} with the incubator module added and
   * without {@code -Werror}, because javac 17 warns that the module is incubating whatever the lint
   * options; {@link #compile(List)} then fails on any other warning itself.
   */
  public static final List<String> STRICT_VECTOR = List.of("--release", "17", "--add-modules", VECTOR_MODULE, "-Xlint:all");

  /** The one warning a vector-backend class may draw: that its module is incubating. */
  private static final String INCUBATING = "compiler.warn.incubating.modules";

  /**
   * Compiles {@code files} with {@link #STRICT} (or, if they use the Vector API, {@link #STRICT_VECTOR}
   * and no warning but the incubating notice) and returns a loader that defines their classes.
   */
  public static ClassLoader compile(List<JavaFile> files) {
    boolean vector = requireVectorModuleIfUsed(sources(files));
    return vector ? compile(files, STRICT_VECTOR, true) : compile(files, STRICT, false);
  }

  /**
   * As {@link #compile(List)}, taking the classes from {@code cache} when it has this compile (javac is then not
   * run), else compiling them and storing them there. A cache entry that cannot be defined (corrupt in a way its
   * checksum missed) is compiled again and replaced.
   */
  public static ClassLoader compile(List<JavaFile> files, ClassCache cache) {
    // Each toString() writes the whole file anew: once here, for the key and the check.
    List<String> sources = sources(files);
    boolean vector = requireVectorModuleIfUsed(sources);
    List<String> options = javacOptions(vector ? STRICT_VECTOR : STRICT);
    String key = cache.key(options, sources);
    Optional<Map<String, byte[]>> cached = cache.load(key);
    if (cached.isPresent()) {
      ClassLoader loader = loader(cached.get());
      if (definesAll(loader, cached.get().keySet())) {
        return loader;
      }
    }
    Map<String, byte[]> bytecode = javac(files, options, vector);
    cache.store(key, bytecode);
    return loader(bytecode);
  }

  private static List<String> sources(List<JavaFile> files) {
    List<String> sources = new ArrayList<>();
    for (JavaFile file : files) {
      sources.add(file.toString());
    }
    return sources;
  }

  /** Whether {@code sources} use the Vector API, refusing them when this JVM lacks its module. */
  private static boolean requireVectorModuleIfUsed(List<String> sources) {
    boolean vector = sources.stream().anyMatch(source -> source.contains("import " + VECTOR_MODULE + "."));
    if (vector && !vectorModuleLoaded()) {
      throw new IllegalStateException("the vector backend's classes need the JVM started with --add-modules " + VECTOR_MODULE);
    }
    return vector;
  }

  /** Defines every class of a cached compile now, so that bytes the JVM refuses make a miss rather than a failed run. */
  private static boolean definesAll(ClassLoader loader, Set<String> names) {
    try {
      for (String name : names) {
        Class.forName(name, false, loader);
      }
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Whether this JVM resolved {@code jdk.incubator.vector} (started with {@code --add-modules} naming it). */
  public static boolean vectorModuleLoaded() {
    return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
  }

  /**
   * Compiles {@code files} against the runtime (and the current class path) with {@code options}.
   *
   * @throws IllegalStateException with javac's messages when compilation fails
   */
  public static ClassLoader compile(List<JavaFile> files, List<String> options) {
    return compile(files, options, false);
  }

  private static ClassLoader compile(List<JavaFile> files, List<String> options, boolean failOnWarnings) {
    return loader(javac(files, javacOptions(options), failOnWarnings));
  }

  /** {@code options} and what every in-memory compile adds: no annotation processing. */
  private static List<String> javacOptions(List<String> options) {
    List<String> all = new ArrayList<>(options);
    all.add("-proc:none");
    return all;
  }

  /** How many times javac has run in this JVM: the tests of the cache count them. */
  static int javacRuns() {
    return JAVAC_RUNS.get();
  }

  private static final AtomicInteger JAVAC_RUNS = new AtomicInteger();

  /** The classes javac makes of {@code files} (binary name to bytes), or its messages as an exception. */
  private static Map<String, byte[]> javac(List<JavaFile> files, List<String> options, boolean failOnWarnings) {
    JAVAC_RUNS.incrementAndGet();
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    if (compiler == null) {
      throw new IllegalStateException("no Java compiler: run nabla on a JDK, not a JRE");
    }
    List<JavaFileObject> sources = new ArrayList<>();
    for (JavaFile file : files) {
      sources.add(file.toJavaFileObject());
    }
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    Map<String, ByteArrayOutputStream> classes = new HashMap<>();
    try (StandardJavaFileManager standard = compiler.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
      standard.setLocation(javax.tools.StandardLocation.CLASS_PATH, classPath());
      JavaFileManager manager = new ForwardingJavaFileManager<>(standard) {
        @Override
        public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind, FileObject sibling) {
          return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
            @Override
            public OutputStream openOutputStream() {
              ByteArrayOutputStream bytes = new ByteArrayOutputStream();
              classes.put(className, bytes);
              return bytes;
            }
          };
        }
      };
      boolean ok = compiler.getTask(null, manager, diagnostics, options, null, sources).call();
      if (failOnWarnings) {
        ok &= diagnostics.getDiagnostics().stream()
            .noneMatch(d -> d.getKind() != Diagnostic.Kind.NOTE && !INCUBATING.equals(d.getCode()));
      }
      if (!ok) {
        StringBuilder message = new StringBuilder("generated code does not compile:");
        for (Diagnostic<? extends JavaFileObject> diagnostic : diagnostics.getDiagnostics()) {
          message.append('\n').append(diagnostic.getSource() == null ? "" : diagnostic.getSource().getName() + ":" + diagnostic.getLineNumber() + ": ")
              .append(diagnostic.getKind().name().toLowerCase(Locale.ROOT)).append(": ").append(diagnostic.getMessage(Locale.ROOT));
        }
        throw new IllegalStateException(message.toString());
      }
    } catch (IOException e) {
      throw new IllegalStateException("in-memory compilation failed: " + e.getMessage(), e);
    }
    Map<String, byte[]> bytecode = new HashMap<>();
    classes.forEach((name, bytes) -> bytecode.put(name, bytes.toByteArray()));
    return bytecode;
  }

  /** A loader that defines the classes of {@code bytecode} on demand, its parent the runtime's loader. */
  private static ClassLoader loader(Map<String, byte[]> bytecode) {
    return new ClassLoader(Model.class.getClassLoader()) {
      @Override
      protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] bytes = bytecode.get(name);
        if (bytes == null) {
          throw new ClassNotFoundException(name);
        }
        return defineClass(name, bytes, 0, bytes.length);
      }
    };
  }

  /** A new instance of a compiled model, by its constructor taking {@code maxBatch}. */
  public static <T extends Model> T instantiate(ClassLoader loader, String className, int maxBatch, Class<T> type) {
    try {
      Class<?> compiled = loader.loadClass(className);
      return type.cast(compiled.getConstructor(int.class).newInstance(maxBatch));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot instantiate " + className + ": " + e, e);
    }
  }

  /** The class path javac sees: the runtime's location, then this JVM's class path. */
  private static List<File> classPath() {
    Set<File> path = new LinkedHashSet<>();
    try {
      path.add(Path.of(Model.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toFile());
    } catch (URISyntaxException | RuntimeException e) {
      // the runtime is then found on the class path below, if at all
    }
    for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      if (!entry.isEmpty()) {
        path.add(new File(entry));
      }
    }
    return new ArrayList<>(path);
  }
}
