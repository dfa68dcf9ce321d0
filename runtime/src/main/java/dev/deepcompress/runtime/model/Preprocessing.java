package dev.deepcompress.runtime.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a raw input sample (pixel values as stored, say) becomes the network's input: element {@code
 * i} of a sample turns into {@code (raw[i] × scale − mean[c]) / std[c]}, each operation rounded to
 * fp32 in that order, where {@code c} is the element's channel. The values are per channel of a
 * channels-first image ({@link Layout#CHANNELS_FIRST}: a sample is C×H×W and element {@code i} is
 * in channel {@code i / (H·W)}) or per feature of a flat vector ({@link Layout#FLAT}: element
 * {@code i} is feature {@code i}); a single mean and std apply to every element. This is {@code
 * ToTensor} followed by {@code Normalize} with {@code scale = 1/255}, or Caffe's {@code scale} with
 * {@code scale = 1/256} and no mean.
 *
 * <p>Immutable and safe to share between threads. Validated on construction: every value finite,
 * scale and std above zero, as many mean as std values (a single one is repeated for every
 * channel). Whether the channel count fits a model's input is {@link #checkInputShape(Shape)}.
 */
public final class Preprocessing {

  /** How the elements of a sample are arranged, which says which channel each belongs to. */
  public enum Layout {
    /** A vector of features; a mean and std per feature, or one for all. */
    FLAT(1, "flat vector"),
    /** An image of C channels, each H×W row-major, channel after channel. */
    CHANNELS_FIRST(2, "channels-first image");

    private final int id;
    private final String description;

    Layout(int id, String description) {
      this.id = id;
      this.description = description;
    }

    /** The number the model file stores for this layout; never renumbered. */
    public int id() {
      return id;
    }

    public String description() {
      return description;
    }

    /** The layout with this file id. */
    public static Layout ofId(int id) {
      for (Layout layout : values()) {
        if (layout.id == id) {
          return layout;
        }
      }
      throw new IllegalArgumentException("unknown input layout " + id);
    }
  }

  private final Layout layout;
  private final float scale;
  private final float[] mean;
  private final float[] std;
  // (x × scale − 0) / 1 is x × scale exactly, so the common case skips the subtraction and
  // division.
  private final boolean scaleOnly;

  private Preprocessing(Layout layout, float scale, float[] mean, float[] std) {
    this.layout = layout;
    this.scale = scale;
    this.mean = mean;
    this.std = std;
    boolean plain = true;
    for (int c = 0; c < mean.length; c++) {
      // +0 only: x − (−0) turns a −0 input into +0.
      plain &= Float.floatToRawIntBits(mean[c]) == 0 && std[c] == 1f;
    }
    this.scaleOnly = plain;
  }

  /**
   * Scale, then per-channel standardisation.
   *
   * @param mean one value per channel, or one for every channel
   * @param std one value per channel, or one for every channel
   * @throws IllegalArgumentException if a value is not finite, scale or a std is not above zero,
   *     either array is empty, or they hold different numbers of values other than one
   */
  public static Preprocessing of(Layout layout, float scale, float[] mean, float[] std) {
    if (layout == null) {
      throw new IllegalArgumentException("input layout is missing");
    }
    if (!Float.isFinite(scale) || scale <= 0) {
      throw new IllegalArgumentException("input scale must be finite and above 0, got " + scale);
    }
    if (mean.length == 0 || std.length == 0) {
      throw new IllegalArgumentException("input mean and std need at least one value each");
    }
    int channels = Math.max(mean.length, std.length);
    if (mean.length != std.length && mean.length != 1 && std.length != 1) {
      throw new IllegalArgumentException(
          "input mean has "
              + mean.length
              + " values and std "
              + std.length
              + ": give as many of each, or one for every channel");
    }
    float[] means = broadcast(mean, channels);
    float[] stds = broadcast(std, channels);
    for (int c = 0; c < channels; c++) {
      if (!Float.isFinite(means[c])) {
        throw new IllegalArgumentException(
            "input mean must be finite, got " + means[c] + valueIndex(c, channels));
      }
      if (!Float.isFinite(stds[c]) || stds[c] <= 0) {
        throw new IllegalArgumentException(
            "input std must be finite and above 0, got " + stds[c] + valueIndex(c, channels));
      }
    }
    return new Preprocessing(layout, scale, means, stds);
  }

  /** Multiplication by {@code scale} alone (mean 0, std 1 for every channel). */
  public static Preprocessing scaled(Layout layout, float scale) {
    return of(layout, scale, new float[] {0f}, new float[] {1f});
  }

  /** Inputs go to the network as they are. */
  public static Preprocessing identity() {
    return scaled(Layout.FLAT, 1f);
  }

  private static float[] broadcast(float[] values, int count) {
    if (values.length == count) {
      return values.clone();
    }
    float[] repeated = new float[count];
    Arrays.fill(repeated, values[0]);
    return repeated;
  }

  private static String valueIndex(int c, int channels) {
    return channels == 1 ? "" : " (value " + (c + 1) + " of " + channels + ")";
  }

  public Layout layout() {
    return layout;
  }

  public float scale() {
    return scale;
  }

  /** One value per channel (a single value applies to every channel); a copy. */
  public float[] mean() {
    return mean.clone();
  }

  /** As many values as {@link #mean()}; a copy. */
  public float[] std() {
    return std.clone();
  }

  /** Number of mean (and std) values: 1, or the channel count. */
  public int channelValues() {
    return mean.length;
  }

  /** Whether this maps every input to itself. */
  public boolean isIdentity() {
    return scaleOnly && scale == 1f;
  }

  /**
   * The channels an input of this shape has under this layout: C of a C×H×W image, or the element
   * count of a flat vector.
   *
   * @throws IllegalArgumentException if the layout is channels-first and the shape is not C×H×W
   */
  public int channelsOf(Shape inputShape) {
    return switch (layout) {
      case FLAT -> inputShape.elementCount();
      case CHANNELS_FIRST -> {
        if (inputShape.rank() != 3) {
          throw new IllegalArgumentException(
              "channels-first input preprocessing needs a C×H×W input, but the input shape is "
                  + inputShape);
        }
        yield inputShape.dim(0);
      }
    };
  }

  /**
   * Checks that the mean and std values fit an input of this shape: one, or one per channel.
   *
   * @throws IllegalArgumentException naming the counts if they do not
   */
  public void checkInputShape(Shape inputShape) {
    int channels = channelsOf(inputShape);
    if (mean.length != 1 && mean.length != channels) {
      throw new IllegalArgumentException(
          "input preprocessing has "
              + mean.length
              + " mean and std values, but a "
              + layout.description()
              + " of shape "
              + inputShape
              + " has "
              + channels
              + (layout == Layout.FLAT ? " feature" : " channel")
              + (channels == 1 ? ": give one value" : "s: give one value or " + channels));
    }
  }

  /**
   * Preprocesses one sample of unsigned bytes.
   *
   * @param sampleSize elements in the sample; a multiple of {@link #channelValues()}
   */
  public void apply(byte[] raw, int rawOffset, float[] out, int outOffset, int sampleSize) {
    if (scaleOnly) {
      for (int i = 0; i < sampleSize; i++) {
        out[outOffset + i] = Byte.toUnsignedInt(raw[rawOffset + i]) * scale;
      }
      return;
    }
    int plane = plane(sampleSize);
    for (int c = 0; c < mean.length; c++) {
      float m = mean[c];
      float s = std[c];
      int from = c * plane;
      for (int i = from; i < from + plane; i++) {
        out[outOffset + i] = (Byte.toUnsignedInt(raw[rawOffset + i]) * scale - m) / s;
      }
    }
  }

  /**
   * Preprocesses one sample of fp32 values.
   *
   * @param sampleSize elements in the sample; a multiple of {@link #channelValues()}
   */
  public void apply(float[] raw, int rawOffset, float[] out, int outOffset, int sampleSize) {
    if (scaleOnly) {
      for (int i = 0; i < sampleSize; i++) {
        out[outOffset + i] = raw[rawOffset + i] * scale;
      }
      return;
    }
    int plane = plane(sampleSize);
    for (int c = 0; c < mean.length; c++) {
      float m = mean[c];
      float s = std[c];
      int from = c * plane;
      for (int i = from; i < from + plane; i++) {
        out[outOffset + i] = (raw[rawOffset + i] * scale - m) / s;
      }
    }
  }

  /** Elements per channel. */
  private int plane(int sampleSize) {
    if (sampleSize % mean.length != 0) {
      throw new IllegalArgumentException(
          "a sample of "
              + sampleSize
              + " elements does not split into "
              + mean.length
              + " channels");
    }
    return sampleSize / mean.length;
  }

  /** E.g. "channels-first image, (x × 0.00390625 − 0) / 1". */
  public String describe() {
    return layout.description()
        + ", (x × "
        + number(scale)
        + " − "
        + numbers(mean)
        + ") / "
        + numbers(std);
  }

  private static String numbers(float[] values) {
    if (values.length == 1) {
      return number(values[0]);
    }
    StringBuilder text = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      text.append(i > 0 ? ", " : "").append(number(values[i]));
    }
    return text.append(']').toString();
  }

  /** The shortest decimal that reads back as the same float, without a useless ".0". */
  private static String number(float value) {
    String text = Float.toString(value);
    if (text.endsWith(".0")) {
      text = text.substring(0, text.length() - 2);
    }
    return text.toLowerCase(Locale.ROOT);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Preprocessing p
        && layout == p.layout
        && Float.floatToIntBits(scale) == Float.floatToIntBits(p.scale)
        && Arrays.equals(mean, p.mean)
        && Arrays.equals(std, p.std);
  }

  @Override
  public int hashCode() {
    return ((layout.hashCode() * 31 + Float.hashCode(scale)) * 31 + Arrays.hashCode(mean)) * 31
        + Arrays.hashCode(std);
  }

  @Override
  public String toString() {
    return "Preprocessing[" + describe() + "]";
  }
}
