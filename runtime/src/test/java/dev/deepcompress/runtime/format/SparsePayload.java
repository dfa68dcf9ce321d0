package dev.deepcompress.runtime.format;

import dev.deepcompress.huffman.EncodedStream;
import dev.deepcompress.huffman.HuffmanStreams;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The TENS payload of a SPARSE_QUANTIZED tensor assembled field by field as docs/model-format.md
 * §5.2 describes, independently of the production codec, so tests can write any value into any
 * field. The streams are serialised by the huffman module.
 */
record SparsePayload(
    String name,
    int[] dims,
    int indexBits,
    int gapBits,
    long nonZeros,
    int codebookLength,
    float[] codebook,
    EncodedStream gaps,
    EncodedStream indices) {

  /** A consistent payload for the given stored elements. */
  static SparsePayload of(
      String name,
      int[] dims,
      int indexBits,
      int gapBits,
      float[] codebook,
      int[] positions,
      int[] codes) {
    return new SparsePayload(
        name,
        dims,
        indexBits,
        gapBits,
        positions.length,
        codebook.length,
        codebook,
        HuffmanStreams.encode(gapSymbols(positions, gapBits), 1 << gapBits),
        HuffmanStreams.encode(codes, 1 << indexBits));
  }

  /**
   * Gap symbols as the specification defines them, walking the elements one by one: a run of zeros
   * before a stored element is written as fillers (each standing for 2^gapBits-1 zeros) and then
   * the rest of the run.
   */
  static int[] gapSymbols(int[] positions, int gapBits) {
    int filler = (1 << gapBits) - 1;
    List<Integer> symbols = new ArrayList<>();
    int run = 0;
    int next = 0;
    for (int element = 0; next < positions.length; element++) {
      if (positions[next] == element) {
        while (run >= filler) {
          symbols.add(filler);
          run -= filler;
        }
        symbols.add(run);
        run = 0;
        next++;
      } else {
        run++;
      }
    }
    return symbols.stream().mapToInt(Integer::intValue).toArray();
  }

  SparsePayload withCounts(int indexBits, int gapBits, long nonZeros, int codebookLength) {
    return new SparsePayload(
        name, dims, indexBits, gapBits, nonZeros, codebookLength, codebook, gaps, indices);
  }

  SparsePayload withStreams(EncodedStream gaps, EncodedStream indices) {
    return new SparsePayload(
        name, dims, indexBits, gapBits, nonZeros, codebookLength, codebook, gaps, indices);
  }

  /** Payload offset of the first byte after the shape: the index bits. */
  int dataOffset() {
    return 2 + name.length() + 1 + 1 + 4 * dims.length;
  }

  /** Payload offset of the gap stream. */
  int gapStreamOffset() {
    return dataOffset() + 8 + 4 * codebook.length;
  }

  /** Payload offset of the index stream. */
  int indexStreamOffset() {
    return gapStreamOffset() + (int) gaps.serializedSize();
  }

  byte[] toBytes() {
    ByteBuffer out =
        ByteBuffer.allocate(indexStreamOffset() + (int) indices.serializedSize())
            .order(ByteOrder.LITTLE_ENDIAN);
    out.putShort((short) name.length()).put(name.getBytes(StandardCharsets.US_ASCII));
    out.put((byte) 1).put((byte) dims.length);
    for (int d : dims) {
      out.putInt(d);
    }
    out.put((byte) indexBits).put((byte) gapBits).putInt((int) nonZeros);
    out.putShort((short) codebookLength);
    for (float v : codebook) {
      out.putFloat(v);
    }
    gaps.writeTo(out);
    indices.writeTo(out);
    return out.array();
  }
}
