package dev.deepcompress.bench;

import dev.deepcompress.runtime.format.FileLayout;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.format.TensorEncoding;
import dev.deepcompress.runtime.format.TensorLayout;
import dev.deepcompress.runtime.model.QuantizedTensor;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import dev.deepcompress.runtime.model.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * What other position and index codes would cost on real model files, beside format 1.3's
 * (fixed-width gaps with fillers and one index stream, both Huffman-coded): per compressed tensor
 * and in total, the bytes of format 1.3's streams (recomputed and checked against the file's own
 * accounting), order-0 entropy bounds, and a set of standard codes each at its best parameter (see
 * {@link CodingCosts} for what each is charged); then the size of the same model as this build
 * writes it. Prints Markdown tables.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar dev.deepcompress.bench.CodingBounds
 * FILE.dcmodel...}
 */
public final class CodingBounds {
  private CodingBounds() {}

  /** Start of the rows that are format 1.3's code, which the others are compared with. */
  private static final String BASELINE_ROW = "**1.3: ";

  /** One compressed tensor's symbols and where the file puts them. */
  record Layer(
      String name,
      int elements,
      int[] positions,
      int[] runLengths,
      long[] runs,
      int gapBits,
      int[] indices,
      int indexBits,
      TensorLayout layout) {
    boolean sparse() {
      return gapBits > 0;
    }

    long[] gapCounts() {
      return CodingCosts.fillerCounts(runs, gapBits);
    }

    int contextBuckets() {
      return CodingCosts.bestContextBuckets(runLengths, indices, indexBits);
    }

    long[] indexCounts() {
      long[] counts = new long[1 << indexBits];
      for (int index : indices) {
        counts[index]++;
      }
      return counts;
    }
  }

  /** A scheme's size for one layer, with the parameter it chose (empty if none). */
  record Cell(long bytes, String parameter) {
    static Cell of(CodingCosts.Best best) {
      return new Cell(best.bytes(), best.parameter());
    }

    static Cell of(long bytes) {
      return new Cell(bytes, "");
    }
  }

  /** A row of the table: a scheme and how to cost it on a layer (null where it does not apply). */
  record Scheme(String name, boolean bound, Function<Layer, Cell> cost) {}

  static final List<Scheme> POSITION_SCHEMES =
      List.of(
          new Scheme(
              "1.3: gap payload",
              true,
              l -> Cell.of(CodingCosts.huffmanPayloadBytes(l.gapCounts()))),
          new Scheme(
              "1.3: gap Huffman table + counts",
              true,
              l ->
                  Cell.of(
                      CodingCosts.huffmanStreamBytes(l.gapCounts(), 0)
                          - CodingCosts.huffmanPayloadBytes(l.gapCounts()))),
          new Scheme(
              BASELINE_ROW + "gaps, b-bit symbols + fillers, Huffman**",
              false,
              l ->
                  new Cell(
                      CodingCosts.fillerHuffmanBytes(l.runs(), l.gapBits()), "b=" + l.gapBits())),
          new Scheme("same, best b", false, l -> Cell.of(CodingCosts.bestFillerHuffman(l.runs()))),
          new Scheme(
              "order-0 entropy of the run lengths (bound)",
              true,
              l -> Cell.of(CodingCosts.entropyBytes(l.runs()))),
          new Scheme(
              "Huffman over runs + escape (Elias γ tail)",
              false,
              l -> Cell.of(CodingCosts.bestEscapeHuffman(l.runs()))),
          new Scheme("Golomb–Rice", false, l -> Cell.of(CodingCosts.bestRice(l.runs()))),
          new Scheme("Golomb", false, l -> Cell.of(CodingCosts.bestGolomb(l.runs()))),
          new Scheme(
              "Elias γ of run + 1", false, l -> Cell.of(CodingCosts.expGolombBytes(l.runs(), 0))),
          new Scheme("exp-Golomb", false, l -> Cell.of(CodingCosts.bestExpGolomb(l.runs()))),
          new Scheme(
              "static rANS over runs + escape, table included",
              false,
              l -> Cell.of(CodingCosts.bestEscapeStaticAns(l.runs()))),
          new Scheme(
              "adaptive arithmetic over runs + escape",
              false,
              l -> Cell.of(CodingCosts.bestEscapeAdaptive(l.runLengths(), l.runs()))),
          new Scheme(
              "bitmap, 1 bit per element", false, l -> Cell.of(bitmap(l.positions(), false))),
          new Scheme(
              "bitmap, adaptive binary arithmetic",
              false,
              l -> Cell.of(bitmap(l.positions(), true))));

  static final List<Scheme> INDEX_SCHEMES =
      List.of(
          new Scheme(
              "1.3: index payload",
              true,
              l -> Cell.of(CodingCosts.huffmanPayloadBytes(l.indexCounts()))),
          new Scheme(
              "1.3: index Huffman table + counts",
              true,
              l ->
                  Cell.of(
                      CodingCosts.huffmanStreamBytes(l.indexCounts(), 0)
                          - CodingCosts.huffmanPayloadBytes(l.indexCounts()))),
          new Scheme(
              BASELINE_ROW + "indices, one Huffman stream**",
              false,
              l ->
                  new Cell(
                      CodingCosts.huffmanStreamBytes(l.indexCounts(), 0), "q=" + l.indexBits())),
          new Scheme(
              "1.4: Huffman streams split by the left neighbour's index (encoding 3)",
              false,
              l -> {
                int buckets = l.contextBuckets();
                return new Cell(
                    CodingCosts.contextStreams(l.runLengths(), l.indices(), l.indexBits(), buckets)
                        .bytes(),
                    "B=" + buckets);
              }),
          new Scheme(
              "order-0 entropy (bound)",
              true,
              l -> Cell.of(CodingCosts.entropyBytes(l.indexCounts()))),
          new Scheme(
              "static rANS, table included",
              false,
              l -> Cell.of(CodingCosts.bestStaticAns(l.indexCounts()))),
          new Scheme(
              "adaptive arithmetic, order 0",
              false,
              l -> Cell.of(CodingCosts.adaptiveBytes(l.indices(), 1 << l.indexBits(), 0))),
          new Scheme(
              "adaptive arithmetic, order 1 (previous index)",
              false,
              l -> Cell.of(CodingCosts.adaptiveBytes(l.indices(), 1 << l.indexBits(), 1))),
          new Scheme(
              "adaptive arithmetic, context: index d elements back",
              false,
              l ->
                  Cell.of(
                      CodingCosts.bestNeighbourContext(
                          l.positions(), l.indices(), 1 << l.indexBits()))));

  private static long bitmap(int[] positions, boolean adaptive) {
    return adaptive
        ? CodingCosts.adaptiveBitmapBytes(positions)
        : CodingCosts.bitmapBytes(positions);
  }

  public static void main(String[] args) throws IOException {
    if (args.length == 0) {
      System.err.println("usage: CodingBounds FILE.dcmodel...");
      System.exit(2);
    }
    for (String arg : args) {
      report(Path.of(arg));
    }
  }

  private static void report(Path path) throws IOException {
    ModelFile.Contents contents = ModelFile.readContents(path);
    FileLayout file = contents.layout();
    List<Layer> layers = layers(path.toString(), contents);
    if (layers.isEmpty()) {
      System.out.printf("### %s: %,d B, no quantized tensors%n%n", path, file.fileBytes());
      return;
    }
    System.out.printf(
        "### %s: %,d B (indices %,d, gaps %,d, Huffman tables %,d)%n%n",
        path,
        file.fileBytes(),
        file.bytes(FileLayout.Component.CODEBOOK_INDICES),
        file.bytes(FileLayout.Component.POSITION_GAPS),
        file.bytes(FileLayout.Component.HUFFMAN_TABLES));
    StringBuilder head = new StringBuilder("| bytes |");
    StringBuilder rule = new StringBuilder("|---|");
    StringBuilder density = new StringBuilder("| stored / elements |");
    StringBuilder tail = new StringBuilder("| longest run; pruned in runs ≥ 100 / all |");
    for (Layer l : layers) {
      head.append(' ').append(l.name()).append(" |");
      rule.append("---:|");
      density.append(String.format(" %,d / %,d |", l.indices().length, l.elements()));
      long inLongRuns = 0;
      long pruned = 0;
      for (int r : l.runLengths()) {
        inLongRuns += r >= 100 ? r : 0;
        pruned += r;
      }
      tail.append(String.format(" %,d; %,d / %,d |", l.runs().length - 1, inLongRuns, pruned));
    }
    System.out.println(head + " total | vs 1.3 | % of file | % of file, 1.3's where smaller |");
    System.out.println(rule + "---:|---:|---:|---:|");
    System.out.println(density + " | | | |");
    System.out.println(tail + " | | | |");
    long positionsBest = table(layers, POSITION_SCHEMES, file.fileBytes());
    long indicesBest = table(layers, INDEX_SCHEMES, file.fileBytes());
    long baseline = baselineTotal(layers);
    System.out.printf(
        "%nSmallest non-bound scheme per tensor, positions and indices: %,d B against 1.3's %,d B:"
            + " %,d B saved, %.2f%% of the file.%n",
        positionsBest + indicesBest,
        baseline,
        baseline - positionsBest - indicesBest,
        100.0 * (baseline - positionsBest - indicesBest) / file.fileBytes());
    long rewritten = ModelFile.toBytes(contents.model()).length;
    System.out.printf(
        "The same model as this build writes it: %,d B (%+.2f%% of the file).%n%n",
        rewritten, 100.0 * (rewritten - file.fileBytes()) / file.fileBytes());
  }

  private static Optional<Layer> layer(TensorLayout t, Tensor tensor) {
    int[] positions;
    byte[] codes;
    int gapBits;
    int indexBits;
    switch (tensor) {
      case SparseQuantizedTensor s -> {
        positions = s.positions();
        codes = s.codes();
        gapBits = s.gapBits();
        indexBits = s.indexBits();
      }
      case QuantizedTensor q -> {
        positions = q.positions();
        codes = q.codes();
        gapBits = q.gapBits();
        indexBits = q.indexBits();
      }
      default -> {
        return Optional.empty();
      }
    }
    int[] indices = new int[codes.length];
    for (int i = 0; i < codes.length; i++) {
      indices[i] = codes[i] & 0xFF;
    }
    int[] runLengths = CodingCosts.runLengths(positions);
    return Optional.of(
        new Layer(
            t.name(),
            t.shape().elementCount(),
            positions,
            runLengths,
            CodingCosts.histogram(runLengths),
            gapBits,
            indices,
            indexBits,
            t));
  }

  /**
   * The quantized tensors of a file, in file order, after checking that the streams as recomputed
   * here are the file's own, to the byte: format 1.3's for an encoding-1 or -2 tensor, encoding 3's
   * index streams for an encoding-3 one.
   *
   * @throws IllegalStateException naming the tensor if they are not
   */
  static List<Layer> layers(String source, ModelFile.Contents contents) {
    List<Layer> layers = new ArrayList<>();
    for (TensorLayout t : contents.layout().tensors()) {
      layer(t, contents.model().tensor(t.name())).ifPresent(layers::add);
    }
    for (Layer l : layers) {
      TensorLayout file = l.layout();
      boolean same;
      if (file.encoding() == TensorEncoding.SPARSE_QUANTIZED_CONTEXT) {
        long gapTable =
            CodingCosts.huffmanStreamBytes(l.gapCounts(), 0)
                - CodingCosts.huffmanPayloadBytes(l.gapCounts());
        CodingCosts.ContextStreams streams =
            CodingCosts.contextStreams(
                l.runLengths(), l.indices(), l.indexBits(), l.contextBuckets());
        same =
            file.indexPayloadBits() == streams.payloadBits()
                && file.huffmanTableBytes() == gapTable + streams.tableBytes();
      } else {
        same =
            file.gapPayloadBytes() + file.indexPayloadBytes() + file.huffmanTableBytes()
                == baselineTotal(List.of(l));
      }
      if (!same) {
        throw new IllegalStateException(
            source + " " + l.name() + ": the file's streams are not the ones recomputed here");
      }
    }
    return layers;
  }

  /** Format 1.3's gap and index streams of {@code layers}, tables and counts included. */
  static long baselineTotal(List<Layer> layers) {
    long total = 0;
    for (Layer l : layers) {
      total += CodingCosts.huffmanStreamBytes(l.indexCounts(), 0);
      if (l.sparse()) {
        total += CodingCosts.fillerHuffmanBytes(l.runs(), l.gapBits());
      }
    }
    return total;
  }

  /**
   * Prints the schemes' rows: per tensor, the total, its difference from format 1.3's, and that
   * difference when each tensor keeps 1.3's code where the scheme is no smaller. Returns the total
   * of the smallest non-bound scheme per tensor.
   */
  private static long table(List<Layer> layers, List<Scheme> schemes, long fileBytes) {
    long[] baseline = null;
    long[] best = new long[layers.size()];
    Arrays.fill(best, Long.MAX_VALUE);
    for (Scheme scheme : schemes) {
      StringBuilder row = new StringBuilder("| ").append(scheme.name()).append(" |");
      long[] sizes = new long[layers.size()];
      for (int i = 0; i < layers.size(); i++) {
        Layer l = layers.get(i);
        if (POSITION_SCHEMES.contains(scheme) && !l.sparse()) {
          row.append(" - |");
          continue;
        }
        Cell cell = scheme.cost().apply(l);
        sizes[i] = cell.bytes();
        if (!scheme.bound()) {
          best[i] = Math.min(best[i], cell.bytes());
        }
        row.append(String.format(" %,d", cell.bytes()))
            .append(cell.parameter().isEmpty() ? "" : " (" + cell.parameter() + ")")
            .append(" |");
      }
      row.append(String.format(" %,d |", Arrays.stream(sizes).sum()));
      if (scheme.name().startsWith(BASELINE_ROW)) {
        baseline = sizes;
      }
      if (baseline == null) {
        row.append(" | | |");
      } else {
        long change = 0;
        long withFallback = 0;
        for (int i = 0; i < sizes.length; i++) {
          change += sizes[i] - baseline[i];
          withFallback += Math.min(sizes[i] - baseline[i], 0);
        }
        row.append(
            String.format(
                " %+,d | %+.2f%% | %+.2f%% |",
                change, 100.0 * change / fileBytes, 100.0 * withFallback / fileBytes));
      }
      System.out.println(row);
    }
    long total = 0;
    for (long b : best) {
      total += b == Long.MAX_VALUE ? 0 : b;
    }
    return total;
  }
}
