package dev.deepcompress.datasets;

import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.runtime.model.Shape;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Labelled samples of one shape, with their values as stored (unsigned bytes or fp32) and, once
 * prepared for a model ({@link #withPreprocessing}), the model's {@link Preprocessing}, which turns
 * a sample into network input. The value and label arrays are shared, not copied (MNIST's training
 * set is 47 MB), so callers must not modify them.
 */
public final class SampleSet {

  /** How the values are stored. */
  public enum ElementType {
    UINT8,
    FLOAT32
  }

  private final String source;
  private final int count;
  private final Shape sampleShape;
  private final int sampleSize;
  // Exactly one of the two holds the values.
  private final byte[] bytes;
  private final float[] floats;
  private final int[] labels;
  private final Preprocessing preprocessing;

  private SampleSet(
      String source,
      int count,
      Shape sampleShape,
      byte[] bytes,
      float[] floats,
      int[] labels,
      Preprocessing preprocessing) {
    this.source = Objects.requireNonNull(source, "source");
    this.sampleShape = Objects.requireNonNull(sampleShape, "sampleShape");
    this.sampleSize = sampleShape.elementCount();
    if (count < 0) {
      throw new IllegalArgumentException("negative sample count " + count);
    }
    long values = bytes != null ? bytes.length : floats.length;
    if ((long) count * sampleSize != values) {
      throw new IllegalArgumentException(
          count
              + " samples of "
              + sampleShape
              + " need "
              + (long) count * sampleSize
              + " values, got "
              + values);
    }
    if (labels.length != count) {
      throw new IllegalArgumentException(
          count + " samples need " + count + " labels, got " + labels.length);
    }
    this.count = count;
    this.bytes = bytes;
    this.floats = floats;
    this.labels = labels;
    this.preprocessing = preprocessing;
  }

  /**
   * Samples stored as unsigned bytes (pixels).
   *
   * @param source where they came from, for messages (file names)
   * @param values {@code count × sampleShape.elementCount()} values, sample after sample
   * @param labels one per sample, each at least 0
   */
  public static SampleSet ofBytes(String source, Shape sampleShape, byte[] values, int[] labels) {
    return new SampleSet(
        source, labels.length, sampleShape, values, null, checkLabels(labels), null);
  }

  /** Samples stored as fp32 values; see {@link #ofBytes}. */
  public static SampleSet ofFloats(String source, Shape sampleShape, float[] values, int[] labels) {
    return new SampleSet(
        source, labels.length, sampleShape, null, values, checkLabels(labels), null);
  }

  private static int[] checkLabels(int[] labels) {
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0) {
        throw new IllegalArgumentException("label of sample " + i + " is negative: " + labels[i]);
      }
    }
    return labels;
  }

  /** Where the samples came from, e.g. the file names; for messages. */
  public String source() {
    return source;
  }

  public int count() {
    return count;
  }

  /** The shape of one sample, without the sample dimension. */
  public Shape sampleShape() {
    return sampleShape;
  }

  /** Values per sample. */
  public int sampleSize() {
    return sampleSize;
  }

  public ElementType elementType() {
    return bytes != null ? ElementType.UINT8 : ElementType.FLOAT32;
  }

  /** The values of a {@link ElementType#UINT8} set, shared. */
  public byte[] byteValues() {
    if (bytes == null) {
      throw new IllegalStateException(source + " holds fp32 values, not bytes");
    }
    return bytes;
  }

  /** The values of a {@link ElementType#FLOAT32} set, shared. */
  public float[] floatValues() {
    if (floats == null) {
      throw new IllegalStateException(source + " holds bytes, not fp32 values");
    }
    return floats;
  }

  /** Every label, shared. */
  public int[] labels() {
    return labels;
  }

  public int label(int i) {
    return labels[i];
  }

  /** Largest label plus one (0 for an empty set): the fewest classes a model needs for it. */
  public int classesNeeded() {
    int max = -1;
    for (int label : labels) {
      max = Math.max(max, label);
    }
    return max + 1;
  }

  /** The preprocessing of the model these samples were prepared for, if any. */
  public Optional<Preprocessing> preprocessing() {
    return Optional.ofNullable(preprocessing);
  }

  /** The same samples (shared) prepared with a model's preprocessing. */
  public SampleSet withPreprocessing(Preprocessing preprocessing) {
    return new SampleSet(
        source,
        count,
        sampleShape,
        bytes,
        floats,
        labels,
        Objects.requireNonNull(preprocessing, "preprocessing"));
  }

  /**
   * Writes sample {@code sample} as network input, preprocessed, to {@code out[offset …]}.
   *
   * @throws IllegalStateException if the set was not prepared with a preprocessing
   */
  public void copyInput(int sample, float[] out, int offset) {
    Preprocessing p = requirePreprocessing();
    int from = sample * sampleSize;
    if (bytes != null) {
      p.apply(bytes, from, out, offset, sampleSize);
    } else {
      p.apply(floats, from, out, offset, sampleSize);
    }
  }

  Preprocessing requirePreprocessing() {
    if (preprocessing == null) {
      throw new IllegalStateException(
          source + " has not been prepared with a model's input preprocessing");
    }
    return preprocessing;
  }

  /**
   * These samples prepared for a model: checked against its input shape and its number of outputs,
   * with its preprocessing attached. A sample fits the input when both have as many elements and
   * either the sample is a flat vector, or the input is flat and the sample a single-channel image
   * (flattened row by row), or the shapes are equal once dimensions of size 1 are left out (so
   * 28×28 images fit a 1×28×28 input and a 784 one, and 784-vectors fit either).
   *
   * @param classes the model's number of outputs; every label must be below it
   * @throws DatasetException naming the source and what does not fit
   */
  public SampleSet preparedFor(Shape inputShape, int classes, Preprocessing preprocessing)
      throws DatasetException {
    if (!fits(sampleShape, inputShape)) {
      throw new DatasetException(
          source
              + ": samples of shape "
              + sampleShape
              + " do not fit the model's input of shape "
              + inputShape
              + (sampleShape.elementCount() == inputShape.elementCount()
                  ? " (same size, different layout)"
                  : ""));
    }
    for (int i = 0; i < count; i++) {
      if (labels[i] >= classes) {
        throw new DatasetException(
            source
                + ": label "
                + labels[i]
                + " of sample "
                + i
                + " is outside 0.."
                + (classes - 1)
                + ": the model has "
                + classes
                + " outputs");
      }
    }
    return withPreprocessing(preprocessing);
  }

  private static boolean fits(Shape sample, Shape input) {
    if (sample.elementCount() != input.elementCount()) {
      return false;
    }
    // A single-channel image flattens one way only (row by row, as a network given a flat
    // input, an MLP exported from PyTorch say, was fed it); several channels could go either way.
    boolean flatInputOfPlainImages = input.rank() == 1 && withoutOnes(sample).length <= 2;
    return sample.rank() == 1
        || flatInputOfPlainImages
        || Arrays.equals(withoutOnes(sample), withoutOnes(input));
  }

  private static int[] withoutOnes(Shape shape) {
    return Arrays.stream(shape.dims()).filter(d -> d != 1).toArray();
  }

  /** A copy of samples {@code from} (inclusive) to {@code to} (exclusive). */
  public SampleSet subset(int from, int to) {
    if (from < 0 || to < from || to > count) {
      throw new IllegalArgumentException(
          "subset [" + from + ", " + to + ") is not within [0, " + count + ")");
    }
    int[] indices = new int[to - from];
    Arrays.setAll(indices, i -> from + i);
    return select(indices);
  }

  /** A copy of the samples at {@code indices}, in that order. */
  public SampleSet select(int[] indices) {
    int n = indices.length;
    byte[] selectedBytes = bytes == null ? null : new byte[n * sampleSize];
    float[] selectedFloats = floats == null ? null : new float[n * sampleSize];
    int[] selectedLabels = new int[n];
    for (int i = 0; i < n; i++) {
      int index = Objects.checkIndex(indices[i], count);
      if (bytes != null) {
        System.arraycopy(bytes, index * sampleSize, selectedBytes, i * sampleSize, sampleSize);
      } else {
        System.arraycopy(floats, index * sampleSize, selectedFloats, i * sampleSize, sampleSize);
      }
      selectedLabels[i] = labels[index];
    }
    return new SampleSet(
        source, n, sampleShape, selectedBytes, selectedFloats, selectedLabels, preprocessing);
  }

  @Override
  public String toString() {
    return count
        + " samples of "
        + sampleShape
        + " "
        + elementType().name().toLowerCase(Locale.ROOT)
        + " from "
        + source;
  }
}
