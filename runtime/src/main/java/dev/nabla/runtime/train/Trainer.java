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
import dev.nabla.runtime.report.MetricsCsv;
import dev.nabla.runtime.report.ReportWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
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

  /** Test samples per evaluation batch (fewer when the model's buffers are smaller). */
  public static final int EVALUATION_BATCH = 1000;

  /** Progress is reported at most this often (and at each epoch's end). */
  static final long PROGRESS_MILLIS = 200;

  static final BatchGather.Mode DEFAULT_GATHER = BatchGather.Mode.LANES;

  /**
   * The report's charts are redrawn at most this often during a run, and always when it ends; {@code metrics.csv}
   * after every epoch. Drawing is not what costs: the JIT is. The first charts make C2 compile Java2D's rasterizer
   * and the PNG encoder, and on 2 cores that compile takes a core from the next epochs' lanes (the lesson's network
   * at batch 64: epochs 2 to 4 at 140-180k samples/s with charts after every epoch, 280-340k without).
   */
  static final long CHART_INTERVAL_MILLIS = 60_000;

  private final TrainConfig config;
  private final BatchGather.Mode gather;
  private final AtomicBoolean stopRequested = new AtomicBoolean();

  public Trainer(TrainConfig config) {
    this(config, gatherMode());
  }

  Trainer(TrainConfig config, BatchGather.Mode gather) {
    this.config = config;
    this.gather = gather;
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
   * <p>The loop does per step only what costs O(1) besides the step itself: the minibatch is ready (see
   * {@link BatchGather}), the loss is checked, and progress is reported at most every 200 ms.
   * The parameters are scanned for NaN and infinity once per epoch, and at once when a loss is not finite.
   *
   * @throws DivergenceException when the loss or a parameter becomes NaN or infinite; the last good checkpoint stays
   * @throws CheckpointException when the checkpoint to resume from is unusable, or a checkpoint cannot be written
   * @throws java.io.UncheckedIOException when the report (asked for with {@link TrainConfig#withReport}) cannot be
   *     written
   */
  public TrainingResult train(Trainable model, Dataset train, Dataset test, EpochListener listener)
      throws DivergenceException, CheckpointException {
    checkFits(model, train);
    checkFits(model, test);
    if (config.report() && config.outDir() == null) {
      throw new IllegalArgumentException("a report needs an output directory: give one with withOutDir");
    }
    ProgressSink progress = config.progress();
    Optimizer optimizer = config.optimizer().create(model);
    Path checkpointPath = config.outDir() == null ? null : config.outDir().resolve(CheckpointFile.DEFAULT_NAME);

    int batchSize = config.batchSize();
    int epochs = config.epochs();
    int stepsPerEpoch = (train.size() + batchSize - 1) / batchSize;
    Position at = new Position(config.seed());
    List<EpochMetrics> history = new ArrayList<>();
    if (config.resumeFrom() != null) {
      resume(model, optimizer, at, history, train.size());
      if (at.epochsCompleted >= epochs) {
        progress.message(nothingToDo(config.resumeFrom(), at.epochsCompleted, epochs));
        return new TrainingResult(TrainingResult.Status.NOTHING_TO_DO, history, null, config.resumeFrom(),
            at.globalStep);
      }
    }

    Evaluator evaluator = new Evaluator(model, test, EVALUATION_BATCH);
    int[] order = new int[train.size()];
    Evaluation lastEvaluation = null;
    Path lastCheckpoint = config.resumeFrom();

    long trainNanosThisRun = 0;
    long samplesThisRun = 0;
    double firstLoss = Double.NaN;
    long samplesLeft = (long) Math.max(0, epochs - at.epochsCompleted) * train.size()
        - (long) at.stepInEpoch * batchSize;
    long nextCharts = System.nanoTime() + CHART_INTERVAL_MILLIS * 1_000_000L;
    try (BatchGather batches = BatchGather.create(gather, train, batchSize)) {
      for (int epoch = at.epochsCompleted; epoch < epochs; epoch++) {
        long epochStart = System.nanoTime();
        shuffle(order, at.seed, epoch);
        progress.epochStarted(epoch + 1, epochs, stepsPerEpoch, train.size());
        batches.startEpoch(order, at.stepInEpoch);
        long nextProgress = epochStart;
        long samplesThisEpoch = 0;
        double rate = config.learningRate();
        for (int step = at.stepInEpoch; step < stepsPerEpoch; step++) {
          if (stopRequested.get()) {
            return stop(model, optimizer, at, history, lastEvaluation, checkpointPath, lastCheckpoint);
          }
          Minibatch batch = batches.batch(step);
          int n = batch.size();
          rate = config.schedule().rate(config.learningRate(), epoch, step, stepsPerEpoch, epochs);
          // Dropout's masks of this step: a function of the run's seed and the step alone, so a resumed run draws the same.
          model.training(at.seed, at.globalStep);
          double loss = optimizer.step(model, batch, (float) rate);
          if (!Double.isFinite(loss)) {
            String bad = firstNonFinite(model);
            throw diverged(epoch, step, stepsPerEpoch, rate,
                "the minibatch loss is " + loss + (bad == null ? "" : " and " + bad), history, lastCheckpoint);
          }
          if (Double.isNaN(firstLoss)) {
            firstLoss = loss;
          } else if (loss > EXPLOSION_FACTOR * Math.max(firstLoss, 1)) {
            // Finite but exploded: with dead ReLUs a huge rate can leave the loss large and finite for ever.
            throw diverged(epoch, step, stepsPerEpoch, rate, String.format(Locale.ROOT,
                "the minibatch loss is %.4g, over %d times the run's first (%.4g)", loss, (int) EXPLOSION_FACTOR,
                firstLoss), history, lastCheckpoint);
          }
          at.stepInEpoch = step + 1;
          at.globalStep++;
          at.epochLossSum += loss * n;
          at.epochSamples += n;
          samplesThisEpoch += n;
          samplesLeft -= n;
          long now = System.nanoTime();
          if (now >= nextProgress || step + 1 == stepsPerEpoch) {
            nextProgress = now + PROGRESS_MILLIS * 1_000_000L;
            double perSecond = (samplesThisRun + samplesThisEpoch) / Math.max((trainNanosThisRun + now - epochStart) / 1e9, 1e-9);
            progress.stepDone(epoch + 1, epochs, step + 1, stepsPerEpoch, at.epochLossSum / at.epochSamples, perSecond,
                samplesLeft / perSecond);
          }
        }
        long trainNanos = System.nanoTime() - epochStart;
        trainNanosThisRun += trainNanos;
        samplesThisRun += samplesThisEpoch;

        String bad = firstNonFinite(model);
        if (bad != null) {
          throw diverged(epoch, stepsPerEpoch - 1, stepsPerEpoch, rate, bad, history, lastCheckpoint);
        }
        long evaluationStart = System.nanoTime();
        model.predicting();
        lastEvaluation = evaluator.evaluate(model, test);
        long evaluationNanos = System.nanoTime() - evaluationStart;
        if (!Double.isFinite(lastEvaluation.loss())) {
          throw diverged(epoch, stepsPerEpoch - 1, stepsPerEpoch, rate, "the test loss is " + lastEvaluation.loss(),
              history, lastCheckpoint);
        }
        EpochMetrics metrics = new EpochMetrics(epoch + 1, at.epochLossSum / Math.max(1, at.epochSamples),
            lastEvaluation.loss(), lastEvaluation.accuracy(), rate, (System.nanoTime() - epochStart) / 1e9,
            trainNanos / 1e9, evaluationNanos / 1e9, samplesThisEpoch / Math.max(trainNanos / 1e9, 1e-9));
        history.add(metrics);
        at.epochsCompleted = epoch + 1;
        at.stepInEpoch = 0;
        at.epochLossSum = 0;
        at.epochSamples = 0;
        if (checkpointPath != null) {
          CheckpointFile.save(checkpointPath, Checkpoint.of(model, at.toState(batchSize, optimizer, history)));
          lastCheckpoint = checkpointPath;
        }
        if (config.report()) {
          boolean charts = epoch + 1 == epochs || System.nanoTime() >= nextCharts;
          writeReport(history, charts ? lastEvaluation : null, test, charts);
          if (charts) {
            nextCharts = System.nanoTime() + CHART_INTERVAL_MILLIS * 1_000_000L;
          }
        }
        progress.epochFinished(epochs, metrics);
        listener.epochFinished(metrics, lastEvaluation);
      }
    } catch (DivergenceException e) {
      if (config.report() && !history.isEmpty()) {
        try {
          writeReport(history, lastEvaluation, test, true); // the charts of the epochs that were good
        } catch (UncheckedIOException chartsFailed) {
          e.addSuppressed(chartsFailed); // the divergence is the news
        }
      }
      throw e;
    } finally {
      model.predicting();
    }
    return new TrainingResult(TrainingResult.Status.COMPLETED, history, lastEvaluation, lastCheckpoint, at.globalStep);
  }

  /**
   * What a resumed run that has nothing left to do says: the checkpoint has done {@code done} epochs and the run asks
   * for {@code epochs} in all.
   */
  public static String nothingToDo(Path checkpoint, int done, int epochs) {
    return String.format(Locale.ROOT, "nothing to do: %s has finished %d epoch%s and this run asks for %d in all;"
        + " to train on, give more (e.g. --epochs %d)", checkpoint, done, done == 1 ? "" : "s", epochs, done + epochs);
  }

  /** How minibatches are gathered: {@code -Dnabla.gather=lanes|step|epoch|prefetch}, for measuring them against each other. */
  static BatchGather.Mode gatherMode() {
    String mode = System.getProperty("nabla.gather", DEFAULT_GATHER.name());
    try {
      return BatchGather.Mode.valueOf(mode.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return DEFAULT_GATHER;
    }
  }

  /**
   * The report after an epoch: {@code metrics.csv} of the whole history (the epochs of the run resumed from too) and,
   * when {@code charts} (see {@link #CHART_INTERVAL_MILLIS}), the charts. After a stop request only the CSV: the
   * request may come from a JVM that is shutting down (Ctrl-C), where drawing would start the AWT.
   */
  private void writeReport(List<EpochMetrics> history, Evaluation evaluation, Dataset test, boolean charts) {
    try {
      if (!charts || stopRequested.get()) {
        MetricsCsv.write(config.outDir().resolve(ReportWriter.METRICS_CSV), history);
        return;
      }
      ReportWriter.write(config.outDir(), history, evaluation, test.classNames());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report to " + config.outDir() + ": " + e.getMessage(), e);
    } catch (IllegalStateException shuttingDown) {
      if (!stopRequested.get()) {
        throw shuttingDown;
      }
    }
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

  private void resume(Trainable model, Optimizer optimizer, Position at, List<EpochMetrics> history, int trainSize)
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
    String change = scheduleChange(state, trainSize);
    if (change != null) {
      config.progress().message(change);
    }
  }

  /**
   * Whether this run's settings continue the checkpoint's learning-rate schedule: the rate they give the last step
   * of the last completed epoch is the rate that step had. The schedule is a function of the run's total epochs, so
   * with the same settings (and {@code --epochs}) a resumed run continues it exactly; a changed {@code --epochs},
   * {@code --lr} or {@code --schedule} re-plans it over the new run, and this says so, with the rate it goes on at.
   * Returns {@code null} when the schedule continues.
   */
  private String scheduleChange(TrainingState state, int trainSize) {
    if (state.history().isEmpty() || state.epochsCompleted() >= config.epochs()) {
      return null;
    }
    EpochMetrics last = state.history().get(state.history().size() - 1);
    int stepsThen = (trainSize + state.batchSize() - 1) / state.batchSize();
    double now = config.schedule().rate(config.learningRate(), last.epoch() - 1, stepsThen - 1, stepsThen, config.epochs());
    if (Math.abs(now - last.learningRate()) <= 1e-9 * Math.abs(last.learningRate())) {
      return null;
    }
    int steps = (trainSize + config.batchSize() - 1) / config.batchSize();
    double next = config.schedule().rate(config.learningRate(), state.epochsCompleted(), state.stepInEpoch(), steps,
        config.epochs());
    return String.format(Locale.ROOT, "the learning rate is re-planned: epoch %d ended at lr %s, where this run's"
        + " settings (lr %s, %s over %d epochs) have %s; training goes on at lr %s", last.epoch(),
        number(last.learningRate()), number(config.learningRate()), config.schedule().describe(), config.epochs(),
        number(now), number(next));
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
  public static void shuffle(int[] order, long seed, int epoch) {
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

  /** The first NaN or infinity among the parameters, named, or {@code null}: a scan of every value. */
  private static String firstNonFinite(Trainable model) {
    if (model instanceof FloatTrainable floats) {
      float[][] parameters = floats.parameterArrays();
      for (int k = 0; k < parameters.length; k++) {
        float[] values = parameters[k];
        for (int i = 0; i < values.length; i++) {
          if (!Float.isFinite(values[i])) {
            return "parameter " + model.info().parameters().get(k).name() + " holds " + values[i] + " at index " + i;
          }
        }
      }
      return null;
    }
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
