package dev.deepcompress.pipeline;

import dev.deepcompress.pruning.IterativePruning;
import dev.deepcompress.pruning.ThresholdPolicy;
import dev.deepcompress.runtime.format.FileLayout;
import dev.deepcompress.runtime.format.TensorEncoding;
import dev.deepcompress.runtime.format.TensorLayout;
import dev.deepcompress.runtime.model.ParameterSpec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The figures of one compressed file, laid out like the paper's Table 1 row and per-layer
 * statistics table, with the file's bytes by component. Every figure comes from the file.
 */
final class CompressionReport {

  /** One row of the per-layer table; the total row has the same shape. */
  record LayerRow(
      String name,
      long weights,
      long nonZeros,
      long fillers,
      double keptPct,
      double weightBitsPq,
      double weightBitsPqh,
      double indexBitsPq,
      double indexBitsPqh,
      double ratePqPct,
      double ratePqhPct) {}

  private final String model;
  private final double referenceErrorPct;
  private final double compressedErrorPct;
  private final long denseBytes;
  private final FileLayout layout;
  private final Optional<PaperResults> paper;
  private final List<LayerRow> layers;
  private final LayerRow total;
  private final Map<String, Object> extra = new LinkedHashMap<>();
  private List<IterativePruning.IterationReport> pruning = List.of();
  private String pruningMonitor = "test";
  private Search.Outcome search;
  private double searchFileValidationPct;
  private int refitTrainingSamples;
  private List<ReportCharts.Picture> pictures = List.of();

  CompressionReport(
      String model,
      double referenceErrorPct,
      double compressedErrorPct,
      long denseBytes,
      FileLayout layout,
      Optional<PaperResults> paper) {
    this.model = model;
    this.referenceErrorPct = referenceErrorPct;
    this.compressedErrorPct = compressedErrorPct;
    this.denseBytes = denseBytes;
    this.layout = layout;
    this.paper = paper;
    List<LayerRow> rows = new ArrayList<>();
    for (TensorLayout tensor : layout.tensors()) {
      if (tensor.role() == ParameterSpec.Role.WEIGHT) {
        rows.add(row(layerName(tensor.name()), List.of(tensor)));
      }
    }
    this.layers = List.copyOf(rows);
    this.total =
        row(
            "total",
            layout.tensors().stream().filter(t -> t.role() == ParameterSpec.Role.WEIGHT).toList());
  }

  /**
   * Adds the pruning iterations (kept counts, thresholds, errors) to both reports; their errors are
   * on {@code monitor}'s images ("validation" or "test").
   */
  CompressionReport withPruning(List<IterativePruning.IterationReport> iterations, String monitor) {
    pruning = List.copyOf(iterations);
    pruningMonitor = monitor;
    return this;
  }

  /**
   * Adds what a search chose and why: its budget, the plan per layer, its decisions, and the
   * validation error of the file as read back ({@code fileValidationPct}).
   */
  CompressionReport withSearch(Search.Outcome outcome, double fileValidationPct) {
    search = outcome;
    searchFileValidationPct = fileValidationPct;
    return this;
  }

  /**
   * Says that the file is not the searched model but the search's plan retrained on all {@code
   * trainingSamples} training samples, the validation split included; the validation figure given
   * to {@link #withSearch} is then the searched model's.
   */
  CompressionReport withRefit(int trainingSamples) {
    refitTrainingSamples = trainingSamples;
    return this;
  }

  /** Links the pictures drawn beside the report from both reports. */
  CompressionReport withPictures(List<ReportCharts.Picture> pictures) {
    this.pictures = List.copyOf(pictures);
    return this;
  }

  /** Adds a figure to the JSON report (stage errors, timings, settings). */
  CompressionReport with(String key, Object value) {
    extra.put(key, value);
    return this;
  }

  double ratio() {
    return (double) denseBytes / layout.fileBytes();
  }

  private static String layerName(String tensorName) {
    return tensorName.endsWith(".weight")
        ? tensorName.substring(0, tensorName.length() - ".weight".length())
        : tensorName;
  }

  /**
   * Sums over the given weight tensors. P+Q counts fixed-width codebook indices, fixed-width gaps
   * (fillers included) and the codebook; P+Q+H the Huffman payloads, code tables and codebook.
   */
  private static LayerRow row(String name, List<TensorLayout> tensors) {
    long weights = 0;
    long nonZeros = 0;
    long fillers = 0;
    double indexBitsFixed = 0;
    double gapBitsFixed = 0;
    double indexBitsHuffman = 0;
    double gapBitsHuffman = 0;
    double pqBits = 0;
    double pqhBits = 0;
    for (TensorLayout t : tensors) {
      long count = t.shape().elementCount();
      weights += count;
      nonZeros += t.nonZeros();
      fillers += t.fillers();
      if (t.encoding() != TensorEncoding.DENSE_FP32) {
        indexBitsFixed += (double) t.indexBits() * t.nonZeros();
        gapBitsFixed += (double) t.gapBits() * (t.nonZeros() + t.fillers());
        indexBitsHuffman += t.indexPayloadBits();
        gapBitsHuffman += t.gapPayloadBits();
        pqBits +=
            (double) t.indexBits() * t.nonZeros()
                + (double) t.gapBits() * (t.nonZeros() + t.fillers())
                + 8.0 * (t.codebookBytes() + t.parameterBytes());
        pqhBits +=
            t.indexPayloadBits()
                + t.gapPayloadBits()
                + 8.0 * (t.codebookBytes() + t.parameterBytes() + t.huffmanTableBytes());
      } else {
        indexBitsFixed += 32.0 * t.nonZeros();
        indexBitsHuffman += 32.0 * t.nonZeros();
        pqBits += 32.0 * count;
        pqhBits += 32.0 * count;
      }
    }
    double perNonZero = Math.max(nonZeros, 1);
    return new LayerRow(
        name,
        weights,
        nonZeros,
        fillers,
        100.0 * nonZeros / weights,
        indexBitsFixed / perNonZero,
        indexBitsHuffman / perNonZero,
        gapBitsFixed / perNonZero,
        gapBitsHuffman / perNonZero,
        100.0 * pqBits / (32.0 * weights),
        100.0 * pqhBits / (32.0 * weights));
  }

  String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# Deep Compression of ").append(model).append("\n\n");
    md.append("## Table 1 row (test error from the file as read back)\n\n");
    md.append(
        "| | top-1 error, reference | top-1 error, compressed | dense size | compressed size | ratio |\n");
    md.append("|---|---:|---:|---:|---:|---:|\n");
    md.append(
        String.format(
            Locale.ROOT,
            "| deepcompress | %.2f%% | %.2f%% | %,d B | %,d B | %.1f× |%n",
            referenceErrorPct,
            compressedErrorPct,
            denseBytes,
            layout.fileBytes(),
            ratio()));
    paper.ifPresent(
        p ->
            md.append(
                String.format(
                    Locale.ROOT,
                    "| paper | %.2f%% | %.2f%% | %d KB | %d KB | %d× |%n",
                    p.referenceErrorPct(),
                    p.compressedErrorPct(),
                    p.referenceKb(),
                    p.compressedKb(),
                    p.ratio())));

    md.append("\n## Per layer (P: pruning, Q: quantization, H: Huffman coding)\n\n");
    md.append(
        "\"Weight bits\" are bits per stored weight for its codebook index, \"index bits\" bits per"
            + " stored weight for its position (gaps, fillers included). Compress rate = compressed"
            + " bits ÷ dense fp32 bits of the layer's weights (P+Q with the codebook or the"
            + " quantizer's parameters, P+Q+H also with the code tables).\n\n");
    md.append(
        "| layer | #weights | weights kept (P) | weight bits (P+Q) | weight bits (P+Q+H) | index"
            + " bits (P+Q) | index bits (P+Q+H) | compress rate (P+Q) | compress rate (P+Q+H) |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    List<LayerRow> all = new ArrayList<>(layers);
    all.add(total);
    for (LayerRow row : all) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %.1f%% | %.1f | %.2f | %.2f | %.2f | %.2f%% | %.2f%% |%n",
              row.name(),
              row.weights(),
              row.keptPct(),
              row.weightBitsPq(),
              row.weightBitsPqh(),
              row.indexBitsPq(),
              row.indexBitsPqh(),
              row.ratePqPct(),
              row.ratePqhPct()));
      paper
          .flatMap(p -> paperRow(p, row.name()))
          .ifPresent(
              p ->
                  md.append(
                      String.format(
                          Locale.ROOT,
                          "| %s (paper) | %s | %s%% | %s | %s | %d | %s | %s%% | %.2f%% |%n",
                          p.name(),
                          p.weights(),
                          plain(p.keptPct()),
                          plain(p.weightBits()),
                          plain(p.weightBitsHuffman()),
                          p.indexBits(),
                          plain(p.indexBitsHuffman()),
                          plain(p.ratePqPct()),
                          p.ratePqhPct())));
    }

    if (!pruning.isEmpty()) {
      md.append("\n## Pruning iterations\n\n");
      md.append("| iteration | tensor | weights | kept | kept % | threshold | policy |");
      md.append(" " + pruningMonitor + " error after pruning | after retraining |\n");
      md.append("|---:|---|---:|---:|---:|---:|---|---:|---:|\n");
      for (IterativePruning.IterationReport iteration : pruning) {
        for (IterativePruning.TensorStats tensor : iteration.tensors()) {
          md.append(
              String.format(
                  Locale.ROOT,
                  "| %d | %s | %,d | %,d | %.2f%% | %s | %s | %.2f%% | %.2f%% |%n",
                  iteration.iteration(),
                  tensor.tensor(),
                  tensor.weights(),
                  tensor.kept(),
                  100 * tensor.keptFraction(),
                  Double.isNaN(tensor.threshold())
                      ? "–"
                      : String.format(Locale.ROOT, "%.5f", tensor.threshold()),
                  tensor.policy(),
                  iteration.errorAfterPruningPct(),
                  iteration.errorPct()));
        }
      }
    }

    if (search != null) {
      searchMarkdown(md);
    }

    if (!pictures.isEmpty()) {
      md.append("\n## Pictures\n\n");
      Map<String, List<ReportCharts.Picture>> byLayer = new LinkedHashMap<>();
      for (ReportCharts.Picture picture : pictures) {
        if (picture.layer() != null) {
          byLayer.computeIfAbsent(picture.layer(), l -> new ArrayList<>()).add(picture);
        }
      }
      if (!byLayer.isEmpty()) {
        md.append("Weights of each compressed layer, before and after pruning and after");
        md.append(" quantization (the shared values marked):\n\n");
        md.append("| layer | before pruning | after pruning | after quantization |\n");
        md.append("|---|---|---|---|\n");
        byLayer.forEach(
            (layer, drawn) -> {
              md.append("| ").append(layer);
              drawn.forEach(p -> md.append(" | ").append(image(p)));
              md.append(" |\n");
            });
        md.append('\n');
      }
      for (ReportCharts.Picture picture : pictures) {
        if (picture.layer() == null) {
          md.append(image(picture)).append("\n\n");
        }
      }
    }

    md.append("\n## File bytes by component\n\n| component | bytes | share |\n|---|---:|---:|\n");
    for (Map.Entry<FileLayout.Component, Long> entry : layout.components().entrySet()) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %.1f%% |%n",
              componentName(entry.getKey()),
              entry.getValue(),
              100.0 * entry.getValue() / layout.fileBytes()));
    }
    md.append(String.format(Locale.ROOT, "| **whole file** | %,d | 100%% |%n", layout.fileBytes()));
    return md.toString();
  }

  private void searchMarkdown(StringBuilder md) {
    int total = search.sensitivity().total();
    md.append("\n## Search (validation split only; the test set was not read)\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Budget: at most %d of %d validation samples misclassified (%.2f%%); the reference"
                + " misclassifies %d (%.2f%%). After centroid retraining: %d (%.2f%%); %s: %.2f%%.%n%n",
            search.maxErrors(),
            total,
            100.0 * search.maxErrors() / total,
            search.referenceErrors(),
            100.0 * search.referenceErrors() / total,
            search.validationErrors(),
            100.0 * search.validationErrors() / total,
            refitTrainingSamples > 0 ? "the searched model as encoded" : "the file as read back",
            searchFileValidationPct));
    md.append("| layer | kept | codebook bits |\n|---|---:|---:|\n");
    search
        .plan()
        .layers()
        .forEach(
            (layer, planned) ->
                md.append(
                    String.format(
                        Locale.ROOT,
                        "| %s | %s | %d |%n",
                        layer,
                        planned.pruning().describe(),
                        planned.quantizer().bits())));
    md.append("\nDecisions:\n\n");
    search.log().forEach(line -> md.append("- ").append(line).append('\n'));
    md.append("\nSensitivity of the reference: [sensitivity.md](sensitivity.md).\n");
    if (refitTrainingSamples > 0) {
      md.append(
          String.format(
              Locale.ROOT,
              "%n### Refit%n%nThe file is not the searched model: it is the plan above applied once"
                  + " more, retrained on all %,d training samples (the validation split included)."
                  + " Its validation error is no held-out figure, so the budget was checked on the"
                  + " searched model only; the test error above is the refitted file's.%n",
              refitTrainingSamples));
    }
  }

  private Map<String, Object> searchJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("validation_samples", search.sensitivity().total());
    m.put("max_errors", search.maxErrors());
    m.put("reference_errors", search.referenceErrors());
    m.put("errors_after_retraining", search.validationErrors());
    if (refitTrainingSamples > 0) {
      m.put("searched_model_validation_error_pct", searchFileValidationPct);
      m.put("refit_training_samples", refitTrainingSamples);
    } else {
      m.put("file_validation_error_pct", searchFileValidationPct);
    }
    List<Object> layers = new ArrayList<>();
    search
        .plan()
        .layers()
        .forEach(
            (layer, planned) -> {
              Map<String, Object> l = new LinkedHashMap<>();
              l.put("layer", layer);
              l.put(
                  "kept_fraction",
                  ((ThresholdPolicy.KeptFraction) planned.pruning()).keptFraction());
              l.put("quantizer", planned.quantizer().toString());
              layers.add(l);
            });
    m.put("plan", layers);
    m.put("decisions", search.log());
    return m;
  }

  private static String image(ReportCharts.Picture picture) {
    return "![" + picture.caption() + "](" + picture.file() + ")";
  }

  private static Optional<PaperResults.Layer> paperRow(PaperResults paper, String name) {
    if (name.equals("total")) {
      return Optional.of(paper.total());
    }
    return paper.layers().stream().filter(l -> l.name().equals(name)).findFirst();
  }

  /** A published figure as printed in the paper: no trailing zeros. */
  private static String plain(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  static String componentName(FileLayout.Component component) {
    return component.name().toLowerCase(Locale.ROOT).replace('_', ' ');
  }

  /** Bytes by component, keyed by the component's name in lower case. */
  static Map<String, Object> componentsJson(FileLayout layout) {
    Map<String, Object> components = new LinkedHashMap<>();
    layout
        .components()
        .forEach((c, bytes) -> components.put(c.name().toLowerCase(Locale.ROOT), bytes));
    return components;
  }

  String json() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("model", model);
    root.put("reference_error_pct", referenceErrorPct);
    root.put("compressed_error_pct", compressedErrorPct);
    root.put("dense_bytes", denseBytes);
    root.put("file_bytes", layout.fileBytes());
    root.put("ratio", ratio());
    List<Object> rows = new ArrayList<>();
    for (LayerRow row : layers) {
      rows.add(layerJson(row));
    }
    root.put("layers", rows);
    root.put("total", layerJson(total));
    root.put("components", componentsJson(layout));
    List<Object> iterations = new ArrayList<>();
    for (IterativePruning.IterationReport iteration : pruning) {
      List<Object> tensorStats = new ArrayList<>();
      for (IterativePruning.TensorStats tensor : iteration.tensors()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tensor", tensor.tensor());
        m.put("weights", tensor.weights());
        m.put("kept", tensor.kept());
        m.put("threshold", tensor.threshold());
        m.put("policy", tensor.policy());
        tensorStats.add(m);
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("iteration", iteration.iteration());
      m.put("error_after_pruning_pct", iteration.errorAfterPruningPct());
      m.put("error_after_retraining_pct", iteration.errorPct());
      m.put("tensors", tensorStats);
      iterations.add(m);
    }
    root.put("pruning", iterations);
    root.put("pruning_errors_on", pruningMonitor);
    if (search != null) {
      root.put("search", searchJson());
    }
    root.put("pictures", pictures.stream().map(ReportCharts.Picture::file).toList());
    root.putAll(extra);
    paper.ifPresent(p -> root.put("paper", paperJson(p)));
    return Json.write(root);
  }

  private static Map<String, Object> layerJson(LayerRow row) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", row.name());
    m.put("weights", row.weights());
    m.put("non_zeros", row.nonZeros());
    m.put("fillers", row.fillers());
    m.put("kept_pct", row.keptPct());
    m.put("weight_bits_pq", row.weightBitsPq());
    m.put("weight_bits_pqh", row.weightBitsPqh());
    m.put("index_bits_pq", row.indexBitsPq());
    m.put("index_bits_pqh", row.indexBitsPqh());
    m.put("compress_rate_pq_pct", row.ratePqPct());
    m.put("compress_rate_pqh_pct", row.ratePqhPct());
    return m;
  }

  private static Map<String, Object> paperJson(PaperResults p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("reference_error_pct", p.referenceErrorPct());
    m.put("compressed_error_pct", p.compressedErrorPct());
    m.put("reference_kb", p.referenceKb());
    m.put("compressed_kb", p.compressedKb());
    m.put("ratio", p.ratio());
    List<Object> rows = new ArrayList<>();
    List<PaperResults.Layer> all = new ArrayList<>(p.layers());
    all.add(p.total());
    for (PaperResults.Layer l : all) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("name", l.name());
      row.put("kept_pct", l.keptPct());
      row.put("weight_bits_pq", l.weightBits());
      row.put("weight_bits_pqh", l.weightBitsHuffman());
      row.put("index_bits_pq", l.indexBits());
      row.put("index_bits_pqh", l.indexBitsHuffman());
      row.put("compress_rate_pq_pct", l.ratePqPct());
      row.put("compress_rate_pqh_pct", l.ratePqhPct());
      rows.add(row);
    }
    m.put("layers", rows);
    return m;
  }
}
