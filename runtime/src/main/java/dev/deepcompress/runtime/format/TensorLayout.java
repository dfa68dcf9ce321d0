package dev.deepcompress.runtime.format;

import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.Shape;

/**
 * What one TENS section of a file holds and what it costs. Fields that only a quantized tensor has
 * are 0 for a dense one; {@code gapBits} is 0 for a quantized tensor that stores every element.
 *
 * @param sectionBytes the whole section: framing, payload and CRC
 * @param nonZeros stored elements of a sparse-quantized tensor; non-zero values of a dense one
 * @param indexBits width of a codebook index before Huffman coding
 * @param gapBits width of a position gap before Huffman coding
 * @param fillers filler entries in the gap stream (gaps too long for one symbol)
 * @param indexPayloadBits Huffman-coded codebook indices, without table and padding
 * @param gapPayloadBits Huffman-coded position gaps, fillers included, without table and padding
 * @param codebookBytes codebook entry count and entries (a table of encoding 2 included)
 * @param parameterBytes encoding 2's level parameters other than a table (scales, zero points,
 *     exponents), with their group size and mode
 * @param huffmanTableBytes both streams' code-length tables and counts
 * @param denseBytes fp32 values of a dense tensor
 */
public record TensorLayout(
    String name,
    ParameterSpec.Role role,
    Shape shape,
    TensorEncoding encoding,
    long sectionBytes,
    int nonZeros,
    int indexBits,
    int gapBits,
    int fillers,
    long indexPayloadBits,
    long gapPayloadBits,
    long codebookBytes,
    long parameterBytes,
    long huffmanTableBytes,
    long denseBytes) {

  /** Bytes of the Huffman-coded index stream's payload (padded to a whole byte). */
  public long indexPayloadBytes() {
    return (indexPayloadBits + 7) >>> 3;
  }

  /** Bytes of the Huffman-coded gap stream's payload (padded to a whole byte). */
  public long gapPayloadBytes() {
    return (gapPayloadBits + 7) >>> 3;
  }

  /** Index bits per non-zero with fixed-width indices (pruning + quantization): indexBits. */
  public double fixedIndexBitsPerNonZero() {
    return nonZeros == 0 ? Double.NaN : indexBits;
  }

  /** Position bits per non-zero with fixed-width gaps, fillers included. */
  public double fixedPositionBitsPerNonZero() {
    return nonZeros == 0 ? Double.NaN : (double) gapBits * (nonZeros + fillers) / nonZeros;
  }

  /** Index bits per non-zero after Huffman coding (payload only). */
  public double huffmanIndexBitsPerNonZero() {
    return nonZeros == 0 ? Double.NaN : (double) indexPayloadBits / nonZeros;
  }

  /** Position bits per non-zero after Huffman coding (payload only, fillers included). */
  public double huffmanPositionBitsPerNonZero() {
    return nonZeros == 0 ? Double.NaN : (double) gapPayloadBits / nonZeros;
  }
}
