package dev.nabla.runtime.train;

import dev.nabla.runtime.FloatTrainable;
import dev.nabla.runtime.ModelInfo;
import dev.nabla.runtime.Trainable;
import dev.nabla.runtime.checkpoint.Checkpoint;
import dev.nabla.runtime.checkpoint.CheckpointException;
import dev.nabla.runtime.checkpoint.CheckpointFile;
import dev.nabla.runtime.checkpoint.TrainingState;
import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.data.Minibatch;
import dev.nabla.runtime.metrics.EpochMetrics;
import dev.nabla.runtime.metrics.Evaluation;
import dev.nabla.runtime.metrics.Evaluator;
import dev.nabla.runtime.optim.Optimizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Trains a model by minibatch gradient descent, evaluates it on the test set after each epoch and
 * writes a checkpoint, so that a run can be stopped and resumed.
 *
 * <p>Deterministic: the same model initialization, data, configuration and seed give the same
 * numbers, bit for bit. Each epoch's shuffle is drawn from a generator seeded by the run's seed and
 * the epoch's number alone, so a resumed run (even from the middle of an epoch, after a
 * {@linkplain #requestStop() stop}) visits the same minibatches as an uninterrupted one.
 *
 * <p>The trainer does not initialize the model: the caller calls {@code model.initialize(seed)}
 * (or resumes from a checkpoint, which restores the parameters).
 */
public final class Trainer {
  /** A minibatch loss this many times the run's first (or 1, if larger) means the run has diverged. */
  static final double EXPLOSION_FACTOR = 1000;


  private static final int EVALUATION_BATCH = 1000;

  private final TrainConfig config;
  private final AtomicBoolean stopRequested = new AtomicBoolean();

  public Trainer(TrainConfig config) {
    this.config = config;
  }

  /**
   * Asks the run to stop after the current minibatch: it then writes a checkpoint of where it
   * stands and returns with {@link TrainingResult.Status#STOPPED}. Safe to call from any thread, for
   * example a SIGINT handler.
   */
  public void requestStop() {
    stopRequested.set(true);
  }

  /** {@link #train(Trainable, Dataset, Dataset, EpochListener)} without a listener. */
  public TrainingResult train(Trainable model, Dataset train, Dataset test) throws DivergenceException, CheckpointException {
    return train(model, train, test, EpochListener.none());
  }

  /**
   * Runs the configured epochs (or what is left of them after the checkpoint resumed from).
   *
   * @throws DivergenceException when the loss or a parameter becomes NaN or infinite; the last good checkpoint stays
   * @throws CheckpointException when the checkpoint to resume from is unusable, or a checkpoint cannot be written
   */
  public TrainingResult train(Trainable model, Dataset train, Dataset test, EpochListener listener)
      throws DivergenceException, CheckpointException {
    checkFits(model, train);
    checkFits(model, test);
    ProgressSink progress = config.progress();
    Optimizer optimizer = config.optimizer().create(model);
    Path checkpointPath = config.outDir() == null ? null : config.outDir().resolve(CheckpointFile.DEFAULT_NAME);

    Position at = new Position(config.seed());
    List<EpochMetrics> history = new ArrayList<>();
    if (config.resumeFrom() != null) {
      resume(model, optimizer, at, history);
    }

    int batchSize = config.batchSize();
    int epochs = config.epochs();
    int stepsPerEpoch = (train.size() + batchSize - 1) / batchSize;
    Minibatch batch = Minibatch.forData(train, batchSize);
    Evaluator evaluator = new Evaluator(model, test, EVALUATION_BATCH);
    int[] order = new int[train.size()];
    Evaluation lastEvaluation = null;
    Path lastCheckpoint = config.resumeFrom();

    long runStart = System.nanoTime();
    long samplesThisRun = 0;
    double firstLoss = Double.NaN;
    long samplesLeft = (long) Math.max(0, epochs - at.epochsCompleted) * train.size()
        - (long) at.stepInEpoch * batchSize;
    for (int epoch = at.epochsCompleted; epoch < epochs; epoch++) {
      long epochStart = System.nanoTime();
      shuffle(order, at.seed, epoch);
      progress.epochStarted(epoch + 1, epochs, stepsPerEpoch, train.size());
      double rate = config.learningRate();
      for (int step = at.stepInEpoch; step < stepsPerEpoch; step++) {
        if (stopRequested.get()) {
          return stop(model, optimizer, at, history, lastEvaluation, checkpointPath, lastCheckpoint);
        }
        int from = step * batchSize;
        int n = Math.min(batchSize, train.size() - from);
        batch.fill(train, order, from, n);
        rate = config.schedule().rate(config.learningRate(), epoch, step, stepsPerEpoch, epochs);
        double loss = optimizer.step(model, batch, (float) rate);
        if (!Double.isFinite(loss)) {
          throw diverged(epoch, step, stepsPerEpoch, rate, "the minibatch loss is " + loss, history, lastCheckpoint);
        }
        if (Double.isNaN(firstLoss)) {
          firstLoss = loss;
        } else if (loss > EXPLOSION_FACTOR * Math.max(firstLoss, 1)) {
          // Finite but exploded: with dead ReLUs a huge rate can leave the loss large and finite for ever.
          throw diverged(epoch, step, stepsPerEpoch, rate, String.format(Locale.ROOT,
              "the minibatch loss is %.4g, over %d times the run's first (%.4g)", loss, (int) EXPLOSION_FACTOR, firstLoss),
              history, lastCheckpoint);
        }
        if (model instanceof FloatTrainable floats) {
          String bad = firstNonFinite(model.info(), floats.parameterArrays());
          if (bad != null) {
            throw diverged(epoch, step, stepsPerEpoch, rate, bad, history, lastCheckpoint);
          }
        }
        at.stepInEpoch = step + 1;
        at.globalStep++;
        at.epochLossSum += loss * n;
        at.epochSamples += n;
        samplesThisRun += n;
        samplesLeft -= n;
        double seconds = (System.nanoTime() - runStart) / 1e9;
        double perSecond = samplesThisRun / Math.max(seconds, 1e-9);
        progress.stepDone(epoch + 1, epochs, step + 1, stepsPerEpoch, at.epochLossSum / at.epochSamples, perSecond,
            samplesLeft / perSecond);
      }

      String bad = firstNonFinite(model);
      if (bad != null) {
        throw diverged(epoch, stepsPerEpoch - 1, stepsPerEpoch, rate, bad, history, lastCheckpoint);
      }
      lastEvaluation = evaluator.evaluate(model, test);
      if (!Double.isFinite(lastEvaluation.loss())) {
        throw diverged(epoch, stepsPerEpoch - 1, stepsPerEpoch, rate, "the test loss is " + lastEvaluation.loss(),
            history, lastCheckpoint);
      }
      EpochMetrics metrics = new EpochMetrics(epoch + 1, at.epochLossSum / Math.max(1, at.epochSamples),
          lastEvaluation.loss(), lastEvaluation.accuracy(), rate, (System.nanoTime() - epochStart) / 1e9);
      history.add(metrics);
      at.epochsCompleted = epoch + 1;
      at.stepInEpoch = 0;
      at.epochLossSum = 0;
      at.epochSamples = 0;
      if (checkpointPath != null) {
        CheckpointFile.save(checkpointPath, Checkpoint.of(model, at.toState(batchSize, optimizer, history)));
        lastCheckpoint = checkpointPath;
      }
      progress.epochFinished(epochs, metrics);
      listener.epochFinished(metrics, lastEvaluation);
    }
    return new TrainingResult(TrainingResult.Status.COMPLETED, history, lastEvaluation, lastCheckpoint, at.globalStep);
  }

  /** Where the run stands: what a checkpoint's training state records. */
  private static final class Position {
    long seed;
    int epochsCompleted;
    int stepInEpoch;
    long globalStep;
    double epochLossSum;
    long epochSamples;

    Position(long seed) {
      this.seed = seed;
    }

    TrainingState toState(int batchSize, Optimizer optimizer, List<EpochMetrics> history) {
      return new TrainingState(seed, epochsCompleted, stepInEpoch, batchSize, globalStep, epochLossSum, epochSamples,
          optimizer.state(), history);
    }
  }

  private void resume(Trainable model, Optimizer optimizer, Position at, List<EpochMetrics> history)
      throws CheckpointException {
    Path file = config.resumeFrom();
    Checkpoint checkpoint = CheckpointFile.load(file);
    CheckpointFile.restore(file, checkpoint, model);
    TrainingState state = checkpoint.training();
    if (state == null) {
      config.progress().message("resuming from " + file + ": it holds parameters only, training starts at epoch 1");
      return;
    }
    if (state.stepInEpoch() > 0 && state.batchSize() != config.batchSize()) {
      throw new CheckpointException(file, "the run stopped in the middle of epoch " + (state.epochsCompleted() + 1)
          + " with batch size " + state.batchSize() + "; resume it with --batch " + state.batchSize());
    }
    try {
      optimizer.restore(state.optimizer());
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(file, "the optimizer does not fit: " + e.getMessage()
          + "; resume with --optimizer " + state.optimizer().optimizer(), e);
    }
    if (state.seed() != config.seed()) {
      config.progress().message("resuming with the checkpoint's seed " + state.seed() + " (not " + config.seed()
          + ") so that the shuffle continues where it stopped");
    }
    at.seed = state.seed();
    at.epochsCompleted = state.epochsCompleted();
    at.stepInEpoch = state.stepInEpoch();
    at.globalStep = state.globalStep();
    at.epochLossSum = state.epochLossSum();
    at.epochSamples = state.epochSamples();
    history.addAll(state.history());
    config.progress().message(String.format(Locale.ROOT, "resuming from %s: %d epoch(s) done%s", file,
        state.epochsCompleted(), state.stepInEpoch() > 0 ? ", " + state.stepInEpoch() + " step(s) into the next" : ""));
  }

  private TrainingResult stop(Trainable model, Optimizer optimizer, Position at, List<EpochMetrics> history,
      Evaluation lastEvaluation, Path checkpointPath, Path lastCheckpoint) throws CheckpointException {
    Path written = lastCheckpoint;
    if (checkpointPath != null) {
      CheckpointFile.save(checkpointPath, Checkpoint.of(model, at.toState(config.batchSize(), optimizer, history)));
      written = checkpointPath;
      config.progress().message(String.format(Locale.ROOT,
          "stopped in epoch %d after step %d; resume with --resume %s", at.epochsCompleted + 1, at.stepInEpoch,
          checkpointPath));
    } else {
      config.progress().message("stopped in epoch " + (at.epochsCompleted + 1) + " after step " + at.stepInEpoch
          + "; no checkpoint (no output directory)");
    }
    return new TrainingResult(TrainingResult.Status.STOPPED, history, lastEvaluation, written, at.globalStep);
  }

  private DivergenceException diverged(int epoch, int step, int steps, double rate, String what,
      List<EpochMetrics> history, Path lastCheckpoint) {
    String kept = lastCheckpoint == null
        ? "No checkpoint was written before it."
        : "The last good checkpoint stays at " + lastCheckpoint
            + (history.isEmpty() ? "." : " (after epoch " + history.get(history.size() - 1).epoch() + ").");
    String message = String.format(Locale.ROOT,
        "training diverged in epoch %d at step %d of %d: %s. Lower the learning rate (now %s), e.g. --lr %s%s. %s",
        epoch + 1, step + 1, steps, what, number(rate), number(rate / 10),
        config.optimizer() instanceof dev.nabla.runtime.optim.OptimizerSpec.Sgd ? "" : ", or try --optimizer sgd",
        kept);
    return new DivergenceException(message, epoch + 1, step + 1, rate);
  }

  private static String number(double value) {
    if (!Double.isFinite(value)) {
      return Double.toString(value);
    }
    return new java.math.BigDecimal(value).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
  }

  private void checkFits(Trainable model, Dataset data) {
    ModelInfo info = model.info();
    if (data.inputSize() != info.inputSize()) {
      throw new IllegalArgumentException(data.name() + " set has " + data.inputSize() + " inputs per sample, "
          + info.name() + " takes " + info.inputSize());
    }
    boolean classes = info.labels() == ModelInfo.Labels.CLASSES;
    if (data.hasClasses() != classes) {
      throw new IllegalArgumentException(data.name() + " set has " + (data.hasClasses() ? "class labels" : "targets")
          + ", " + info.name() + " takes " + (classes ? "class labels" : "targets"));
    }
    if (classes && data.labelSize() > info.labelSize()) {
      throw new IllegalArgumentException(data.name() + " set has " + data.labelSize() + " classes, " + info.name()
          + " knows " + info.labelSize());
    }
    if (config.batchSize() > model.maxBatch()) {
      throw new IllegalArgumentException("batch size " + config.batchSize() + " is larger than " + info.name()
          + "'s buffers (" + model.maxBatch() + ")");
    }
  }

  /** A fresh permutation of {@code 0..n-1} for the epoch, a function of the seed and the epoch only. */
  static void shuffle(int[] order, long seed, int epoch) {
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
  }

  private static String firstNonFinite(ModelInfo info, float[][] parameters) {
    for (int k = 0; k < parameters.length; k++) {
      float[] values = parameters[k];
      for (int i = 0; i < values.length; i++) {
        if (!Float.isFinite(values[i])) {
          return "parameter " + info.parameters().get(k).name() + " holds " + values[i] + " at index " + i;
        }
      }
    }
    return null;
  }

  private static String firstNonFinite(Trainable model) {
    for (ModelInfo.Parameter parameter : model.info().parameters()) {
      double[] values = model.parameter(parameter.name());
      for (int i = 0; i < values.length; i++) {
        if (!Double.isFinite(values[i])) {
          return "parameter " + parameter.name() + " holds " + values[i] + " at index " + i;
        }
      }
    }
    return null;
  }
}
