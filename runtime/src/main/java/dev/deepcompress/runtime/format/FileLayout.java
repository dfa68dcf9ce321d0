package dev.deepcompress.runtime.format;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Where the bytes of a model file go. Every byte belongs to exactly one {@link Component}, so the
 * components sum to the file size.
 *
 * @param fileBytes size of the whole file
 * @param components bytes per component, every component present (0 if unused)
 * @param tensors one entry per TENS section, in file order
 */
public record FileLayout(
    long fileBytes, Map<Component, Long> components, List<TensorLayout> tensors) {

  public enum Component {
    /** Payloads of the Huffman-coded codebook index streams. */
    CODEBOOK_INDICES,
    /** Payloads of the Huffman-coded position gap streams. */
    POSITION_GAPS,
    /** Codebook entry counts and fp32 entries (encoding 1, and encoding 2's tables). */
    CODEBOOKS,
    /**
     * The parameters of encoding-2 levels that are not a table: affine group sizes, scales and zero
     * points; powers of two's base and top exponent.
     */
    QUANTIZER_PARAMETERS,
    /** Code-length tables and symbol and bit counts of every Huffman stream. */
    HUFFMAN_TABLES,
    /** fp32 values of dense tensors whose role is bias. */
    BIASES,
    /** Everything but the framing of quantized (encoding 1 or 2) tensors whose role is bias. */
    QUANTIZED_BIASES,
    /** fp32 values of dense tensors whose role is weight. */
    DENSE_WEIGHTS,
    /**
     * Everything else: header, section framing and CRCs, architecture, metadata, END, and each
     * tensor's name, encoding, shape, bit widths and non-zero count.
     */
    HEADER_AND_OTHER
  }

  public FileLayout {
    EnumMap<Component, Long> all = new EnumMap<>(Component.class);
    for (Component c : Component.values()) {
      all.put(c, components.getOrDefault(c, 0L));
    }
    components = Collections.unmodifiableMap(all);
    tensors = List.copyOf(tensors);
  }

  public long bytes(Component component) {
    return components.get(component);
  }
}
