package dev.nabla.runtime.train;

import dev.nabla.runtime.data.Dataset;
import dev.nabla.runtime.data.Minibatch;
import java.util.concurrent.locks.LockSupport;

/**
 * Where the trainer's minibatches come from: the shuffled samples of an epoch copied into the contiguous layout the
 * train step takes. Four ways, compared by {@code E2E_GATHER=lanes,step,epoch,prefetch bench/run-e2e}:
 *
 * <ul>
 *   <li>{@code lanes} (the default): one buffer; each step's samples are {@linkplain Minibatch#select selected} and
 *       each of the model's lanes copies its own right before its pass ({@link dev.nabla.runtime.BatchRows}), on
 *       every core at once and into the cache the pass then reads; a model that does not split its batches copies
 *       them on the calling thread, as {@code step} does. A model whose inputs enter only its products (a generated
 *       float class of dense layers) copies none: its passes read the inputs where they lie in the data set, through
 *       the step's rows, and the lanes copy the labels alone;
 *   <li>{@code step}: one buffer, filled before each step, on the critical path while the model's lanes wait (an
 *       epoch of Fashion-MNIST is about 40 ms of copying on one core, a third of the lesson's network's epoch);
 *   <li>{@code epoch}: the whole epoch copied at its start by two threads, when nothing else runs, into one buffer per
 *       step; it costs a second copy of the training inputs, so when the heap has not room for it with a margin the
 *       trainer gathers per step instead;
 *   <li>{@code prefetch}: the next batch filled by a thread of its own while the step runs; on two cores that thread
 *       takes its time from a lane, which the other lane then waits for.
 * </ul>
 */
abstract class BatchGather implements AutoCloseable {

  enum Mode { LANES, STEP, EPOCH, PREFETCH }

  final Dataset data;
  final int batchSize;
  final int steps;
  int[] order;

  BatchGather(Dataset data, int batchSize) {
    this.data = data;
    this.batchSize = batchSize;
    this.steps = (data.size() + batchSize - 1) / batchSize;
  }

  static BatchGather create(Mode mode, Dataset data, int batchSize) {
    if (mode == Mode.EPOCH && !roomForACopy(data)) {
      mode = Mode.STEP;
    }
    return switch (mode) {
      case LANES -> new ByLanes(data, batchSize);
      case STEP -> new PerStep(data, batchSize);
      case EPOCH -> new PerEpoch(data, batchSize);
      case PREFETCH -> new Prefetch(data, batchSize);
    };
  }

  /** Whether the heap holds another copy of the inputs and labels with as much again to spare. */
  static boolean roomForACopy(Dataset data) {
    Runtime runtime = Runtime.getRuntime();
    long free = runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
    long copy = 4L * data.x().length + 4L * (data.hasClasses() ? data.labels().length : data.targets().length);
    return 2 * copy < free;
  }

  /** The epoch's order is {@code order}; its steps from {@code firstStep} on will be asked for. */
  void startEpoch(int[] order, int firstStep) {
    this.order = order;
  }

  /** The minibatch of step {@code step}, asked for in order from the epoch's first step. */
  abstract Minibatch batch(int step);

  int from(int step) {
    return step * batchSize;
  }

  int count(int step) {
    return Math.min(batchSize, data.size() - step * batchSize);
  }

  @Override
  public void close() {}

  /** One buffer, its samples selected before its step and copied by the model's lanes. */
  static final class ByLanes extends BatchGather {
    private final Minibatch buffer;

    ByLanes(Dataset data, int batchSize) {
      super(data, batchSize);
      buffer = Minibatch.forData(data, batchSize);
    }

    @Override
    Minibatch batch(int step) {
      buffer.select(data, order, from(step), count(step));
      return buffer;
    }
  }

  /** One buffer, filled right before its step. */
  static final class PerStep extends BatchGather {
    private final Minibatch buffer;

    PerStep(Dataset data, int batchSize) {
      super(data, batchSize);
      buffer = Minibatch.forData(data, batchSize);
    }

    @Override
    Minibatch batch(int step) {
      buffer.fill(data, order, from(step), count(step));
      return buffer;
    }
  }

  /** The whole epoch copied at its start, the second half by a helper thread, into one buffer per step. */
  static final class PerEpoch extends BatchGather {
    private final Minibatch[] batches;

    PerEpoch(Dataset data, int batchSize) {
      super(data, batchSize);
      batches = new Minibatch[steps];
      for (int s = 0; s < steps; s++) {
        batches[s] = Minibatch.forData(data, count(s));
      }
    }

    @Override
    void startEpoch(int[] order, int firstStep) {
      super.startEpoch(order, firstStep);
      int middle = firstStep + (steps - firstStep) / 2;
      Thread helper = new Thread(() -> fill(middle, steps), "nabla-gather");
      helper.start();
      fill(firstStep, middle);
      try {
        helper.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fill(middle, steps);
      }
    }

    private void fill(int fromStep, int toStep) {
      for (int s = fromStep; s < toStep; s++) {
        batches[s].fill(data, order, from(s), count(s));
      }
    }

    @Override
    Minibatch batch(int step) {
      return batches[step];
    }
  }

  /** Two buffers: while a step trains on one, a thread of its own fills the other with the next batch. */
  static final class Prefetch extends BatchGather {
    private final Minibatch[] buffers;
    private final Thread worker;
    private volatile int requested;
    private volatile int done;
    private volatile boolean closed;
    private int requestStep;
    private Minibatch requestBuffer;
    private int nextStep = -1;

    Prefetch(Dataset data, int batchSize) {
      super(data, batchSize);
      buffers = new Minibatch[] {Minibatch.forData(data, batchSize), Minibatch.forData(data, batchSize)};
      worker = new Thread(this::serve, "nabla-gather");
      worker.setDaemon(true);
      worker.start();
    }

    @Override
    void startEpoch(int[] order, int firstStep) {
      super.startEpoch(order, firstStep);
      request(firstStep);
    }

    @Override
    Minibatch batch(int step) {
      if (step != nextStep) {
        request(step);
      }
      while (done != requested) {
        Thread.onSpinWait();
      }
      Minibatch ready = requestBuffer;
      if (step + 1 < steps) {
        request(step + 1);
      }
      return ready;
    }

    private void request(int step) {
      while (done != requested) {
        Thread.onSpinWait();
      }
      requestStep = step;
      requestBuffer = requestBuffer == buffers[0] ? buffers[1] : buffers[0];
      nextStep = step;
      requested = requested + 1;
      LockSupport.unpark(worker);
    }

    private void serve() {
      int seen = 0;
      while (!closed) {
        if (requested == seen) {
          LockSupport.park(this);
          continue;
        }
        seen = requested;
        requestBuffer.fill(data, order, from(requestStep), count(requestStep));
        done = seen;
      }
    }

    @Override
    public void close() {
      closed = true;
      LockSupport.unpark(worker);
    }
  }
}
