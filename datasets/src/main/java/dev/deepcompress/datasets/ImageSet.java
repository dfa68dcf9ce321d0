package dev.deepcompress.datasets;

import java.util.Arrays;

/**
 * Labelled grey-scale images. The arrays are shared, not copied (the training set is 47 MB), so
 * callers must not modify them.
 *
 * @param count number of images
 * @param rows image height
 * @param cols image width
 * @param pixels unsigned bytes, row-major, {@code count * rows * cols}
 * @param labels one per image, {@code 0 .. classes-1}
 */
public record ImageSet(int count, int rows, int cols, byte[] pixels, byte[] labels) {

  public ImageSet {
    if (count < 0 || rows <= 0 || cols <= 0) {
      throw new IllegalArgumentException(
          "invalid image set shape: " + count + " images of " + rows + "×" + cols);
    }
    if ((long) count * rows * cols != pixels.length) {
      throw new IllegalArgumentException(
          count
              + " images of "
              + rows
              + "×"
              + cols
              + " need "
              + (long) count * rows * cols
              + " pixels, got "
              + pixels.length);
    }
    if (labels.length != count) {
      throw new IllegalArgumentException(
          count + " images need " + count + " labels, got " + labels.length);
    }
  }

  public int pixelsPerImage() {
    return rows * cols;
  }

  /** The label of image {@code i} as an unsigned value. */
  public int label(int i) {
    return Byte.toUnsignedInt(labels[i]);
  }

  /** A copy of images {@code from} (inclusive) to {@code to} (exclusive). */
  public ImageSet subset(int from, int to) {
    if (from < 0 || to < from || to > count) {
      throw new IllegalArgumentException(
          "subset [" + from + ", " + to + ") is not within [0, " + count + ")");
    }
    int ppi = pixelsPerImage();
    return new ImageSet(
        to - from,
        rows,
        cols,
        Arrays.copyOfRange(pixels, from * ppi, to * ppi),
        Arrays.copyOfRange(labels, from, to));
  }

  /** A copy of the images at {@code indices}, in that order. */
  public ImageSet select(int[] indices) {
    int ppi = pixelsPerImage();
    byte[] selectedPixels = new byte[Math.multiplyExact(indices.length, ppi)];
    byte[] selectedLabels = new byte[indices.length];
    for (int j = 0; j < indices.length; j++) {
      int i = indices[j];
      if (i < 0 || i >= count) {
        throw new IllegalArgumentException("image " + i + " is not within [0, " + count + ")");
      }
      System.arraycopy(pixels, i * ppi, selectedPixels, j * ppi, ppi);
      selectedLabels[j] = labels[i];
    }
    return new ImageSet(indices.length, rows, cols, selectedPixels, selectedLabels);
  }
}
