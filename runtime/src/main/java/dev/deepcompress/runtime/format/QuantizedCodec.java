package dev.deepcompress.runtime.format;

import dev.deepcompress.huffman.EncodedStream;
import dev.deepcompress.huffman.HuffmanStreams;
import dev.deepcompress.runtime.model.Levels;
import dev.deepcompress.runtime.model.QuantizedTensor;
import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;

/**
 * Data of a QUANTIZED tensor (docs/model-format.md §5.4): bit widths, stored count, the levels (a
 * table, affine scales and zero points, or powers of two), then the Huffman-coded gap stream
 * (absent when every element is stored) and index stream. The gap stream is that of encoding 1.
 */
final class QuantizedCodec {
  private QuantizedCodec() {}

  static final int TABLE = 0;
  static final int AFFINE = 1;
  static final int POWERS_OF_TWO = 2;

  /** The tensor and, for size accounting, what its data cost. */
  record Decoded(
      QuantizedTensor tensor,
      int fillers,
      long gapPayloadBits,
      long indexPayloadBits,
      long tableBytes,
      long parameterBytes,
      long huffmanTableBytes) {}

  static void write(ByteWriter out, QuantizedTensor tensor) {
    int[] indices = SparseQuantizedCodec.indexSymbols(tensor.codes());
    out.u8(tensor.indexBits());
    out.u8(tensor.gapBits());
    out.u32(tensor.storedCount());
    switch (tensor.levels()) {
      case Levels.Table table -> {
        out.u8(TABLE);
        out.u16(table.entries().length);
        out.floats(table.entries());
      }
      case Levels.Affine affine -> {
        out.u8(AFFINE);
        out.u32(affine.groupSize());
        out.u8(affine.zeroPointMode().id());
        out.floats(affine.scales());
        for (int z : affine.zeroPoints()) {
          out.u8(z);
        }
      }
      case Levels.PowersOfTwo log -> {
        out.u8(POWERS_OF_TWO);
        out.u8(log.sqrt2() ? 2 : 1);
        out.u8(log.top() & 0xFF);
      }
    }
    if (!tensor.isDense()) {
      out.encodedStream(
          HuffmanStreams.encode(
              SparseQuantizedCodec.gapSymbols(tensor.positions(), tensor.gapBits()),
              1 << tensor.gapBits()));
    }
    out.encodedStream(HuffmanStreams.encode(indices, 1 << tensor.indexBits()));
  }

  static Decoded read(ByteReader in, Shape shape) throws ModelFormatException {
    int elements = shape.elementCount();
    int indexBits = in.u8InRange("index bits", 1, SparseQuantizedTensor.MAX_INDEX_BITS);
    int gapBits = in.u8InRange("gap bits", 0, SparseQuantizedTensor.MAX_GAP_BITS);
    boolean dense = gapBits == QuantizedTensor.DENSE;
    int countAt = in.position();
    int stored = in.u32InRange("stored count", 0, elements);
    if (dense && stored != elements) {
      throw in.errorAt(
          countAt, "stored count " + stored + " with gap bits 0 (all stored) for " + elements);
    }
    int levelsAt = in.position();
    Levels levels = readLevels(in, shape, indexBits, stored);
    long levelBytes = in.position() - levelsAt;

    SparseQuantizedCodec.Gaps gaps =
        dense ? null : SparseQuantizedCodec.readGaps(in, gapBits, stored, elements);

    int indexAt = in.position();
    EncodedStream indices = in.encodedStream("index stream");
    SparseQuantizedCodec.requireAlphabet(in, indexAt, "index stream", indices, indexBits);
    if (indices.symbolCount() != stored) {
      throw in.errorAt(
          indexAt,
          "index stream has " + indices.symbolCount() + " symbols for " + stored + " elements");
    }
    int indexPayloadAt = in.position() - indices.payload().length;
    int[] symbols = SparseQuantizedCodec.decode(in, indexPayloadAt, "index stream", indices);
    byte[] codes = new byte[stored];
    for (int i = 0; i < stored; i++) {
      if (!levels.isLevel(symbols[i])) {
        throw in.errorAt(
            indexPayloadAt, "index stream: symbol " + i + " is " + symbols[i] + ", not a level");
      }
      codes[i] = (byte) symbols[i];
    }
    // Every check the constructor makes was made above, with the offset.
    QuantizedTensor tensor =
        dense
            ? QuantizedTensor.dense(shape, levels, codes, indexBits)
            : new QuantizedTensor(shape, levels, gaps.positions(), codes, indexBits, gapBits);
    boolean table = levels instanceof Levels.Table;
    return new Decoded(
        tensor,
        dense ? 0 : gaps.fillers(),
        dense ? 0 : gaps.payloadBits(),
        indices.payloadBits(),
        table ? levelBytes - 1 : 0,
        table ? 0 : levelBytes - 1,
        (dense ? 0 : gaps.tableBytes()) + indices.serializedSize() - indices.payload().length);
  }

  private static Levels readLevels(ByteReader in, Shape shape, int indexBits, int stored)
      throws ModelFormatException {
    int kindAt = in.position();
    int kind = in.u8("level kind");
    switch (kind) {
      case TABLE -> {
        int lengthAt = in.position();
        int length = in.u16("table length");
        if (length > 1 << indexBits || (length == 0 && stored > 0)) {
          throw in.errorAt(
              lengthAt,
              "table length "
                  + length
                  + " is outside ["
                  + (stored > 0 ? 1 : 0)
                  + ", "
                  + (1 << indexBits)
                  + "] for "
                  + indexBits
                  + "-bit indices");
        }
        return new Levels.Table(finiteFloats(in, length, "table entry"));
      }
      case AFFINE -> {
        int rows = shape.dim(0);
        int rowLength = shape.elementCount() / rows;
        int groupSize = in.u32InRange("group size", 0, rowLength);
        int modeAt = in.position();
        Levels.ZeroPoints mode = Levels.ZeroPoints.byId(in.u8("zero point mode"));
        if (mode == null) {
          throw in.errorAt(modeAt, "zero point mode is not 0, 1 or 2");
        }
        long groups = Levels.Affine.groupCount(rows, rowLength, groupSize);
        long zeroPointCount =
            switch (mode) {
              case PER_GROUP -> groups;
              case SHARED -> 1;
              case MIDRISE -> 0;
            };
        in.require(4 * groups + zeroPointCount, groups + " scales and their zero points");
        float[] scales = finiteFloats(in, (int) groups, "scale");
        int[] zeroPoints = new int[(int) zeroPointCount];
        for (int g = 0; g < zeroPoints.length; g++) {
          zeroPoints[g] = in.u8InRange("zero point", 0, (1 << indexBits) - 1);
        }
        return new Levels.Affine(indexBits, rowLength, groupSize, scales, mode, zeroPoints);
      }
      case POWERS_OF_TWO -> {
        if (indexBits < 2) {
          throw in.errorAt(kindAt, "powers-of-two levels need at least 2 index bits");
        }
        boolean sqrt2 = in.u8InRange("log base (1: 2, 2: √2)", 1, 2) == 2;
        int top = (byte) in.u8("top exponent");
        return new Levels.PowersOfTwo(indexBits, top, sqrt2);
      }
      default ->
          throw in.errorAt(kindAt, "unknown level kind " + kind + " (0 table, 1 affine, 2 log)");
    }
  }

  private static float[] finiteFloats(ByteReader in, int count, String what)
      throws ModelFormatException {
    in.require(4L * count, count + " " + what + "s");
    int at = in.position();
    float[] values = new float[count];
    in.floats(values);
    for (int k = 0; k < count; k++) {
      if (!Float.isFinite(values[k])) {
        throw in.errorAt(at + 4L * k, what + " " + k + " is " + values[k]);
      }
    }
    return values;
  }
}
