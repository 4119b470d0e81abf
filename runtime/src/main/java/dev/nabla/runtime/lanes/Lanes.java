package dev.nabla.runtime.lanes;

import java.lang.ref.WeakReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads a model splits a batch over: lane 0 is the calling thread, lanes 1 to {@code threads − 1}
 * daemon threads started at their first job. A job is handed over by a volatile counter, with spinning
 * and then {@code LockSupport} parking on both sides, so that nothing is allocated per batch.
 *
 * <p>A lane's thread holds its {@code Lanes} only weakly and no job after it is done: once the model (and
 * with it this object) is unreachable, each thread ends within {@link #IDLE_PARK_NANOS} of its last wait.
 * A job that throws in any lane is rethrown to the caller of {@link #run}, after every lane has finished.
 */
public final class Lanes {
  /** The most threads a model takes. */
  public static final int MAX_THREADS = 64;
  /** Waits spun before a lane's thread parks between jobs. */
  static final int IDLE_SPINS = 1 << 14;
  /** Waits spun before the calling thread parks until a lane is done. */
  static final int WAIT_SPINS = 1 << 16;
  /** How long an idle lane's thread parks before it looks whether its model is still reachable. */
  static final long IDLE_PARK_NANOS = 100_000_000L;

  /** Work for one lane of a batch. */
  @FunctionalInterface
  public interface Task {
    /** Does lane {@code lane}'s part of the job. */
    void run(int lane);
  }

  private final String name;
  private final Worker[] workers;

  /**
   * Lanes for {@code threads} threads (1: the calling thread only), named {@code nabla-<name>-1} and so on.
   */
  public Lanes(String name, int threads) {
    if (threads < 1 || threads > MAX_THREADS) {
      throw new IllegalArgumentException("threads must be between 1 and " + MAX_THREADS + ", not " + threads);
    }
    this.name = name;
    this.workers = new Worker[threads];
    WeakReference<Lanes> self = new WeakReference<>(this);
    for (int t = 1; t < threads; t++) {
      workers[t] = new Worker(self, "nabla-" + name + "-" + t, t);
    }
  }

  /** The lanes there are, the calling thread's included. */
  public int threads() {
    return workers.length;
  }

  /** The number of threads a model takes by default: the system property {@code nabla.threads}, else {@code min(2, processors)}. */
  public static int defaultThreads() {
    int threads = Math.min(2, Runtime.getRuntime().availableProcessors());
    return Math.max(1, Math.min(MAX_THREADS, Integer.getInteger("nabla.threads", threads)));
  }

  /** Where lane {@code t} of {@code count} starts in a batch of {@code n}: at a multiple of 8 (the end for {@code t == count}). */
  public static int split(int n, int count, int t) {
    return t == count ? n : (int) ((long) n * t / count) & ~7;
  }

  /**
   * Runs {@code task} for lanes {@code 0 .. count − 1} at once, lane 0 on the calling thread, and returns
   * when all are done. If lanes threw, the failure of the lowest such lane is rethrown (an unchecked one as
   * it is, with the lane noted as suppressed; a checked one wrapped).
   */
  public void run(int count, Task task) {
    if (count < 1 || count > workers.length) {
      throw new IllegalArgumentException("a job for " + count + " lanes; there are " + workers.length);
    }
    Thread caller = Thread.currentThread();
    for (int t = 1; t < count; t++) {
      workers[t].submit(task, caller);
    }
    Throwable failure = null;
    int failedLane = 0;
    try {
      task.run(0);
    } catch (Throwable thrown) {
      failure = thrown;
    }
    for (int t = 1; t < count; t++) {
      Throwable thrown = workers[t].await();
      if (thrown != null && failure == null) {
        failure = thrown;
        failedLane = t;
      }
    }
    if (failure != null) {
      throw rethrown(failure, failedLane);
    }
  }

  private RuntimeException rethrown(Throwable failure, int lane) {
    if (lane > 0) {
      failure.addSuppressed(new LaneNote("thrown in lane " + lane + " of " + name));
    }
    if (failure instanceof RuntimeException unchecked) {
      return unchecked;
    }
    if (failure instanceof Error error) {
      throw error;
    }
    return new IllegalStateException("lane " + lane + " of " + name + " failed", failure);
  }

  /** Where a failure rethrown by {@link #run} happened. */
  static final class LaneNote extends RuntimeException {
    LaneNote(String message) {
      super(message, null, false, false);
    }
  }

  /** One lane's thread and its handoff; it refers to its {@code Lanes} only weakly. */
  private static final class Worker implements Runnable {
    private final WeakReference<Lanes> owner;
    private final String threadName;
    private final int lane;
    private Thread thread;
    private volatile int requested;
    private volatile int completed;
    private volatile boolean sleeping;
    /** The job and who waits for it: written before {@code requested} is raised, read after it is seen. */
    private Task task;
    private Thread waiter;
    private Throwable failure;

    Worker(WeakReference<Lanes> owner, String threadName, int lane) {
      this.owner = owner;
      this.threadName = threadName;
      this.lane = lane;
    }

    void submit(Task job, Thread caller) {
      task = job;
      waiter = caller;
      failure = null;
      if (thread == null) {
        thread = new Thread(this, threadName);
        thread.setDaemon(true);
        thread.start();
      }
      requested = requested + 1;
      if (sleeping) {
        LockSupport.unpark(thread);
      }
    }

    /** Waits until the lane has done its job; its failure, if it threw. */
    Throwable await() {
      int seen = requested;
      int spins = 0;
      while (completed != seen) {
        if (spins < WAIT_SPINS) {
          spins++;
          Thread.onSpinWait();
        } else {
          LockSupport.park(this);
        }
      }
      return failure;
    }

    @Override
    public void run() {
      int seen = 0;
      while (true) {
        int spins = 0;
        while (requested == seen) {
          if (spins < IDLE_SPINS) {
            spins++;
            Thread.onSpinWait();
          } else {
            sleeping = true;
            if (requested == seen) {
              LockSupport.parkNanos(this, IDLE_PARK_NANOS);
            }
            sleeping = false;
            if (requested == seen && owner.get() == null) {
              return;
            }
          }
        }
        seen = requested;
        Task job = task;
        task = null;
        try {
          job.run(lane);
        } catch (Throwable thrown) {
          failure = thrown;
        }
        Thread wake = waiter;
        waiter = null;
        completed = seen;
        LockSupport.unpark(wake);
      }
    }
  }
}
