package dev.deepcompress.runtime.format;

/**
 * How large a model a reader accepts, so that a small file cannot make the runtime allocate what it
 * cannot justify (docs/model-format.md §8.1). A sparse tensor of 2³¹−1 elements with no stored
 * weights takes a few bytes, yet decoding it, or running the layer it belongs to, takes gigabytes.
 *
 * <p>The reader refuses, with a {@link ModelFormatException} at the offending layer, an
 * architecture that declares more than {@code maxElements} elements in any of:
 *
 * <ul>
 *   <li>all its parameters together (so every dense decode of a tensor, and all of them at once,
 *       stay within the limit);
 *   <li>the input of the model or the output of any one layer, for one sample;
 *   <li>the im2col column matrix of any one convolution for one sample (C·k·k × output pixels).
 * </ul>
 *
 * Loading a model and running it on one sample then allocates a small multiple of {@code
 * maxElements} fp32 values at most.
 *
 * @param maxElements at least 1; {@link Long#MAX_VALUE} turns the limit off
 */
public record ReadLimits(long maxElements) {
  /** System property that overrides {@link #DEFAULT_MAX_ELEMENTS} for {@link #defaults()}. */
  public static final String MAX_ELEMENTS_PROPERTY = "deepcompress.maxElements";

  /**
   * 2²⁸ elements, 1 GiB as fp32: above every network this project reproduces or benchmarks (VGG-16
   * has 138 million parameters), and small enough that a hostile file cannot exhaust a desktop.
   */
  public static final long DEFAULT_MAX_ELEMENTS = 1L << 28;

  public ReadLimits {
    if (maxElements < 1) {
      throw new IllegalArgumentException("maxElements must be at least 1, got " + maxElements);
    }
  }

  /**
   * {@value #MAX_ELEMENTS_PROPERTY} if that system property is set, else {@link
   * #DEFAULT_MAX_ELEMENTS}; read at every call.
   *
   * @throws IllegalArgumentException if the property is not a whole number of at least 1
   */
  public static ReadLimits defaults() {
    String value = System.getProperty(MAX_ELEMENTS_PROPERTY);
    if (value == null) {
      return new ReadLimits(DEFAULT_MAX_ELEMENTS);
    }
    try {
      return new ReadLimits(Long.parseLong(value.strip()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "system property " + MAX_ELEMENTS_PROPERTY + " must be a whole number ≥ 1, got " + value);
    }
  }

  /** What an error says after the count that broke the limit. */
  String exceeded() {
    return String.format(
        ", above the limit of %,d elements (the system property %s raises it)",
        maxElements, MAX_ELEMENTS_PROPERTY);
  }
}
