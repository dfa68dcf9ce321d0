package dev.deepcompress.bench;

import java.util.function.DoubleSupplier;

/**
 * {@link BatchAssemblyBenchmark}'s two epoch loops, the hard-coded division and the recorded
 * preprocessing, alternated round by round in one process, so that a shared, noisy host slows both
 * alike: prints each one's median epoch time and the median of the per-round ratios.
 *
 * <p>Run: {@code java -Xms3g -Xmx3g -cp bench/target/benchmarks.jar
 * dev.deepcompress.bench.BatchAssemblyComparison [ROUNDS]}
 */
public final class BatchAssemblyComparison {
  private BatchAssemblyComparison() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    BatchAssemblyBenchmark state = new BatchAssemblyBenchmark();
    state.preprocessing = "PIXELS_OVER_256";
    state.generate();
    double[] division = new double[rounds];
    double[] recorded = new double[rounds];
    double[] ratios = new double[rounds];
    for (int warmup = 0; warmup < 5; warmup++) {
      millis(state::hardCodedDivision);
      millis(state::recordedPreprocessing);
    }
    for (int r = 0; r < rounds; r++) {
      // Alternate which goes first, so neither always follows the other's garbage.
      if (r % 2 == 0) {
        division[r] = millis(state::hardCodedDivision);
        recorded[r] = millis(state::recordedPreprocessing);
      } else {
        recorded[r] = millis(state::recordedPreprocessing);
        division[r] = millis(state::hardCodedDivision);
      }
      ratios[r] = recorded[r] / division[r];
    }
    System.out.printf(
        "one epoch of MNIST-sized batches, %d rounds: hard-coded / 256 median %.1f ms,"
            + " recorded preprocessing median %.1f ms, per-round ratio recorded ÷ hard-coded:"
            + " median %.3f (quartiles %.3f–%.3f)%n",
        rounds,
        Quantiles.median(division),
        Quantiles.median(recorded),
        Quantiles.median(ratios),
        Quantiles.quantile(ratios, 0.25),
        Quantiles.quantile(ratios, 0.75));
  }

  private static double millis(DoubleSupplier epoch) {
    long start = System.nanoTime();
    double sink = epoch.getAsDouble();
    long elapsed = System.nanoTime() - start;
    if (sink == Double.MIN_VALUE) {
      System.out.println(sink);
    }
    return elapsed / 1e6;
  }
}
