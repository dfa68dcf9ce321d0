package dev.deepcompress.pipeline;

import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.inference.InferenceNetwork;
import dev.deepcompress.runtime.kernels.KernelThreads;
import dev.deepcompress.runtime.model.Model;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.IntConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Time a model file as the runtime runs it against the same model decoded to dense fp32:"
            + " batch-1 latency and batched throughput, on random ReLU-like inputs.")
final class BenchCommand implements Callable<Integer> {
  private static final long INPUT_SEED = 1;

  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "FILE", description = "Model file to time.")
  Path file;

  @Option(
      names = "--iterations",
      paramLabel = "N",
      defaultValue = "100",
      converter = Converters.PositiveCount.class,
      description = "Timed runs of each network at each batch size (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(
      names = "--warmup",
      paramLabel = "N",
      defaultValue = "20",
      converter = Converters.PositiveCount.class,
      description = "Least untimed runs before the timed ones (default: ${DEFAULT-VALUE}).")
  int warmup;

  // A few hundred runs of a small model leave the kernels half compiled: LeNet-300-100 timed 180
  // µs per image compressed after 200 warm-up runs and 40 µs after 5,000.
  @Option(
      names = "--warmup-seconds",
      paramLabel = "S",
      defaultValue = "3",
      converter = Converters.NonNegativeCount.class,
      description =
          "Least time spent on untimed runs before each timing, so that the JIT has compiled the"
              + " kernels (default: ${DEFAULT-VALUE}).")
  int warmupSeconds;

  @Option(
      names = "--batch",
      paramLabel = "N",
      defaultValue = "64",
      converter = Converters.PositiveCount.class,
      description = "Images per run for the throughput figure (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--json",
      description = "Print the figures and the per-layer forms as JSON instead of tables.")
  boolean json;

  /** One network's figures. */
  private record Timing(double medianMicros, double p90Micros, double imagesPerSecond) {}

  @Override
  public Integer call() throws Exception {
    common.apply();
    Model compressed = ModelFile.read(file);
    // Every tensor as dense fp32, so fully connected layers go through GEMM.
    Model dense =
        new Model(compressed.architecture(), compressed.parameters(), compressed.metadata());
    InferenceNetwork[] networks = {InferenceNetwork.of(compressed), InferenceNetwork.of(dense)};
    long inputValues = (long) batch * networks[0].inputSize();
    if (inputValues > Integer.MAX_VALUE - 8) {
      throw new UserInputException(
          "--batch "
              + batch
              + " is too large: "
              + inputValues
              + " input values do not fit in one"
              + " array");
    }
    float[] images = reluLike((int) inputValues);
    Timing[] timings = measure(networks, images);

    PrintStream out = System.out;
    if (json) {
      out.print(Json.write(json(compressed, networks, timings)));
      return 0;
    }
    out.printf(
        "%s: %s; kernel threads: %d; %d timed runs after at least %d warm-up runs and %d s,"
            + " compressed and dense alternating%n%n",
        file,
        compressed.architecture().name(),
        KernelThreads.threads(),
        iterations,
        warmup,
        warmupSeconds);
    out.printf(
        "| network | batch-1 median (µs) | batch-1 p90 (µs) | batch-%d (images/s) |%n", batch);
    out.println("|---|---:|---:|---:|");
    String[] names = {"compressed", "dense decoding"};
    for (int n = 0; n < names.length; n++) {
      out.printf(
          Locale.ROOT,
          "| %s | %.1f | %.1f | %,.0f |%n",
          names[n],
          timings[n].medianMicros,
          timings[n].p90Micros,
          timings[n].imagesPerSecond);
    }
    out.printf(
        Locale.ROOT,
        "| compressed / dense | %.2f | %.2f | %.2f |%n",
        timings[0].medianMicros / timings[1].medianMicros,
        timings[0].p90Micros / timings[1].p90Micros,
        timings[0].imagesPerSecond / timings[1].imagesPerSecond);
    printLayers(out, networks);
    return 0;
  }

  private Map<String, Object> json(Model model, InferenceNetwork[] networks, Timing[] timings) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("file", file.toString());
    root.put("model", model.architecture().name());
    root.put("kernel_threads", KernelThreads.threads());
    root.put("iterations", iterations);
    root.put("warmup", warmup);
    root.put("warmup_seconds", warmupSeconds);
    root.put("batch", batch);
    root.put("compressed", timingJson(timings[0]));
    root.put("dense", timingJson(timings[1]));
    Map<String, Object> ratios = new LinkedHashMap<>();
    ratios.put("batch1_median", timings[0].medianMicros / timings[1].medianMicros);
    ratios.put("batch1_p90", timings[0].p90Micros / timings[1].p90Micros);
    ratios.put("batch_images_per_second", timings[0].imagesPerSecond / timings[1].imagesPerSecond);
    root.put("compressed_over_dense", ratios);
    List<Object> layers = new ArrayList<>();
    List<InferenceNetwork.LayerDescription> compressed = networks[0].describeLayers();
    List<InferenceNetwork.LayerDescription> dense = networks[1].describeLayers();
    for (int i = 0; i < compressed.size(); i++) {
      InferenceNetwork.LayerDescription c = compressed.get(i);
      if (!c.form().equals(InferenceNetwork.NO_WEIGHTS)) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        m.put("compressed_form", c.form());
        m.put("compressed_bytes", c.weightBytes());
        m.put("dense_form", dense.get(i).form());
        m.put("dense_bytes", dense.get(i).weightBytes());
        layers.add(m);
      }
    }
    root.put("layers", layers);
    return root;
  }

  private static Map<String, Object> timingJson(Timing timing) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("batch1_median_us", timing.medianMicros);
    m.put("batch1_p90_us", timing.p90Micros);
    m.put("batch_images_per_second", timing.imagesPerSecond);
    return m;
  }

  /** How each network holds and runs each weighted layer. */
  private static void printLayers(PrintStream out, InferenceNetwork[] networks) {
    List<InferenceNetwork.LayerDescription> compressed = networks[0].describeLayers();
    List<InferenceNetwork.LayerDescription> dense = networks[1].describeLayers();
    out.println();
    out.println(
        "| layer | compressed runs it as | bytes in memory | dense decoding runs it as | bytes in"
            + " memory |");
    out.println("|---|---|---:|---|---:|");
    for (int i = 0; i < compressed.size(); i++) {
      InferenceNetwork.LayerDescription c = compressed.get(i);
      InferenceNetwork.LayerDescription d = dense.get(i);
      if (!c.form().equals(InferenceNetwork.NO_WEIGHTS)) {
        out.printf(
            Locale.ROOT,
            "| %s | %s | %,d | %s | %,d |%n",
            c.name(),
            c.form(),
            c.weightBytes(),
            d.form(),
            d.weightBytes());
      }
    }
  }

  /** Non-negative with about half exact zeros, like activations after a ReLU. */
  private static float[] reluLike(int count) {
    SplittableRandom random = new SplittableRandom(INPUT_SEED);
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = (float) Math.max(random.nextGaussian(), 0);
    }
    return values;
  }

  /**
   * Batch-1 runs on each image in turn, then whole batches; the networks alternate run by run, so a
   * change in the machine's load falls on both alike.
   */
  private Timing[] measure(InferenceNetwork[] networks, float[] images) {
    int inputSize = networks[0].inputSize();
    float[][] inputs = new float[batch][];
    for (int image = 0; image < batch; image++) {
      inputs[image] = Arrays.copyOfRange(images, image * inputSize, (image + 1) * inputSize);
    }
    warmUp(run -> networks[run % networks.length].forward(inputs[run % batch], 1));
    long[][] latencies = new long[networks.length][iterations];
    for (int run = 0; run < iterations; run++) {
      for (int n = 0; n < networks.length; n++) {
        long start = System.nanoTime();
        networks[n].forward(inputs[run % batch], 1);
        latencies[n][run] = System.nanoTime() - start;
      }
    }
    warmUp(run -> networks[run % networks.length].forward(images, batch));
    long[] batchNanos = new long[networks.length];
    for (int run = 0; run < iterations; run++) {
      for (int n = 0; n < networks.length; n++) {
        long start = System.nanoTime();
        networks[n].forward(images, batch);
        batchNanos[n] += System.nanoTime() - start;
      }
    }
    Timing[] timings = new Timing[networks.length];
    for (int n = 0; n < networks.length; n++) {
      long[] sorted = latencies[n].clone();
      Arrays.sort(sorted);
      timings[n] =
          new Timing(
              percentile(sorted, 0.5) / 1e3,
              percentile(sorted, 0.9) / 1e3,
              (double) iterations * batch / (batchNanos[n] / 1e9));
    }
    return timings;
  }

  /** Runs {@code run(0), run(1), …} at least {@link #warmup} times and {@link #warmupSeconds}. */
  private void warmUp(IntConsumer run) {
    long until = System.nanoTime() + warmupSeconds * 1_000_000_000L;
    for (int i = 0; i < warmup || System.nanoTime() < until; i++) {
      run.accept(i);
    }
  }

  /** Nearest-rank percentile of ascending values. */
  private static long percentile(long[] sorted, double fraction) {
    return sorted[Math.max(0, (int) Math.ceil(fraction * sorted.length) - 1)];
  }
}
