package dev.nabla.runtime.lanes;

import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
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
 * <p>A lane is a part of the job, not a thread: each thread first takes the lane of its own number and then any lane
 * no thread has taken yet, so a thread that is late to wake (its core taken by the JIT's compiler, the report, another
 * process) leaves its lane to one that is done with its own, instead of holding up the step. What a lane computes does
 * not depend on the thread that runs it (its state is the lane's own), so results are the same, bit for bit, whichever
 * thread took which lane.
 *
 * <p>A lane's thread holds its {@code Lanes} only weakly, and strongly only while it takes part in a job: once the
 * model (and with it this object) is unreachable, each thread ends within {@link #IDLE_PARK_NANOS} of its last wait.
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
  /** The job now running: its number times {@link #JOB} plus its lane count (a volatile pair, read in one go). */
  private volatile long current;
  /** The number of the last job whose lane {@code t} a thread has taken. */
  private final AtomicLongArray taken;
  /** Lanes of the current job that have finished. */
  private final AtomicInteger finished = new AtomicInteger();
  /** The current job's task and waiting caller: written before {@link #current} names the job, read after. */
  private Task task;
  private Thread caller;
  /** Each lane's failure in the current job, or null. */
  private final Throwable[] failures;
  /** Job numbers step by this in {@link #current}, whose low bits hold the job's lane count. */
  private static final long JOB = 128;

  /**
   * Lanes for {@code threads} threads (1: the calling thread only), named {@code nabla-<name>-1} and so on.
   */
  public Lanes(String name, int threads) {
    if (threads < 1 || threads > MAX_THREADS) {
      throw new IllegalArgumentException("threads must be between 1 and " + MAX_THREADS + ", not " + threads);
    }
    this.name = name;
    this.workers = new Worker[threads];
    this.taken = new AtomicLongArray(threads);
    this.failures = new Throwable[threads];
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
    long job = current / JOB + 1;
    this.task = task;
    this.caller = Thread.currentThread();
    finished.set(0);
    taken.set(0, job);
    current = job * JOB + count;
    for (int t = 1; t < count; t++) {
      workers[t].submit(job);
    }
    runLane(0, count);
    takeLanes(job, count, 1);
    long start = 0;
    for (int spins = 0; finished.get() < count; spins++) {
      if (spins == SPINS_PER_LOOK) {
        start = System.nanoTime();
      }
      if (pause(spins, start)) {
        // The thread that finishes the last lane unparks the caller: a permit left over only makes one look more.
        LockSupport.park(this);
      }
    }
    this.task = null;
    for (int t = 0; t < count; t++) {
      Throwable thrown = failures[t];
      if (thrown != null) {
        Arrays.fill(failures, 0, count, null);
        throw rethrown(thrown, t);
      }
    }
  }

  /**
   * Runs the lanes of job {@code job} that no thread has taken yet, from lane {@code first} on (and round), until none
   * is left; nothing if the job is over. A lane is taken by moving its number in {@link #taken} to the job's: only one
   * thread can, and not once the job is over (every lane of a job is taken before it ends).
   */
  private void takeLanes(long job, int count, int first) {
    for (int i = 0; i < count; i++) {
      int t = (first + i) % count;
      long last = taken.get(t);
      if (last < job && current == job * JOB + count && taken.compareAndSet(t, last, job)) {
        runLane(t, count);
      }
    }
  }

  /** Runs lane {@code t} of the current job of {@code count} lanes; the thread that finishes its last lane wakes the caller. */
  private void runLane(int t, int count) {
    try {
      task.run(t);
    } catch (Throwable thrown) {
      failures[t] = thrown;
    }
    if (finished.incrementAndGet() == count) {
      LockSupport.unpark(caller);
    }
  }

  /**
   * The part of job {@code job} that a worker woken for it takes: its own lane first, then any other not yet taken.
   * Static, so that no frame of the worker's loop keeps its {@code Lanes} reachable once this returns.
   */
  private static void work(WeakReference<Lanes> owner, long job, int lane) {
    Lanes lanes = owner.get();
    if (lanes != null) {
      long now = lanes.current;
      if (now / JOB == job) {
        lanes.takeLanes(job, (int) (now % JOB), lane);
      }
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

  /** One lane's thread and its wake-up; it refers to its {@code Lanes} only weakly. */
  private static final class Worker implements Runnable {
    private final WeakReference<Lanes> owner;
    private final String threadName;
    private final int lane;
    private Thread thread;
    private volatile long requested;
    private volatile boolean sleeping;

    Worker(WeakReference<Lanes> owner, String threadName, int lane) {
      this.owner = owner;
      this.threadName = threadName;
      this.lane = lane;
    }

    void submit(long job) {
      if (thread == null) {
        thread = new Thread(this, threadName);
        thread.setDaemon(true);
        thread.start();
      }
      requested = job;
      if (sleeping) {
        LockSupport.unpark(thread);
      }
    }

    @Override
    public void run() {
      long seen = 0;
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
        work(owner, seen, lane);
      }
    }
  }
}
