package dev.nabla.runtime.lanes;

import java.lang.ref.WeakReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads a model splits a batch over: lane 0 is the calling thread, lanes 1 to {@code threads − 1}
 * daemon threads started at their first job. A job is handed over by a volatile counter, so that nothing is
 * allocated per batch. Both sides wait as {@link #pause} says: a few microseconds spinning (a warmed-up step's
 * handoffs take less), then giving the core away with {@code Thread.yield()}, then parking. A lane that is late
 * because it is still interpreted while the JIT compiles, or because another process holds its core, is waited
 * for without taking the core that the JIT's thread or the late lane needs: spinning alone made the lesson's
 * network's first epochs 15–25 times slower than its steady ones.
 *
 * <p>A lane's thread holds its {@code Lanes} only weakly and no job after it is done: once the model (and
 * with it this object) is unreachable, each thread ends within {@link #IDLE_PARK_NANOS} of its last wait.
 * A job that throws in any lane is rethrown to the caller of {@link #run}, after every lane has finished.
 */
public final class Lanes {
  /** The most threads a model takes. */
  public static final int MAX_THREADS = 64;
  /** How long a waiting side spins, in nanoseconds: longer than a warmed-up step's handoffs wait. */
  static final long SPIN_NANOS = 20_000L;
  /** How long it then yields its core between looks, before it parks. */
  static final long YIELD_NANOS = 500_000L;
  /** Spins between two reads of the clock. */
  private static final int SPINS_PER_LOOK = 64;
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

  /**
   * One pause of a side waiting for the other: whether it is time to park. It spins for {@link #SPIN_NANOS}
   * ({@code start} is when the clock was first read, after {@link #SPINS_PER_LOOK} spins), then yields its core
   * for up to {@link #YIELD_NANOS} more, to whichever thread the core's scheduler has waiting (the late lane, the
   * JIT), and then parks. The clock is read every {@code SPINS_PER_LOOK} spins only.
   */
  static boolean pause(int spins, long start) {
    if (spins <= SPINS_PER_LOOK || spins % SPINS_PER_LOOK != 0) {
      Thread.onSpinWait();
      return false;
    }
    long waited = System.nanoTime() - start;
    if (waited < SPIN_NANOS) {
      Thread.onSpinWait();
      return false;
    }
    if (waited < SPIN_NANOS + YIELD_NANOS) {
      Thread.yield();
      return false;
    }
    return true;
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
      long start = 0;
      for (int spins = 0; completed != seen; spins++) {
        if (spins == SPINS_PER_LOOK) {
          start = System.nanoTime();
        }
        if (pause(spins, start)) {
          // The lane unparks its waiter when it is done: a permit left over only makes one look more.
          LockSupport.park(this);
        }
      }
      return failure;
    }

    @Override
    public void run() {
      int seen = 0;
      while (true) {
        long start = 0;
        for (int spins = 0; requested == seen; spins++) {
          if (spins == SPINS_PER_LOOK) {
            start = System.nanoTime();
          }
          if (pause(spins, start)) {
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
