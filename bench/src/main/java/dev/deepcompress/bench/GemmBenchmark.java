package dev.deepcompress.bench;

import dev.deepcompress.runtime.kernels.Gemm;
import dev.deepcompress.runtime.kernels.KernelThreads;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Gemm#sgemm} at the shapes LeNet-5 training produces at batch 64, and at square sizes.
 *
 * <p>Shape names are {@code layer.pass}: {@code fwd} is the forward GEMM, {@code dW} the weight
 * gradient and {@code dX} the input gradient, with the transposes the layers use (convolutions
 * multiply [O, C·k·k] weights by the [C·k·k, 64·P] column matrix; fully connected layers compute
 * X·Wᵀ). Besides calls per second, the {@code gflops} line is 2·m·n·k per call over the measured
 * time, in GFLOP/s.
 *
 * <p>Example: {@code java -jar bench/target/benchmarks.jar GemmBenchmark -p shape=conv1.dW -p
 * threads=1,2}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBenchmark {
  @Param({
    "conv1.fwd",
    "conv1.dW",
    "conv2.fwd",
    "conv2.dW",
    "conv2.dX",
    "ip1.fwd",
    "ip1.dW",
    "ip1.dX",
    "ip2.fwd",
    "ip2.dW",
    "ip2.dX",
    "square256",
    "square512",
    "square1024"
  })
  public String shape;

  @Param({"1", "2"})
  public int threads;

  private boolean transA;
  private boolean transB;
  private int m;
  private int n;
  private int k;
  private float[] a;
  private float[] b;
  private float[] c;

  @Setup
  public void prepare() {
    // {transA, transB, m, n, k}; conv1: 1→20 channels 5×5 on 28×28 (576 pixels per image), conv2:
    // 20→50 channels 5×5 on 12×12 (64 pixels), ip1: 800→500, ip2: 500→10.
    int[] s =
        switch (shape) {
          case "conv1.fwd" -> new int[] {0, 0, 20, 64 * 576, 25};
          case "conv1.dW" -> new int[] {0, 1, 20, 25, 64 * 576};
          case "conv2.fwd" -> new int[] {0, 0, 50, 64 * 64, 500};
          case "conv2.dW" -> new int[] {0, 1, 50, 500, 64 * 64};
          case "conv2.dX" -> new int[] {1, 0, 500, 64 * 64, 50};
          case "ip1.fwd" -> new int[] {0, 1, 64, 500, 800};
          case "ip1.dW" -> new int[] {1, 0, 500, 800, 64};
          case "ip1.dX" -> new int[] {0, 0, 64, 800, 500};
          case "ip2.fwd" -> new int[] {0, 1, 64, 10, 500};
          case "ip2.dW" -> new int[] {1, 0, 10, 500, 64};
          case "ip2.dX" -> new int[] {0, 0, 64, 500, 10};
          case "square256" -> new int[] {0, 0, 256, 256, 256};
          case "square512" -> new int[] {0, 0, 512, 512, 512};
          case "square1024" -> new int[] {0, 0, 1024, 1024, 1024};
          default -> throw new IllegalArgumentException("unknown shape " + shape);
        };
    transA = s[0] == 1;
    transB = s[1] == 1;
    m = s[2];
    n = s[3];
    k = s[4];
    KernelThreads.setThreads(threads);
    SplittableRandom random = new SplittableRandom(1);
    a = new float[m * k];
    b = new float[k * n];
    c = new float[m * n];
    for (float[] array : new float[][] {a, b}) {
      for (int i = 0; i < array.length; i++) {
        array[i] = (float) random.nextGaussian();
      }
    }
  }

  @Benchmark
  public float[] sgemm(GflopsCounter work) {
    Gemm.sgemm(transA, transB, m, n, k, a, 0, transA ? m : k, b, 0, transB ? k : n, 0f, c, 0, n);
    work.gflops += 2e-9 * m * n * k;
    return c;
  }
}
