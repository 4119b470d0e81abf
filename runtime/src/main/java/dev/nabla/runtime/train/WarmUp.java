package dev.nabla.runtime.train;

import dev.nabla.runtime.checkpoint.CheckpointException;
import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.optim.OptimizerSpec;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Trains a stand-in of the model on synthetic data in the background, while the model's own class is generated and
 * compiled and the data set loads, so that the JIT has compiled the training loop's hot code (the kernels on the
 * model's shapes, the lanes, the step, the gather, the evaluation) by the time the real run starts. Without it, the
 * first epochs of a run are the JIT's warm-up: the Vector API kernels run as boxed vectors until C2 compiles them,
 * one after the other on the one C2 thread a 2-core JVM has, and a user's 4-epoch run got half the steady speed.
 *
 * <p>Nothing of the real run is touched: the stand-in ({@link DenseLayers}) has its own parameters, buffers and lanes,
 * and the kernels keep no state between calls, so the trained model is the same, bit for bit, with or without it.
 * The warm-up stops when {@link #close()} is called or after its time limit, whichever comes first.
 */
public final class WarmUp implements AutoCloseable {
  /** What a layer's activation is, as far as the kernels care: relu and none are loops, tanh and sigmoid kernels. */
  public enum Activation { NONE, RELU, TANH, SIGMOID }

  /** A dense layer {@code z = W x + b} of a {@code rows × columns} weight matrix, then its activation. */
  public record Layer(int rows, int columns, Activation activation) {
    public Layer {
      if (rows < 1 || columns < 1) {
        throw new IllegalArgumentException("a layer of " + rows + " × " + columns);
      }
    }
  }

  /** Steps per synthetic epoch: each epoch's end also runs the evaluation, which the real run does after each epoch. */
  static final int STEPS_PER_EPOCH = 24;
  /** Work per lane, in floating-point operations per sample, below which a lane is not worth its handoff (as the generator's). */
  private static final long MIN_LANE_WORK = 300_000;

  private final Trainer trainer;
  private final Thread thread;
  private final long minimumEnd;

  private WarmUp(Trainer trainer, Thread thread, long minimumEnd) {
    this.trainer = trainer;
    this.thread = thread;
    this.minimumEnd = minimumEnd;
  }

  /**
   * Starts training, on a daemon thread, a stand-in of {@code layers} (in the order the model computes them) on
   * {@code inputSize} inputs, with the run's optimizer, as a model of {@code threads} lanes would run batches of
   * {@code batchSize}; for at most {@code limitNanos}, and for {@code minimumNanos} at least when the caller
   * {@linkplain #awaitMinimum() waits for it}.
   *
   * <p>The stand-in runs on that one thread, on batches of the size one lane takes: the kernels then see the shapes and
   * ranges they will see in the run, while the warm-up takes one core at most, beside javac on the other, which is
   * what the run waits for.
   */
  public static WarmUp start(int inputSize, List<Layer> layers, int batchSize, OptimizerSpec optimizer, int threads,
      long limitNanos, long minimumNanos) {
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("a warm-up needs at least one layer");
    }
    int minLaneBatch = minLaneBatch(layers);
    int lanes = Math.max(1, Math.min(threads, batchSize / minLaneBatch));
    int laneBatch = (batchSize + lanes - 1) / lanes;
    int evaluationBatch = (Trainer.EVALUATION_BATCH + lanes - 1) / lanes;
    int classes = layers.get(layers.size() - 1).rows();
    int trainSize = STEPS_PER_EPOCH * laneBatch;
    List<String> names = IntStream.range(0, classes).mapToObj(Integer::toString).toList();
    Dataset train = Dataset.ofClasses("warm-up", inputs(trainSize, inputSize, 1), inputSize, labels(trainSize, classes, 2), names);
    Dataset test = Dataset.ofClasses("warm-up test", inputs(evaluationBatch, inputSize, 3), inputSize,
        labels(evaluationBatch, classes, 4), names);
    // A small rate: the stand-in's loss must stay finite and near its first for as long as it runs.
    TrainConfig config = new TrainConfig(Integer.MAX_VALUE, laneBatch, 1e-4, Schedule.constant(), optimizer, 1, null, null,
        ProgressSink.none());
    Trainer trainer = new Trainer(config);
    long start = System.nanoTime();
    long deadline = start + limitNanos;
    Thread thread = new Thread(() -> {
      DenseLayers model = new DenseLayers(inputSize, layers, Math.max(laneBatch, evaluationBatch), 1, minLaneBatch);
      model.initialize(1);
      try {
        trainer.train(model, train, test, (metrics, evaluation) -> {
          if (System.nanoTime() >= deadline) {
            trainer.requestStop();
          }
        });
      } catch (DivergenceException | CheckpointException | RuntimeException e) {
        // A warm-up that fails leaves the run as it would have been without it: slower to start, nothing else.
      }
    }, "nabla-warm-up");
    thread.setDaemon(true);
    thread.start();
    return new WarmUp(trainer, thread, start + Math.min(minimumNanos, limitNanos));
  }

  /** Samples a lane takes at least, as the generator reckons it for these layers: 8 to 256, by the work of a sample. */
  static int minLaneBatch(List<Layer> layers) {
    long work = 1;
    for (Layer layer : layers) {
      work += 6L * layer.rows() * layer.columns() + 4L * layer.rows();
    }
    return (int) Math.max(8, Math.min(256, (MIN_LANE_WORK + work - 1) / work));
  }

  /** Whether the stand-in is still training. */
  public boolean isRunning() {
    return thread.isAlive();
  }

  /** Waits until the warm-up has run its minimum time (none by default), or has ended. */
  public void awaitMinimum() {
    try {
      long left;
      while (thread.isAlive() && (left = minimumEnd - System.nanoTime()) > 0) {
        thread.join(Math.max(1, left / 1_000_000));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the warm-up and waits for its thread (at most a step and an evaluation of the stand-in). */
  @Override
  public void close() {
    trainer.requestStop();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static float[] inputs(int samples, int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[samples * size];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble();
    }
    return x;
  }

  private static int[] labels(int samples, int classes, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] labels = new int[samples];
    for (int i = 0; i < samples; i++) {
      labels[i] = random.nextInt(classes);
    }
    return labels;
  }
}
