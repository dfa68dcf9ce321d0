package dev.deepcompress.bench;

import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.compression.Mask;
import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.pruning.MaskConstraint;
import dev.deepcompress.pruning.ThresholdPolicy;
import dev.deepcompress.quantization.Quantization;
import dev.deepcompress.quantization.QuantizerSpec;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.ParameterConstraint;
import dev.deepcompress.training.ReferenceArchitectures;
import dev.deepcompress.training.SolverConfig;
import dev.deepcompress.training.Trainer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What quantization-aware training adds to a retraining epoch: the same network retrained plainly
 * and with every weight tensor under each trained quantizer, epoch slices alternated round by round
 * in one process, so that a shared, noisy host slows all alike. Prints each quantizer's median
 * slice time and the median and quartiles of its per-round ratio to the plain slice.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar
 * dev.deepcompress.bench.QuantizedTrainingComparison MODEL [ROUNDS] [SAMPLES] [SPEC...]} with MODEL
 * {@code lenet-5} or {@code lenet-300-100}; SAMPLES (default 6,400) MNIST-shaped images of random
 * pixels make one slice; each SPEC (default: {@link #SPECS}) one quantizer to compare, so that one
 * can be profiled alone. With {@code -Dkept=F} (default 1) every weight tensor keeps the largest
 * fraction F of its initial weights, as after pruning: the plain run then retrains under the masks
 * and the quantizers work on the kept weights only, the case of Deep Compression's pipeline.
 */
public final class QuantizedTrainingComparison {
  private QuantizedTrainingComparison() {}

  static final List<String> SPECS =
      List.of(
          "kmeans:5",
          "kmeans:5,step=sum",
          "uniform:8,asym,per-tensor,minmax",
          "uniform:4,sym,per-channel,mse",
          "log:4",
          "ternary",
          "binary");

  /** One way of retraining: its trainer, and its slice times. */
  private record Run(String name, Trainer trainer, double[] millis) {}

  public static void main(String[] args) {
    String modelName = args.length > 0 ? args[0] : "lenet-5";
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int samples = args.length > 2 ? Integer.parseInt(args[2]) : 6_400;
    List<String> specTexts = args.length > 3 ? List.of(args).subList(3, args.length) : SPECS;
    Architecture architecture = ReferenceArchitectures.byName(modelName);
    Batches batches = new Batches(randomImages(architecture, samples), 64, 1);
    double kept = Double.parseDouble(System.getProperty("kept", "1"));
    Network initial = Network.initialize(architecture, 1);
    Map<String, Mask> masks = new LinkedHashMap<>();
    for (ParameterSpec p : architecture.parameters()) {
      if (p.role() == ParameterSpec.Role.WEIGHT) {
        float[] weights = initial.parameter(p.name()).values();
        Mask all = Mask.all(weights.length);
        Mask mask =
            all.narrowedTo(weights, new ThresholdPolicy.KeptFraction(kept).threshold(weights, all));
        mask.zeroPruned(weights);
        masks.put(p.name(), mask);
      }
    }
    Model start = initial.toModel(Map.of());
    Map<String, ParameterConstraint> plainConstraints = new LinkedHashMap<>();
    if (kept < 1) {
      masks.forEach((name, mask) -> plainConstraints.put(name, new MaskConstraint(mask)));
    }
    SolverConfig solver =
        SolverConfig.caffeLenet().withSchedule(SolverConfig.caffeLenet().schedule().scaled(0.1));

    List<Run> runs = new ArrayList<>();
    runs.add(
        new Run(
            "plain",
            new Trainer(Network.fromModel(start), solver, plainConstraints),
            new double[rounds]));
    for (String text : specTexts) {
      Network network = Network.fromModel(start);
      Map<String, CompressedTensor> whole = new LinkedHashMap<>();
      Map<String, QuantizerSpec> specs = new LinkedHashMap<>();
      for (ParameterSpec p : architecture.parameters()) {
        if (p.role() == ParameterSpec.Role.WEIGHT) {
          whole.put(p.name(), CompressedTensor.pruned(p, masks.get(p.name())));
          specs.put(p.name(), QuantizerSpec.parse(text));
        }
      }
      Quantization quantization = Quantization.apply(network, whole, specs, 1);
      runs.add(
          new Run(
              specs.values().iterator().next().toString(),
              new Trainer(network, solver, quantization.constraints()),
              new double[rounds]));
    }
    for (Run run : runs) {
      millis(run.trainer(), batches, 0);
    }
    for (int r = 0; r < rounds; r++) {
      // Each round starts with another one, so that none always follows the same neighbour.
      for (int i = 0; i < runs.size(); i++) {
        Run run = runs.get((i + r) % runs.size());
        run.millis()[r] = millis(run.trainer(), batches, r + 1);
      }
    }
    double[] plain = runs.getFirst().millis();
    System.out.printf(
        "%s, %d images per slice, %d rounds: plain retraining median %.0f ms%n",
        modelName, samples, rounds, Quantiles.median(plain));
    for (Run run : runs.subList(1, runs.size())) {
      double[] ratios = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        ratios[r] = run.millis()[r] / plain[r];
      }
      System.out.printf(
          "%-45s median %6.0f ms, ratio to plain: median %.3f (quartiles %.3f-%.3f)%n",
          run.name(),
          Quantiles.median(run.millis()),
          Quantiles.median(ratios),
          Quantiles.quantile(ratios, 0.25),
          Quantiles.quantile(ratios, 0.75));
    }
  }

  private static SampleSet randomImages(Architecture architecture, int count) {
    SplittableRandom random = new SplittableRandom(1);
    byte[] pixels = new byte[count * architecture.inputShape().elementCount()];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) random.nextInt(256);
    }
    int classes = architecture.outputShape().elementCount();
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      labels[i] = random.nextInt(classes);
    }
    return SampleSet.ofBytes("random", architecture.inputShape(), pixels, labels)
        .withPreprocessing(ReferenceArchitectures.pixelScaling());
  }

  private static double millis(Trainer trainer, Batches batches, int epoch) {
    long start = System.nanoTime();
    trainer.trainEpoch(batches, epoch, new Trainer.Listener() {});
    return (System.nanoTime() - start) / 1e6;
  }
}
