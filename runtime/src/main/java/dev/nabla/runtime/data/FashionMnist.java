package dev.nabla.runtime.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Fashion-MNIST: 60,000 training and 10,000 test images of clothing, 28×28 grey levels, ten classes.
 *
 * <p>Read from the four IDX files of Debian's {@code dataset-fashion-mnist} package
 * ({@code /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz} and so on); an uncompressed
 * file without {@code .gz} is used when the compressed one is absent. Pixels become floats in
 * {@code [0, 1]}, row-major, one image after another.
 */
public final class FashionMnist {

  /** Where Debian's {@code dataset-fashion-mnist} installs the files. */
  public static final Path DEFAULT_DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");

  /** The environment variable that points to another directory. */
  public static final String ENVIRONMENT_VARIABLE = "NABLA_DATA";

  public static final int ROWS = 28;
  public static final int COLUMNS = 28;
  public static final int PIXELS = ROWS * COLUMNS;

  /** The class names, by label. */
  public static final List<String> CLASS_NAMES = List.of(
      "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
  static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
  static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
  static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

  /** The training and the test set. */
  public record Split(Dataset train, Dataset test) {}

  private FashionMnist() {}

  /** The data directory: {@code explicitDir} (from {@code --data}) if given, else {@code NABLA_DATA}, else the default. */
  public static Path resolveDirectory(String explicitDir) {
    return resolveDirectory(explicitDir, System.getenv());
  }

  /** {@link #resolveDirectory(String)} with the environment given, for tests. */
  public static Path resolveDirectory(String explicitDir, Map<String, String> environment) {
    if (explicitDir != null && !explicitDir.isBlank()) {
      return Path.of(explicitDir);
    }
    String fromEnvironment = environment.get(ENVIRONMENT_VARIABLE);
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return Path.of(fromEnvironment);
    }
    return DEFAULT_DIRECTORY;
  }

  /** Whether all four files are in {@code dir}. */
  public static boolean isInstalled(Path dir) {
    for (String name : List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)) {
      if (find(dir, name) == null) {
        return false;
      }
    }
    return true;
  }

  /**
   * Loads the training and the test set from where {@code nabla train} finds them: the directory
   * {@code NABLA_DATA} names, else {@link #DEFAULT_DIRECTORY}.
   */
  public static Split load() throws DataException {
    return load(resolveDirectory(null));
  }

  /** Loads the training and the test set from {@code dir}. */
  public static Split load(Path dir) throws DataException {
    Path trainImages = locate(dir, TRAIN_IMAGES);
    Path trainLabels = locate(dir, TRAIN_LABELS);
    Path testImages = locate(dir, TEST_IMAGES);
    Path testLabels = locate(dir, TEST_LABELS);
    return new Split(loadSet("train", trainImages, trainLabels), loadSet("test", testImages, testLabels));
  }

  /**
   * Loads one set from an image file and a label file, checking that they fit each other and
   * Fashion-MNIST: 28×28 images, as many labels as images, labels in {@code 0..9}.
   */
  public static Dataset loadSet(String name, Path imagesFile, Path labelsFile) throws DataException {
    IdxData images = Idx.readImages(imagesFile);
    int[] dims = images.dims();
    if (dims[1] != ROWS || dims[2] != COLUMNS) {
      throw new DataException(imagesFile, "wrong image size: " + dims[1] + "×" + dims[2]
          + ", Fashion-MNIST images are " + ROWS + "×" + COLUMNS);
    }
    IdxData labelData = Idx.readLabels(labelsFile);
    if (labelData.count() != images.count()) {
      throw new DataException(labelsFile, "image/label count mismatch: " + labelData.count() + " labels for "
          + images.count() + " images in " + imagesFile.getFileName());
    }
    byte[] rawLabels = labelData.data();
    int[] labels = new int[rawLabels.length];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = rawLabels[i] & 0xff;
      if (labels[i] >= CLASS_NAMES.size()) {
        throw new DataException(labelsFile, "label " + labels[i] + " of sample " + i + " is out of range 0.."
            + (CLASS_NAMES.size() - 1));
      }
    }
    byte[] pixels = images.data();
    float[] x = new float[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      x[i] = (pixels[i] & 0xff) / 255f;
    }
    return Dataset.ofClasses(name, x, PIXELS, labels, CLASS_NAMES);
  }

  private static Path locate(Path dir, String name) throws DataException {
    Path found = find(dir, name);
    if (found != null) {
      return found;
    }
    String where = Files.isDirectory(dir)
        ? name + ".gz is missing (and so is " + name + ")"
        : "the directory does not exist";
    throw new DataException(dir, "Fashion-MNIST not found: " + where + ". Install it with"
        + " `apt-get install dataset-fashion-mnist`, or point to a directory holding the four IDX files"
        + " with --data DIR or the " + ENVIRONMENT_VARIABLE + " environment variable.");
  }

  private static Path find(Path dir, String name) {
    Path compressed = dir.resolve(name + ".gz");
    if (Files.isRegularFile(compressed)) {
      return compressed;
    }
    Path raw = dir.resolve(name);
    return Files.isRegularFile(raw) ? raw : null;
  }
}
