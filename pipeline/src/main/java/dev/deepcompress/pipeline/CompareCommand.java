package dev.deepcompress.pipeline;

import dev.deepcompress.pruning.ThresholdPolicy;
import dev.deepcompress.quantization.QuantizerSpec;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "Run every quantizer at every bit width, post-training and trained, on the same (pruned or"
          + " unpruned) LeNet reference, and write compare.md, compare.json and PNG plots of the"
          + " test and validation error against the file's bytes.",
      "The reference is trained without the validation split, which chooses each method's"
          + " smallest file within 0.10 points of the reference; the test error is reported.",
    })
final class CompareCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin DataOptions data;
  @Mixin LearningRateOptions learningRate;

  @Parameters(index = "0", paramLabel = "MODEL", description = "lenet-300-100 or lenet-5.")
  String modelName;

  /** The default methods: each kind, and the uniform quantizer as textbook and as tuned. */
  static final List<String> DEFAULT_METHODS =
      List.of(
          "kmeans",
          "uniform,asym,per-tensor,minmax",
          "uniform,sym,per-channel,mse",
          "log",
          "ternary",
          "binary");

  @Option(
      names = "--method",
      paramLabel = "SPEC",
      description = {
        "A quantizer without its bits, e.g. kmeans,density or uniform,sym,per-channel,mse"
            + " (repeatable; default: "
            + "kmeans; uniform,asym,per-tensor,minmax; uniform,sym,per-channel,mse; log; ternary;"
            + " binary). Ternary and binary have one bit width of their own."
      })
  List<String> methods = new ArrayList<>();

  @Option(
      names = "--bits",
      split = ",",
      paramLabel = "B",
      description = "Bit widths (default 2,3,4,5,6,7,8); a width a method cannot take is skipped.")
  List<Integer> bits = new ArrayList<>(List.of(2, 3, 4, 5, 6, 7, 8));

  @Option(
      names = "--modes",
      split = ",",
      paramLabel = "MODE",
      description = "post, trained or both (default post,trained).")
  List<String> modes = new ArrayList<>(List.of("post", "trained"));

  @Option(
      names = "--pruned",
      description =
          "Prune the reference first, with the kept fractions of reproduce's plan, and quantize"
              + " the pruned model.")
  boolean pruned;

  @Mixin ComparisonOptions options;

  @Option(
      names = "--out-dir",
      paramLabel = "DIR",
      description = "Where the tables and plots go (default: runs/compare-MODEL[-pruned]).")
  Path outDir;

  @Spec CommandSpec spec;

  /** Points within this many percentage points of the reference's validation error qualify. */
  static final double WITHIN_POINTS = 0.10;

  @Override
  public Integer call() throws Exception {
    long start = System.nanoTime();
    common.apply();
    List<Method> grid = grid();
    PrintStream console = System.out;
    Path directory =
        outDir != null
            ? outDir
            : Path.of("runs", "compare-" + modelName + (pruned ? "-pruned" : ""));
    Files.createDirectories(directory);
    OutputPaths.requireWritableTarget(directory.resolve("compare.md"));

    Comparison comparison = options.comparison(modelName, data, learningRate, console);
    Comparison.Point reference = comparison.reference();
    console.printf(
        "reference: %,d B, validation error %.2f%%, test error %.2f%%%n",
        reference.fileBytes(), reference.validationErrorPct(), reference.testErrorPct());
    Comparison.Base base = comparison.unpruned();
    if (pruned) {
      Map<String, Double> kept = paperKeptFractions(modelName, comparison);
      console.printf(
          "pruning to %s: %d rounds of %d epochs%n",
          kept, options.pruneIterations, options.pruneEpochs);
      base = comparison.pruned(kept, options.pruneIterations, options.pruneEpochs);
    }
    Comparison.Point start0 = comparison.quantized(base, Map.of(), 0);
    console.printf(
        "%s model: %,d B, validation error %.2f%%, test error %.2f%%%n",
        pruned ? "pruned" : "unpruned",
        start0.fileBytes(),
        start0.validationErrorPct(),
        start0.testErrorPct());

    ComparisonReport report =
        new ComparisonReport(
            modelName, pruned, comparison.denseBytes(), reference, start0, WITHIN_POINTS);
    for (Method method : grid) {
      Map<String, QuantizerSpec> specs = new LinkedHashMap<>();
      for (String tensor : comparison.architecture().weightNamesByLayer().values()) {
        specs.put(tensor, method.spec());
      }
      Comparison.Point point =
          comparison.quantized(
              base,
              specs,
              method.spec().mode() == QuantizerSpec.Mode.TRAINED ? options.quantizeEpochs : 0);
      console.printf(
          Locale.ROOT,
          "%-40s %,11d B  %6.1f×  validation %.2f%%  test %.2f%%  %.1f s%n",
          method.spec(),
          point.fileBytes(),
          (double) comparison.denseBytes() / point.fileBytes(),
          point.validationErrorPct(),
          point.testErrorPct(),
          point.seconds());
      report.add(method.name(), method.spec(), point);
    }
    report.settings("quantize_epochs", options.quantizeEpochs);
    report.settings(
        "prune", pruned ? options.pruneIterations + "×" + options.pruneEpochs + " epochs" : "none");
    report.settings("validation_images", options.validation);
    report.settings("wall_time_s", (System.nanoTime() - start) / 1e9);
    report.write(directory, "compare");
    console.printf(
        "%nwrote compare.md, compare.json and plots in %s; wall time %.0f s%n",
        directory, (System.nanoTime() - start) / 1e9);
    return 0;
  }

  /** One point of the grid: the curve it belongs to and its quantizer. */
  record Method(String name, QuantizerSpec spec) {}

  /** Every method × bits × mode, checked before any work. */
  private List<Method> grid() {
    if (!List.of("lenet-300-100", "lenet-5").contains(modelName)) {
      throw usage("compare knows lenet-300-100 and lenet-5, not '" + modelName + "'");
    }
    List<String> templates = methods.isEmpty() ? DEFAULT_METHODS : methods;
    List<Method> grid = new ArrayList<>();
    for (String mode : modes) {
      if (!mode.equals("post") && !mode.equals("trained")) {
        throw usage("--modes takes post and trained, not '" + mode + "'");
      }
    }
    for (String template : templates) {
      String kind = template.split(",", 2)[0].strip();
      String options = template.contains(",") ? template.substring(template.indexOf(',')) : "";
      if (kind.contains(":")) {
        throw usage("--method " + template + ": leave the bits out, --bits gives them");
      }
      for (String mode : modes) {
        List<QuantizerSpec> specs = new ArrayList<>();
        if (kind.equals("ternary") || kind.equals("binary")) {
          specs.add(parse(kind + options + "," + mode));
        } else {
          for (int b : bits) {
            try {
              specs.add(QuantizerSpec.parse(kind + ":" + b + options + "," + mode));
            } catch (IllegalArgumentException e) {
              if (!e.getMessage().contains("bits")) {
                throw usage("--method " + template + ": " + e.getMessage());
              }
            }
          }
        }
        String name = (kind + options).replace(',', ' ') + ", " + mode;
        specs.forEach(s -> grid.add(new Method(name, s)));
      }
    }
    if (grid.isEmpty()) {
      throw usage("no method takes any of the bit widths " + bits);
    }
    return grid;
  }

  private QuantizerSpec parse(String text) {
    try {
      return QuantizerSpec.parse(text);
    } catch (IllegalArgumentException e) {
      throw usage("--method: " + e.getMessage());
    }
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  /** The kept fraction of each weight tensor in reproduce's plan for this model. */
  static Map<String, Double> paperKeptFractions(String modelName, Comparison comparison) {
    CompressionPlan plan = CompressionPlan.paper(PaperResults.forModel(modelName).orElseThrow());
    Map<String, String> tensors = plan.weightTensors(comparison.architecture());
    Map<String, Double> kept = new LinkedHashMap<>();
    plan.layers()
        .forEach(
            (layer, p) ->
                kept.put(
                    tensors.get(layer),
                    ((ThresholdPolicy.KeptFraction) p.pruning()).keptFraction()));
    return kept;
  }
}
