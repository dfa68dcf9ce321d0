package dev.deepcompress.bench;

import dev.deepcompress.quantization.KMeans1D;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import smile.clustering.CentroidClustering;
import smile.clustering.KMeans;
import smile.math.MathEx;

/**
 * Clustering one pruned AlexNet-fc6-sized layer (3.4 M weights) into 32 centroids: ours (linear
 * seeds, run to convergence) against Smile's k-means. JMH reports time only; {@link
 * KMeansComparison} prints the distortion of both.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// Smile needs tens of seconds per run on this layer; few iterations keep a run within minutes.
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class KMeansBenchmark {
  static final int K = 32;
  static final long SEED = 1;

  private float[] weights;
  private double[][] points;

  @Setup
  public void generate() {
    weights = PrunedLayer.survivors(PrunedLayer.FC6_SURVIVORS, SEED);
    points = PrunedLayer.asPoints(weights);
  }

  @Benchmark
  public KMeans1D.Result deepcompressLinear() {
    return KMeans1D.fit(weights, K);
  }

  @Benchmark
  public CentroidClustering<double[], double[]> smile() {
    MathEx.setSeed(SEED);
    return KMeans.fit(points, K, KMeans1D.DEFAULT_MAX_ITERATIONS);
  }
}
