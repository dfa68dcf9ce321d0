package dev.deepcompress.bench;

import dev.deepcompress.quantization.KMeans1D;
import java.util.function.Supplier;
import smile.clustering.CentroidClustering;
import smile.clustering.KMeans;
import smile.math.MathEx;

/**
 * Time and distortion of our k-means and Smile's on the benchmark's layer, side by side in one
 * process: warm-up runs (ours on the full layer, Smile's, which is far slower, on a tenth of it),
 * then one measured run each.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -Xmx4g -cp bench/target/benchmarks.jar
 * dev.deepcompress.bench.KMeansComparison}
 */
public final class KMeansComparison {
  private KMeansComparison() {}

  private record Run(String name, double millis, double distortion, String note) {}

  public static void main(String[] args) {
    int k = KMeansBenchmark.K;
    float[] weights = PrunedLayer.survivors(PrunedLayer.FC6_SURVIVORS, KMeansBenchmark.SEED);
    double[][] warmupPoints =
        PrunedLayer.asPoints(PrunedLayer.survivors(PrunedLayer.FC6_SURVIVORS / 10, 2));
    double[][] points = PrunedLayer.asPoints(weights);
    System.out.printf(
        "%,d pruned-layer weights, k = %d, %s %s%n",
        weights.length, k, System.getProperty("java.vm.name"), System.getProperty("java.version"));

    for (KMeans1D.Init init :
        new KMeans1D.Init[] {KMeans1D.Init.LINEAR, KMeans1D.Init.KMEANS_PLUS_PLUS}) {
      fitOurs(weights, k, init);
    }
    fitSmile(warmupPoints, k);

    Run[] runs = {
      ours(weights, k, KMeans1D.Init.LINEAR),
      ours(weights, k, KMeans1D.Init.KMEANS_PLUS_PLUS),
      smile(weights, points, k)
    };
    System.out.printf("%-36s %10s %14s  %s%n", "", "time (ms)", "distortion", "");
    for (Run run : runs) {
      System.out.printf(
          "%-36s %10.0f %14.6e  %s%n", run.name, run.millis, run.distortion, run.note);
    }
    System.out.printf(
        "Smile's time / ours (linear): %.1f×; our distortion / Smile's: %.4f (linear), %.4f"
            + " (k-means++)%n",
        runs[2].millis / runs[0].millis,
        runs[0].distortion / runs[2].distortion,
        runs[1].distortion / runs[2].distortion);
  }

  private static KMeans1D.Result fitOurs(float[] weights, int k, KMeans1D.Init init) {
    return KMeans1D.fit(weights, k, init, KMeansBenchmark.SEED, KMeans1D.DEFAULT_MAX_ITERATIONS);
  }

  private static CentroidClustering<double[], double[]> fitSmile(double[][] points, int k) {
    MathEx.setSeed(KMeansBenchmark.SEED);
    return KMeans.fit(points, k, KMeans1D.DEFAULT_MAX_ITERATIONS);
  }

  private static Run ours(float[] weights, int k, KMeans1D.Init init) {
    Timed<KMeans1D.Result> timed = time(() -> fitOurs(weights, k, init));
    KMeans1D.Result r = timed.value;
    return new Run(
        "deepcompress KMeans1D " + init.name().toLowerCase(),
        timed.millis,
        r.distortion(),
        r.iterations() + " iterations" + (r.converged() ? ", converged" : ", not converged"));
  }

  private static Run smile(float[] weights, double[][] points, int k) {
    Timed<CentroidClustering<double[], double[]>> timed = time(() -> fitSmile(points, k));
    CentroidClustering<double[], double[]> model = timed.value;
    // Measured here the same way as ours, not taken from Smile's own report.
    double distortion = 0;
    for (int i = 0; i < weights.length; i++) {
      double d = weights[i] - model.center(model.group(i))[0];
      distortion += d * d;
    }
    return new Run("smile KMeans (k-means++)", timed.millis, distortion, "");
  }

  private record Timed<T>(T value, double millis) {}

  private static <T> Timed<T> time(Supplier<T> work) {
    long start = System.nanoTime();
    T value = work.get();
    return new Timed<>(value, (System.nanoTime() - start) / 1e6);
  }
}
