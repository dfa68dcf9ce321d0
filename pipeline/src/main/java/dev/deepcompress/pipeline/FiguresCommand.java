package dev.deepcompress.pipeline;

import dev.deepcompress.quantization.KMeans1D;
import dev.deepcompress.quantization.QuantizerSpec;
import dev.deepcompress.runtime.model.LayerSpec;
import java.io.IOException;
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
import picocli.CommandLine.Spec;

@Command(
    name = "figures",
    mixinStandardHelpOptions = true,
    description = {
      "Reproduce the paper's Figures 6, 7 and 8 on MNIST, each as a PNG with the table behind it:",
      "6: accuracy loss against compression ratio for pruning only, quantization only and both"
          + " (LeNet-300-100); 7: test error against bits per weight, convolution and fully"
          + " connected layers apart, with and without pruning (LeNet-5); 8: test error against"
          + " bits for the k-means initialisations (LeNet-300-100).",
    })
final class FiguresCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin DataOptions data;
  @Mixin LearningRateOptions learningRate;

  @Option(
      names = "--figure",
      split = ",",
      paramLabel = "N",
      description = "Which figures: 6, 7, 8 (default all three).")
  List<Integer> figures = new ArrayList<>(List.of(6, 7, 8));

  @Option(
      names = "--bits",
      split = ",",
      paramLabel = "B",
      description =
          "Only these bit widths, in every figure (default: each figure's own, 1-8 for Figure 6's"
              + " quantization only and Figure 7, 2-6 for Figure 6's pruned points, 2-8 for"
              + " Figure 8).")
  List<Integer> bits;

  @Mixin ComparisonOptions options;

  @Option(
      names = "--out-dir",
      paramLabel = "DIR",
      description = "Where the figures go (default: runs/figures).")
  Path outDir;

  @Spec CommandSpec spec;

  /** Kept fractions of the pruning curves of Figure 6, every layer alike. */
  static final double[] KEPT = {0.5, 0.3, 0.2, 0.1, 0.07, 0.05, 0.03, 0.02};

  @Override
  public Integer call() throws Exception {
    long start = System.nanoTime();
    common.apply();
    for (int figure : figures) {
      if (figure < 6 || figure > 8) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--figure takes 6, 7 and 8, not " + figure);
      }
      if (figure == 8 && bits(2, 8).isEmpty()) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "Figure 8 has no bit width among --bits " + bits);
      }
    }
    if (bits != null && bits.stream().anyMatch(b -> b < 1 || b > 8)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--bits takes widths from 1 to 8, got " + bits);
    }
    Path directory = outDir != null ? outDir : Path.of("runs", "figures");
    Files.createDirectories(directory);
    OutputPaths.requireWritableTarget(directory.resolve("figure6.md"));
    PrintStream console = System.out;
    for (int figure : figures) {
      long figureStart = System.nanoTime();
      switch (figure) {
        case 6 -> figure6(console).write(directory, "figure6");
        case 7 -> figure7(console).write(directory, "figure7");
        default -> figure8(console).write(directory, "figure8");
      }
      console.printf(
          "figure %d written in %s (%.0f s)%n",
          figure, directory, (System.nanoTime() - figureStart) / 1e9);
    }
    console.printf("wall time %.0f s%n", (System.nanoTime() - start) / 1e9);
    return 0;
  }

  /** The bit widths from {@code from} to {@code to} that --bits leaves. */
  private List<Integer> bits(int from, int to) {
    List<Integer> widths = new ArrayList<>();
    for (int b = from; b <= to; b++) {
      if (bits == null || bits.contains(b)) {
        widths.add(b);
      }
    }
    return widths;
  }

  private Comparison comparison(String model, PrintStream console) throws IOException {
    return options.comparison(model, data, learningRate, console);
  }

  /** Every weight tensor with {@code spec}. */
  private static Map<String, QuantizerSpec> all(Comparison c, QuantizerSpec spec) {
    Map<String, QuantizerSpec> specs = new LinkedHashMap<>();
    c.architecture().weightNamesByLayer().values().forEach(name -> specs.put(name, spec));
    return specs;
  }

  private static Map<String, Double> keptEverywhere(Comparison c, double kept) {
    Map<String, Double> fractions = new LinkedHashMap<>();
    c.architecture().weightNamesByLayer().values().forEach(name -> fractions.put(name, kept));
    return fractions;
  }

  private static QuantizerSpec kmeans(int bits, KMeans1D.Init init, boolean trained) {
    return new QuantizerSpec.KMeans(
        bits, init, trained ? QuantizerSpec.Mode.TRAINED : QuantizerSpec.Mode.POST_TRAINING);
  }

  private void log(PrintStream console, String curve, String label, Comparison.Point p) {
    console.printf(
        Locale.ROOT,
        "%-28s %-22s %,10d B  validation %.2f%%  test %.2f%%  %.1f s%n",
        curve,
        label,
        p.fileBytes(),
        p.validationErrorPct(),
        p.testErrorPct(),
        p.seconds());
  }

  /**
   * Figure 6: pruning only (every layer to each kept fraction), quantization only (k-means at 1–8
   * bits, trained), and both (each kept fraction with k-means at 2–6 bits; the points no other
   * point beats in both size and error form the curve).
   */
  private FigureReport figure6(PrintStream console) throws IOException {
    Comparison c = comparison("lenet-300-100", console);
    FigureReport report =
        new FigureReport(
            "Figure 6: LeNet-300-100, accuracy loss against compression ratio",
            "compression ratio (dense fp32 bytes / file bytes)",
            "test error − reference test error (points)",
            true,
            c);
    for (int bits : bits(1, 8)) {
      Comparison.Point p =
          c.quantized(
              c.unpruned(),
              all(c, kmeans(bits, KMeans1D.Init.LINEAR, true)),
              options.quantizeEpochs);
      log(console, "quantization only", bits + " bits", p);
      report.add("quantization only", (double) c.denseBytes() / p.fileBytes(), bits + " bits", p);
    }
    List<FigureReport.Entry> both = new ArrayList<>();
    for (double kept : KEPT) {
      Comparison.Base pruned =
          c.pruned(keptEverywhere(c, kept), options.pruneIterations, options.pruneEpochs);
      Comparison.Point p = c.prunedOnly(pruned);
      String label = String.format(Locale.ROOT, "keep %.0f%%", 100 * kept);
      log(console, "pruning only", label, p);
      report.add("pruning only", (double) c.denseBytes() / p.fileBytes(), label, p);
      for (int bits : bits(2, 6)) {
        Comparison.Point q =
            c.quantized(
                pruned, all(c, kmeans(bits, KMeans1D.Init.LINEAR, true)), options.quantizeEpochs);
        String l = label + ", " + bits + " bits";
        log(console, "pruning + quantization", l, q);
        both.add(
            new FigureReport.Entry(
                "pruning + quantization", (double) c.denseBytes() / q.fileBytes(), l, q));
      }
    }
    report.addFront(both);
    return report;
  }

  /**
   * Figure 7: LeNet-5 with only its convolutions, or only its fully connected layers, quantized by
   * k-means at 1–8 bits (trained), the others fp32; unpruned and pruned to reproduce's fractions.
   */
  private FigureReport figure7(PrintStream console) throws IOException {
    Comparison c = comparison("lenet-5", console);
    FigureReport report =
        new FigureReport(
            "Figure 7: LeNet-5, test error against bits per weight",
            "bits per weight",
            "test error (%)",
            false,
            c);
    Comparison.Base pruned =
        c.pruned(
            CompareCommand.paperKeptFractions("lenet-5", c),
            options.pruneIterations,
            options.pruneEpochs);
    for (boolean isPruned : new boolean[] {false, true}) {
      Comparison.Base base = isPruned ? pruned : c.unpruned();
      for (boolean conv : new boolean[] {true, false}) {
        String curve = (conv ? "conv layers" : "fc layers") + (isPruned ? ", pruned" : "");
        for (int bits : bits(1, 8)) {
          Map<String, QuantizerSpec> specs = new LinkedHashMap<>();
          for (LayerSpec layer : c.architecture().layers()) {
            switch (layer) {
              case LayerSpec.Convolution k when conv ->
                  specs.put(k.weightName(), kmeans(bits, KMeans1D.Init.LINEAR, true));
              case LayerSpec.FullyConnected f when !conv ->
                  specs.put(f.weightName(), kmeans(bits, KMeans1D.Init.LINEAR, true));
              default -> {}
            }
          }
          Comparison.Point p = c.quantized(base, specs, options.quantizeEpochs);
          log(console, curve, bits + " bits", p);
          report.add(curve, bits, bits + " bits", p);
        }
      }
    }
    return report;
  }

  /** Figure 8: k-means at 2–8 bits on every layer from each initialisation, post and trained. */
  private FigureReport figure8(PrintStream console) throws IOException {
    Comparison c = comparison("lenet-300-100", console);
    FigureReport report =
        new FigureReport(
            "Figure 8: LeNet-300-100, test error against bits by k-means initialisation",
            "bits per weight",
            "test error (%)",
            false,
            c);
    for (boolean trained : new boolean[] {false, true}) {
      for (KMeans1D.Init init : KMeans1D.Init.values()) {
        String curve = init.name().toLowerCase(Locale.ROOT) + (trained ? ", trained" : ", post");
        for (int bits : bits(2, 8)) {
          Comparison.Point p =
              c.quantized(
                  c.unpruned(),
                  all(c, kmeans(bits, init, trained)),
                  trained ? options.quantizeEpochs : 0);
          log(console, curve, bits + " bits", p);
          report.add(curve, bits, bits + " bits", p);
        }
      }
    }
    return report;
  }

  /** The points of one figure, its table, JSON and PNG. */
  static final class FigureReport {
    record Entry(String curve, double x, String label, Comparison.Point point) {}

    private final String title;
    private final String xTitle;
    private final String yTitle;
    private final boolean lossAgainstRatio;
    private final Comparison comparison;
    private final List<Entry> entries = new ArrayList<>();

    /**
     * @param lossAgainstRatio y is the test error minus the reference's, x a ratio on a log axis
     */
    FigureReport(
        String title, String xTitle, String yTitle, boolean lossAgainstRatio, Comparison c) {
      this.title = title;
      this.xTitle = xTitle;
      this.yTitle = yTitle;
      this.lossAgainstRatio = lossAgainstRatio;
      this.comparison = c;
    }

    void add(String curve, double x, String label, Comparison.Point point) {
      entries.add(new Entry(curve, x, label, point));
    }

    /** The entries no other entry beats in both x (larger) and test error (smaller). */
    void addFront(List<Entry> candidates) {
      for (Entry e : candidates) {
        boolean dominated = false;
        for (Entry o : candidates) {
          dominated |=
              o != e
                  && o.x() >= e.x()
                  && o.point().testErrorPct() <= e.point().testErrorPct()
                  && (o.x() > e.x() || o.point().testErrorPct() < e.point().testErrorPct());
        }
        if (!dominated) {
          entries.add(e);
        }
      }
    }

    private double y(Entry e) {
      return lossAgainstRatio
          ? e.point().testErrorPct() - comparison.reference().testErrorPct()
          : e.point().testErrorPct();
    }

    void write(Path directory, String name) throws IOException {
      Map<String, List<Entry>> curves = new LinkedHashMap<>();
      for (Entry e : entries) {
        curves.computeIfAbsent(e.curve(), k -> new ArrayList<>()).add(e);
      }
      List<Charts.Series> series = new ArrayList<>();
      curves.forEach(
          (curve, list) -> {
            List<Entry> sorted = new ArrayList<>(list);
            sorted.sort((a, b) -> Double.compare(a.x(), b.x()));
            double[] x = sorted.stream().mapToDouble(Entry::x).toArray();
            double[] y = sorted.stream().mapToDouble(this::y).toArray();
            series.add(new Charts.Series(curve, x, y));
          });
      Charts.lines(
          directory.resolve(name + ".png"),
          new Charts.Axes(title, xTitle, yTitle, lossAgainstRatio),
          series);
      Comparison.Point ref = comparison.reference();
      StringBuilder md = new StringBuilder("# " + title + "\n\n");
      md.append(
          String.format(
              Locale.ROOT,
              "Reference: %,d B, validation error %.2f%%, test error %.2f%%.%n%n![%s](%s.png)%n%n",
              ref.fileBytes(),
              ref.validationErrorPct(),
              ref.testErrorPct(),
              name,
              name));
      md.append("| curve | point | x | file bytes | ratio | validation error | test error |\n");
      md.append("|---|---|---:|---:|---:|---:|---:|\n");
      List<Object> json = new ArrayList<>();
      for (Entry e : entries) {
        Comparison.Point p = e.point();
        double ratio = (double) comparison.denseBytes() / p.fileBytes();
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %.2f | %,d | %.1f× | %.2f%% | %.2f%% |%n",
                e.curve(),
                e.label(),
                e.x(),
                p.fileBytes(),
                ratio,
                p.validationErrorPct(),
                p.testErrorPct()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("curve", e.curve());
        m.put("point", e.label());
        m.put("x", e.x());
        m.put("file_bytes", p.fileBytes());
        m.put("ratio", ratio);
        m.put("validation_error_pct", p.validationErrorPct());
        m.put("test_error_pct", p.testErrorPct());
        m.put("seconds", p.seconds());
        json.add(m);
      }
      Artifacts.writeText(directory.resolve(name + ".md"), md.toString());
      Map<String, Object> root = new LinkedHashMap<>();
      root.put("title", title);
      root.put("reference_test_error_pct", ref.testErrorPct());
      root.put("reference_validation_error_pct", ref.validationErrorPct());
      root.put("points", json);
      Artifacts.writeText(directory.resolve(name + ".json"), Json.write(root));
    }
  }
}
