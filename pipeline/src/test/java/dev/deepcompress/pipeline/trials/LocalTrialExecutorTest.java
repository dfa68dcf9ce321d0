package dev.deepcompress.pipeline.trials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LocalTrialExecutorTest {

  /** Squares its number after a pause that makes later trials finish first. */
  record Square(int n) implements Trial<Integer, Integer> {
    @Override
    public Integer run(Integer offset) {
      try {
        Thread.sleep(5L * (8 - n % 8));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return n * n + offset;
    }

    @Override
    public String describe() {
      return "square " + n;
    }
  }

  record Failing(int n) implements Trial<Integer, Integer> {
    @Override
    public Integer run(Integer offset) {
      if (n == 3) {
        throw new IllegalStateException("trial 3 fails");
      }
      return n;
    }

    @Override
    public String describe() {
      return "failing " + n;
    }
  }

  @Test
  void resultsComeInTheOrderOfTheTrialsAndEveryOneIsReported() {
    List<Square> trials = new ArrayList<>();
    for (int n = 0; n < 16; n++) {
      trials.add(new Square(n));
    }
    List<Integer> reportedDone = new ArrayList<>();
    ConcurrentHashMap<String, Object> reported = new ConcurrentHashMap<>();
    AtomicInteger started = new AtomicInteger();
    TrialListener listener =
        new TrialListener() {
          @Override
          public void started(int total) {
            started.set(total);
          }

          @Override
          public synchronized void finished(
              Trial<?, ?> trial, Object result, int done, int total, double seconds) {
            reportedDone.add(done);
            reported.put(trial.describe(), result);
            assertEquals(16, total);
          }
        };
    List<Integer> results;
    try (LocalTrialExecutor executor = new LocalTrialExecutor(4)) {
      results = executor.runAll(100, trials, listener);
    }
    for (int n = 0; n < 16; n++) {
      assertEquals(n * n + 100, results.get(n));
      assertEquals(n * n + 100, reported.get("square " + n));
    }
    assertEquals(16, started.get());
    assertEquals(16, reportedDone.size());
    assertTrue(reportedDone.containsAll(List.of(1, 8, 16)));
  }

  @Test
  void aFailingTrialFailsTheBatchWithItsOwnException() {
    List<Failing> trials = List.of(new Failing(1), new Failing(2), new Failing(3));
    try (LocalTrialExecutor executor = new LocalTrialExecutor(2)) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class, () -> executor.runAll(0, trials, TrialListener.SILENT));
      assertEquals("trial 3 fails", e.getMessage());
    }
  }

  @Test
  void needsAThread() {
    assertThrows(IllegalArgumentException.class, () -> new LocalTrialExecutor(0));
  }
}
