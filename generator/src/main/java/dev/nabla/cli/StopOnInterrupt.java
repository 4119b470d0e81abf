package dev.nabla.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C (SIGINT, and SIGTERM) asks a long command to stop cleanly instead of killing it: a
 * shutdown hook runs the command's stop action, then holds the JVM open until the command has
 * finished and printed (as {@link Nabla#main} signals), so that a checkpoint is saved and the user
 * is told where.
 */
final class StopOnInterrupt {
  /** Longer than any minibatch and checkpoint write; past it the JVM exits anyway. */
  private static final long GRACE_SECONDS = 120;

  private static final CountDownLatch commandFinished = new CountDownLatch(1);
  private static final AtomicBoolean interrupted = new AtomicBoolean();

  private final Thread hook;

  private StopOnInterrupt(Runnable stop) {
    this.hook = new Thread(() -> {
      interrupted.set(true);
      stop.run();
      try {
        commandFinished.await(GRACE_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "nabla-interrupt");
  }

  /** Runs {@code stop} on Ctrl-C until {@link #close()}. */
  static StopOnInterrupt install(Runnable stop) {
    StopOnInterrupt handler = new StopOnInterrupt(stop);
    Runtime.getRuntime().addShutdownHook(handler.hook);
    return handler;
  }

  /** Whether Ctrl-C was pressed: the JVM is then shutting down, and some work (drawing charts) must be skipped. */
  static boolean interrupted() {
    return interrupted.get();
  }

  /** Called once the command has finished and printed everything: the JVM may then exit. */
  static void commandFinished() {
    commandFinished.countDown();
  }

  void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running and waits for commandFinished()
    }
  }
}
