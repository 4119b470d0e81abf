package dev.nabla.runtime;

import dev.nabla.runtime.kernels.Dropout;
import dev.nabla.runtime.kernels.KernelSupport;
import dev.nabla.runtime.kernels.Kernels;
import dev.nabla.runtime.kernels.RowsDouble;
import dev.nabla.runtime.kernels.RowsFloat;
import dev.nabla.runtime.kernels.Workspace;
import dev.nabla.runtime.lanes.Lanes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What every generated network shares, whatever its math: the batch split over {@link Lanes}, the checks
 * of a batch, the overloads of {@link Trainable} and the calls into the {@link Kernels} this JVM runs. A
 * generated class holds the model: its arrays and its passes, {@link #forward}, {@link #backward} and
 * {@link #predictSamples}, each for the samples {@code [lo, hi)} of a batch.
 *
 * <p>A lane is a second instance of the generated class made by {@link #newLane()}: it shares the
 * model's parameters and per-sample arrays (batch-major, so lanes of contiguous samples never write the
 * same element) and has its own gradients, scratch and kernel workspace. Its gradients are added to the
 * model's in lane order, so that results are bit-identical from run to run for a given thread count.
 *
 * <p>A {@link Predictor} is made the same way, by {@link #newLane()}, but owns its per-sample arrays and
 * has no gradients and no threads: it shares only the parameters, so that each serving thread predicts
 * with one of its own.
 */
abstract class BaseNetwork implements Trainable {
  /** What {@link #run} does: the passes and, after them, the lanes' sum of their gradients. */
  static final int PREDICT = 0;
  static final int LOSS = 1;
  static final int GRADIENTS = 2;
  static final int STEP = 3;
  /** The forward pass for the loss, then the output from what it computed: the loss and the outputs in one pass. */
  static final int EVALUATE = 4;
  /** Gradient and parameter values from which the lanes share summing the gradients and the step. */
  static final long MIN_SHARED_VALUES = 8192;

  private static final KernelSupport KERNELS = Kernels.get();

  final ModelInfo info;
  final int maxBatch;
  /** The fewest samples a lane takes: a batch of n runs in min(threads, n / minLaneBatch) lanes. */
  final int minLaneBatch;
  /** Whether the lanes share summing the gradients and the step: the parameters are many enough to be worth a handoff. */
  private final boolean sharedSum;
  /** The model this is a lane or a predictor of; {@code null} for the model itself. */
  final BaseNetwork owner;
  /** Whether this is a predictor's network: per-sample arrays of its own, no gradients, run on the caller's thread. */
  final boolean predictor;
  /** The model whose {@link #newLane()} this thread is calling to make a predictor, while it does. */
  private static final ThreadLocal<BaseNetwork> MAKING_PREDICTOR_OF = new ThreadLocal<>();
  private final Workspace work = new Workspace();
  /** The per-sample index arrays (max pooling's argmax), in the order the class declares them: lanes take the model's. */
  private final List<int[]> perSampleIndices;
  private int perSampleIndicesTaken;
  private final Lanes threads;
  /** The lanes a batch is split into: this model first, the others made at the first split. */
  private final BaseNetwork[] lanes;
  private final Lanes.Task passTask = this::passOfLane;
  private final Lanes.Task sumTask = this::sumOfLane;

  // Dropout's mode (see Trainable#training), set on the model and read by its lanes through root().
  private boolean trainingMode;
  private long dropoutSeed;
  private long dropoutStep;

  // The job being run, for the lanes to read: written before the lanes are started, read after.
  private int job;
  private float[] jobX;
  private int jobXOffset;
  private int[] jobXRows;
  private boolean jobInPlace;
  private int[] jobLabels;
  private float[] jobTargets;
  private float[] jobResult;
  private BatchRows jobRows;
  private ParameterUpdate jobUpdate;
  private int jobN;
  private int jobCount;
  private int jobShares;
  private double jobRate;

  BaseNetwork(ModelInfo info, int maxBatch, int threads, int minLaneBatch) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be at least 1, not " + maxBatch);
    }
    if (threads < 1 || threads > Lanes.MAX_THREADS) {
      throw new IllegalArgumentException("threads must be between 1 and " + Lanes.MAX_THREADS + ", not " + threads);
    }
    this.info = info;
    this.maxBatch = maxBatch;
    this.minLaneBatch = minLaneBatch;
    this.sharedSum = info.parameterCount() >= MIN_SHARED_VALUES;
    this.owner = null;
    this.predictor = false;
    this.perSampleIndices = new ArrayList<>();
    int count = minLaneBatch == Integer.MAX_VALUE ? 1 : threads;
    this.threads = new Lanes(info.name(), count);
    this.lanes = new BaseNetwork[count];
    this.lanes[0] = this;
  }

  /** A lane of {@code owner}, or its predictor's network when {@link #predictor()} is making one. */
  BaseNetwork(BaseNetwork owner) {
    this.info = owner.info;
    this.maxBatch = owner.maxBatch;
    this.minLaneBatch = owner.minLaneBatch;
    this.sharedSum = owner.sharedSum;
    this.owner = owner;
    this.predictor = MAKING_PREDICTOR_OF.get() == owner;
    this.perSampleIndices = predictor ? new ArrayList<>() : owner.perSampleIndices;
    this.threads = null;
    this.lanes = null;
  }

  /** The default number of threads: the system property {@code nabla.threads}, else {@code min(2, processors)}. */
  protected static int defaultThreads() {
    return Lanes.defaultThreads();
  }

  /** A lane of this model: {@code new Model(this)} in the generated class. */
  protected abstract BaseNetwork newLane();

  /**
   * A predictor for one serving thread: it shares this model's parameters and owns the buffers of its
   * pass, so that threads each with a predictor of their own predict at once, each getting exactly what
   * {@link #predict} of this model gives. Cheap: its buffers hold {@link #maxBatch()} samples' values of
   * the prediction pass, and the parameters are not copied. A predictor sees the parameters live: train,
   * {@link Models#load} or {@link #setParameter} on the model and its predictors predict with the new
   * values; do not change them while predictors run. For a server, one per thread:
   * {@code ThreadLocal.withInitial(model::predictor)}.
   */
  public final Predictor predictor() {
    if (owner != null) {
      throw new IllegalStateException("a predictor is made from the model, not from one of its lanes");
    }
    MAKING_PREDICTOR_OF.set(this);
    try {
      return new Predictor(newLane());
    } finally {
      MAKING_PREDICTOR_OF.remove();
    }
  }

  @Override
  public final void training(long seed, long step) {
    trainingMode = true;
    dropoutSeed = seed;
    dropoutStep = step;
  }

  @Override
  public final void predicting() {
    trainingMode = false;
  }

  @Override
  public final boolean isTraining() {
    return trainingMode;
  }

  @Override
  public final long trainingStep() {
    return dropoutStep;
  }

  /** The model whose mode this lane follows: itself, or the model it is a lane of. */
  private BaseNetwork root() {
    return owner == null ? this : owner;
  }

  /** Whether this pass applies dropout: the model is training (a predictor never is). */
  protected final boolean dropoutActive() {
    return !predictor && root().trainingMode;
  }

  /** The seed dropout's masks are drawn from, in training mode. */
  protected final long dropoutSeed() {
    return root().dropoutSeed;
  }

  /** The training step whose masks dropout draws, in training mode. */
  protected final long dropoutStep() {
    return root().dropoutStep;
  }

  /*
   * The passes read sample b's inputs at x[xOffset + b · inputSize ..]: xOffset is 0 for a batch the caller gave, and
   * where the batch starts for consecutive samples of a data set read where they lie (BatchRows#inputsInPlace). The
   * training passes of a model that reads its inputs by row (readsInputRows) may be handed the rows of a shuffled
   * batch instead: sample b's inputs at x[xOffset + xRows[b] · inputSize ..], xRows null otherwise.
   */

  /** The forward pass for the loss, for samples {@code [lo, hi)} of a batch of {@code n}. */
  protected abstract void forward(float[] x, int xOffset, int[] xRows, int[] labels, float[] targets, int lo, int hi,
      int n);

  /** The backward pass for samples {@code [lo, hi)} of a batch of {@code n}, into this lane's gradients. */
  protected abstract void backward(float[] x, int xOffset, int[] xRows, int[] labels, float[] targets, int lo, int hi,
      int n);

  /**
   * Whether {@link #forward} and {@link #backward} read the inputs through {@code xRows}, so that a shuffled batch
   * of a data set is read where it lies rather than copied: a generated class says so when its inputs only enter the
   * products that take rows ({@link KernelSupport#dense}, {@link KernelSupport#weightGradient}), in float.
   */
  protected boolean readsInputRows() {
    return false;
  }

  /** The output for samples {@code [lo, hi)}, written to {@code result}. */
  protected abstract void predictSamples(float[] x, int xOffset, int lo, int hi, float[] result);

  /** The loss of the batch of {@code n} the forward pass computed: the mean of a per-sample loss. */
  protected abstract double meanLoss(int n);

  /**
   * The output for samples {@code [lo, hi)}, written to {@code result}, right after {@link #forward} ran for them:
   * a generated class writes it from what the forward pass kept, computing only what the loss did not need. This
   * default runs the prediction pass.
   */
  protected void outputSamples(float[] x, int xOffset, int lo, int hi, float[] result) {
    predictSamples(x, xOffset, lo, hi, result);
  }

  /** Zeroes this lane's gradients before its backward pass. */
  abstract void clearGradients();

  /**
   * For share {@code share} of {@code shares} of every gradient: adds lanes 1 to count − 1 to this model's, then the
   * step if asked: {@code update} over the share, or the SGD step at {@code lr} when it is null.
   */
  abstract void sumShare(int share, int shares, int count, boolean step, double lr, ParameterUpdate update);


  /**
   * Called before a pass reads {@code x} for samples {@code [lo, hi)}: a double model widens it; {@code null}
   * when a double model was given its inputs in double.
   */
  void beforePass(float[] x, int xOffset, int lo, int hi) {}

  @Override
  public final ModelInfo info() {
    return info;
  }

  @Override
  public final int maxBatch() {
    return maxBatch;
  }

  /** The kernel set this JVM runs, {@code scalar} or {@code vector}. */
  public static String kernels() {
    return KERNELS.name();
  }

  /**
   * Writes the output for each of the {@code n} samples to {@code result}, {@code info().outputSize()}
   * values per sample.
   */
  @Override
  public final void predict(float[] x, int n, float[] result) {
    checkInputs(x.length, n);
    checkResult(result.length, n);
    run(PREDICT, null, x, null, null, result, n, 0, null);
  }

  /** Forward, backward, and the SGD step {@code θ ← θ − lr ∇C}; returns the mean loss before the step. */
  @Override
  public final double trainStep(float[] x, int[] labels, int n, float lr) {
    checkLabelled(x, labels, n);
    return run(STEP, null, x, labels, null, null, n, lr, null);
  }

  @Override
  public final double computeGradients(float[] x, int[] labels, int n) {
    checkLabelled(x, labels, n);
    return run(GRADIENTS, null, x, labels, null, null, n, 0, null);
  }

  @Override
  public final double loss(float[] x, int[] labels, int n) {
    checkLabelled(x, labels, n);
    return run(LOSS, null, x, labels, null, null, n, 0, null);
  }

  @Override
  public final double trainStep(float[] x, float[] targets, int n, float lr) {
    checkTargeted(x, targets, n);
    return run(STEP, null, x, null, targets, null, n, lr, null);
  }

  @Override
  public final double computeGradients(float[] x, float[] targets, int n) {
    checkTargeted(x, targets, n);
    return run(GRADIENTS, null, x, null, targets, null, n, 0, null);
  }

  @Override
  public final double loss(float[] x, float[] targets, int n) {
    checkTargeted(x, targets, n);
    return run(LOSS, null, x, null, targets, null, n, 0, null);
  }

  @Override
  public final double evaluate(BatchRows rows, float[] x, int[] labels, float[] targets, int n, float[] result) {
    checkBatch(rows, x, labels, targets, n);
    checkResult(result.length, n);
    return run(EVALUATE, rows, x, labels, targets, result, n, 0, null);
  }

  @Override
  public final double trainStep(BatchRows rows, float[] x, int[] labels, float[] targets, int n, float lr) {
    checkBatch(rows, x, labels, targets, n);
    return run(STEP, rows, x, labels, targets, null, n, lr, null);
  }

  @Override
  public final double trainStep(BatchRows rows, float[] x, int[] labels, float[] targets, int n, ParameterUpdate update) {
    checkBatch(rows, x, labels, targets, n);
    return run(STEP, rows, x, labels, targets, null, n, 0, update);
  }

  /**
   * The checks of a batch given with its labels or its targets. Labels that {@code rows} copies are checked by
   * each lane for its own samples, once they are there.
   */
  private void checkBatch(BatchRows rows, float[] x, int[] labels, float[] targets, int n) {
    if (labels != null && rows == null) {
      checkLabelled(x.length, labels, n);
    } else if (labels != null) {
      checkLabelKind();
      checkInputs(x.length, n);
      checkLabelCount(labels, n);
    } else if (targets != null) {
      checkTargeted(x, targets, n);
    } else {
      throw new IllegalArgumentException("a batch needs its labels or its targets");
    }
  }

  /** Whether the model takes neither labels nor targets (its loss reads the inputs alone): both overloads fit. */
  private boolean unlabelled() {
    return info.labels() == ModelInfo.Labels.TARGETS && info.labelSize() == 0;
  }

  private void checkLabelled(float[] x, int[] labels, int n) {
    checkLabelled(x.length, labels, n);
  }

  final void checkLabelled(int xLength, int[] labels, int n) {
    checkLabelKind();
    checkInputs(xLength, n);
    checkLabelCount(labels, n);
    checkClasses(labels, 0, n);
  }

  private void checkLabelKind() {
    if (info.labels() != ModelInfo.Labels.CLASSES && !unlabelled()) {
      throw new IllegalArgumentException(info.name() + " is trained against real-valued targets: pass its targets");
    }
  }

  private static void checkLabelCount(int[] labels, int n) {
    if (labels.length < n) {
      throw new IllegalArgumentException("labels has " + labels.length + " entries, too few for " + n + " samples");
    }
  }

  /** That the labels of samples {@code [lo, hi)} are classes of the model. */
  private void checkClasses(int[] labels, int lo, int hi) {
    if (info.labels() == ModelInfo.Labels.CLASSES) {
      for (int b = lo; b < hi; b++) {
        if (labels[b] < 0 || labels[b] >= info.labelSize()) {
          throw new IllegalArgumentException("the label of sample " + b + " is " + labels[b] + ", not a class in [0, "
              + info.labelSize() + ")");
        }
      }
    }
  }

  private void checkTargeted(float[] x, float[] targets, int n) {
    checkTargeted(x.length, targets.length, n);
  }

  final void checkTargeted(int xLength, int targetsLength, int n) {
    if (info.labels() == ModelInfo.Labels.CLASSES) {
      throw new IllegalArgumentException(info.name() + " is a classifier: pass int[] class labels");
    }
    checkInputs(xLength, n);
    if (targetsLength < (long) n * info.labelSize()) {
      throw new IllegalArgumentException("targets has " + targetsLength + " values; " + n + " samples of "
          + info.labelSize() + " need more");
    }
  }

  final void checkInputs(int xLength, int n) {
    if (n < 0 || n > maxBatch) {
      throw new IllegalArgumentException("a batch of " + n + " samples; this model holds 0 to " + maxBatch);
    }
    if (xLength < (long) n * info.inputSize()) {
      throw new IllegalArgumentException("x has " + xLength + " values; " + n + " samples of " + info.inputSize()
          + " need more");
    }
  }

  final void checkResult(int resultLength, int n) {
    if (resultLength < (long) n * info.outputSize()) {
      throw new IllegalArgumentException("result holds " + info.outputSize() + " values per sample; its length is "
          + resultLength);
    }
  }

  /**
   * Runs the passes of a job over the batch, split over the lanes when it is large enough; then the lanes
   * sum their gradients and take the step, each for a share of every array. Returns the mean loss, before
   * the step.
   */
  final double run(int job, BatchRows rows, float[] x, int[] labels, float[] targets, float[] result, int n, double lr,
      ParameterUpdate update) {
    if (predictor && job != PREDICT) {
      throw new IllegalStateException("a predictor only predicts: train the model it was made from");
    }
    int count = predictor ? 1 : Math.min(lanes.length, n / minLaneBatch);
    // Samples of a data set are read where they lie, consecutive or (by a model that can, in its training passes)
    // through the rows of a shuffled batch: the lanes copy their labels or targets alone.
    float[] inPlace = rows == null ? null : rows.inputsInPlace();
    int[] xRows = inPlace == null ? null : rows.inputRows();
    if (xRows != null && (job == PREDICT || job == EVALUATE || !readsInputRows())) {
      inPlace = null;
      xRows = null;
    }
    int xOffset = inPlace == null ? 0 : rows.inputsOffset();
    if (inPlace != null) {
      x = inPlace;
    }
    if (count <= 1) {
      runRange(job, rows, inPlace != null, x, xOffset, xRows, labels, targets, result, 0, n, n);
    } else {
      for (int t = 1; t < count; t++) {
        if (lanes[t] == null) {
          lanes[t] = newLane();
        }
      }
      this.job = job;
      jobRows = rows;
      jobX = x;
      jobXOffset = xOffset;
      jobXRows = xRows;
      jobInPlace = inPlace != null;
      jobLabels = labels;
      jobTargets = targets;
      jobResult = result;
      jobN = n;
      jobCount = count;
      try {
        threads.run(count, passTask);
      } finally {
        jobRows = null;
        jobX = null;
        jobXRows = null;
        jobLabels = null;
        jobTargets = null;
        jobResult = null;
      }
    }
    if (job == STEP || (job == GRADIENTS && count > 1)) {
      jobCount = Math.max(1, count);
      jobShares = count > 1 && sharedSum ? count : 1;
      this.job = job;
      jobRate = lr;
      jobUpdate = update;
      try {
        threads.run(jobShares, sumTask);
      } finally {
        jobUpdate = null;
      }
    }
    if (job == STEP && trainingMode) {
      dropoutStep++;
    }
    return job == PREDICT ? 0 : meanLoss(n);
  }

  private void passOfLane(int t) {
    int n = jobN;
    lanes[t].runRange(job, jobRows, jobInPlace, jobX, jobXOffset, jobXRows, jobLabels, jobTargets, jobResult,
        Lanes.split(n, jobCount, t), Lanes.split(n, jobCount, t + 1), n);
  }

  private void sumOfLane(int share) {
    sumShare(share, jobShares, jobCount, job == STEP, jobRate, jobUpdate);
  }

  /** The lane at {@code t}: this model for 0. */
  final BaseNetwork lane(int t) {
    return lanes[t];
  }

  private void runRange(int job, BatchRows rows, boolean inputsInPlace, float[] x, int xOffset, int[] xRows,
      int[] labels, float[] targets, float[] result, int lo, int hi, int n) {
    if (rows != null) {
      // The lane gathers its own samples: in parallel with the other lanes, and into its core's cache for the pass.
      if (inputsInPlace) {
        rows.copyTruth(lo, hi);
      } else {
        rows.copy(lo, hi);
      }
      if (labels != null) {
        checkClasses(labels, lo, hi);
      }
    }
    beforePass(x, xOffset, lo, hi);
    if (job == PREDICT) {
      predictSamples(x, xOffset, lo, hi, result);
      return;
    }
    forward(x, xOffset, xRows, labels, targets, lo, hi, n);
    if (job == EVALUATE) {
      outputSamples(x, xOffset, lo, hi, result);
      return;
    }
    if (job >= GRADIENTS) {
      clearGradients();
      backward(x, xOffset, xRows, labels, targets, lo, hi, n);
    }
  }

  /** The mean of {@code values[0 .. n)}, in double: a per-sample loss over the batch. */
  protected static double mean(float[] values, int n) {
    double total = 0;
    for (int b = 0; b < n; b++) {
      total += values[b];
    }
    return total / n;
  }

  /** {@link #mean(float[], int)} in double. */
  protected static double mean(double[] values, int n) {
    double total = 0;
    for (int b = 0; b < n; b++) {
      total += values[b];
    }
    return total / n;
  }

  // ---- the kernels, each with this lane's workspace (see KernelSupport for what each computes) ----

  /** {@code out[b, i] = bias[i] + Σ_k w[i, k] x[b, k]} for the samples {@code [lo, hi)}. */
  protected final void dense(float[] w, int rows, int columns, float[] bias, float[] x, int xOffset, int xStride,
      int lo, int hi, float[] out, int outOffset, int outStride) {
    KERNELS.dense(work, w, rows, columns, bias, x, xOffset, xStride, null, lo, hi, out, outOffset, outStride);
  }

  /** {@link #dense(float[], int, int, float[], float[], int, int, int, int, float[], int, int)} of the inputs: sample b's at row {@code xRows[b]} when given. */
  protected final void dense(float[] w, int rows, int columns, float[] bias, float[] x, int xOffset, int xStride,
      int[] xRows, int lo, int hi, float[] out, int outOffset, int outStride) {
    KERNELS.dense(work, w, rows, columns, bias, x, xOffset, xStride, xRows, lo, hi, out, outOffset, outStride);
  }

  protected final void dense(double[] w, int rows, int columns, double[] bias, double[] x, int xOffset, int xStride,
      int lo, int hi, double[] out, int outOffset, int outStride) {
    KERNELS.dense(work, w, rows, columns, bias, x, xOffset, xStride, null, lo, hi, out, outOffset, outStride);
  }

  /** {@code g[i, j] += scale Σ_b d[b, i] x[b, j]} over the samples {@code [lo, hi)}. */
  protected final void weightGradient(float[] g, int rows, int columns, float[] d, int dOffset, int dStride,
      float[] x, int xOffset, int xStride, int lo, int hi, float scale) {
    KERNELS.weightGradient(work, g, rows, columns, d, dOffset, dStride, x, xOffset, xStride, null, lo, hi, scale);
  }

  /** {@link #weightGradient(float[], int, int, float[], int, int, float[], int, int, int, int, float)} of the inputs: sample b's at row {@code xRows[b]} when given. */
  protected final void weightGradient(float[] g, int rows, int columns, float[] d, int dOffset, int dStride,
      float[] x, int xOffset, int xStride, int[] xRows, int lo, int hi, float scale) {
    KERNELS.weightGradient(work, g, rows, columns, d, dOffset, dStride, x, xOffset, xStride, xRows, lo, hi, scale);
  }

  protected final void weightGradient(double[] g, int rows, int columns, double[] d, int dOffset, int dStride,
      double[] x, int xOffset, int xStride, int lo, int hi, double scale) {
    KERNELS.weightGradient(work, g, rows, columns, d, dOffset, dStride, x, xOffset, xStride, null, lo, hi, scale);
  }

  /** {@code g[i] += scale Σ_b d[b, i]} over the samples {@code [lo, hi)}: the batch mean of a vector's gradient, a bias's. */
  protected static void addBatchMean(float[] g, int size, float[] d, int dOffset, int dStride, int lo, int hi, float scale) {
    RowsFloat.addBatchMean(g, size, d, dOffset, dStride, lo, hi, scale);
  }

  protected static void addBatchMean(double[] g, int size, double[] d, int dOffset, int dStride, int lo, int hi,
      double scale) {
    RowsDouble.addBatchMean(g, size, d, dOffset, dStride, lo, hi, scale);
  }

  /** {@code out[b, j] = Σ_i w[i, j] d[b, i]}, the product {@code Wᵀ δ}, for the samples {@code [lo, hi)}. */
  protected final void transposedDense(float[] w, int rows, int columns, float[] d, int dOffset, int dStride,
      int lo, int hi, float[] out, int outOffset, int outStride) {
    KERNELS.transposedDense(work, w, rows, columns, d, dOffset, dStride, lo, hi, out, outOffset, outStride);
  }

  protected final void transposedDense(double[] w, int rows, int columns, double[] d, int dOffset, int dStride,
      int lo, int hi, double[] out, int outOffset, int outStride) {
    KERNELS.transposedDense(work, w, rows, columns, d, dOffset, dStride, lo, hi, out, outOffset, outStride);
  }

  /**
   * An index array of {@code size} entries per sample for a batch of {@code maxBatch} (where max pooling keeps each
   * window's maximum for the backward pass); a lane gets the model's array declared in the same place, a predictor
   * one of its own.
   */
  protected final int[] perSampleIndices(int size) {
    if (owner != null && !predictor) {
      return perSampleIndices.get(perSampleIndicesTaken++);
    }
    if ((long) maxBatch * size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("maxBatch must be between 1 and " + (Integer.MAX_VALUE / size) + ", not " + maxBatch);
    }
    int[] indices = new int[maxBatch * size];
    perSampleIndices.add(indices);
    return indices;
  }

  /** This lane's scratch for the convolution kernels ({@code dev.nabla.runtime.kernels.Conv2d}). */
  protected final Workspace workspace() {
    return work;
  }

  /**
   * {@code y = dropout(p, x)} for the samples {@code [lo, hi)}, {@code size} values each: in training mode
   * {@code x ⊙ mask} with the masks of the model's seed and step ({@link Dropout#forward}), in prediction mode
   * {@code x} itself with a mask of ones, so that the backward pass ({@code δ ⊙ mask}) is right in both.
   */
  protected final void dropout(double p, float[] x, int xOffset, int xStride, int size, int lo, int hi,
      float[] y, int yOffset, int yStride, float[] mask) {
    if (dropoutActive()) {
      Dropout.forward(p, dropoutSeed(), dropoutStep(), x, xOffset, xStride, size, lo, hi, y, yOffset, yStride, mask);
      return;
    }
    for (int b = lo; b < hi; b++) {
      System.arraycopy(x, b * xStride + xOffset, y, b * yStride + yOffset, size);
    }
    Arrays.fill(mask, lo * size, hi * size, 1f);
  }

  protected final void dropout(double p, double[] x, int xOffset, int xStride, int size, int lo, int hi,
      double[] y, int yOffset, int yStride, double[] mask) {
    if (dropoutActive()) {
      Dropout.forward(p, dropoutSeed(), dropoutStep(), x, xOffset, xStride, size, lo, hi, y, yOffset, yStride, mask);
      return;
    }
    for (int b = lo; b < hi; b++) {
      System.arraycopy(x, b * xStride + xOffset, y, b * yStride + yOffset, size);
    }
    Arrays.fill(mask, lo * size, hi * size, 1.0);
  }

  /** The index of the parameter named {@code name} in {@link ModelInfo#parameters()}. */
  final int parameterIndex(String name) {
    for (int p = 0; p < info.parameters().size(); p++) {
      if (info.parameters().get(p).name().equals(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException(info.name() + " has no parameter '" + name + "'; it has "
        + String.join(", ", info.parameters().stream().map(ModelInfo.Parameter::name).toList()));
  }

  /** Whether a parameter's gradient is summed over the samples (so the lanes' shares add up); not for one computed from parameters alone. */
  protected boolean summedOverSamples(int parameter) {
    return true;
  }
}
