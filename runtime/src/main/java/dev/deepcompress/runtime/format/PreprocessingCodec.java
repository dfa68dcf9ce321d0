package dev.deepcompress.runtime.format;

import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.runtime.model.Shape;

/** Payload of the PREP section: layout, scale, then the mean and std of each channel. */
final class PreprocessingCodec {
  /** The minor format version that introduced the PREP section. */
  static final int SINCE_MINOR_VERSION = 2;

  private PreprocessingCodec() {}

  static void write(ByteWriter out, Preprocessing preprocessing) {
    out.u8(preprocessing.layout().id());
    out.floats(new float[] {preprocessing.scale()});
    out.u32(preprocessing.channelValues());
    out.floats(preprocessing.mean());
    out.floats(preprocessing.std());
  }

  static Preprocessing read(ByteReader in, Shape inputShape) throws ModelFormatException {
    int start = in.position();
    int layoutId = in.u8("input layout");
    Preprocessing.Layout layout;
    try {
      layout = Preprocessing.Layout.ofId(layoutId);
    } catch (IllegalArgumentException e) {
      throw in.errorAt(
          start,
          "unknown input layout "
              + layoutId
              + " (this reader knows 1, flat vector, and 2, channels-first image)");
    }
    float[] scale = new float[1];
    in.floats(scale);
    int countAt = in.position();
    long count = in.u32("mean and std count");
    // Each channel takes a mean and a std, 8 bytes.
    if (count == 0 || count > in.remaining() / 8) {
      throw in.errorAt(
          countAt,
          "mean and std count "
              + count
              + " is impossible: it must be at least 1 and the remaining "
              + in.remaining()
              + " bytes hold at most "
              + in.remaining() / 8);
    }
    float[] mean = new float[(int) count];
    float[] std = new float[(int) count];
    in.floats(mean);
    in.floats(std);
    in.requireEnd();
    try {
      Preprocessing preprocessing = Preprocessing.of(layout, scale[0], mean, std);
      preprocessing.checkInputShape(inputShape);
      return preprocessing;
    } catch (IllegalArgumentException e) {
      throw in.errorAt(start, "invalid input preprocessing: " + e.getMessage());
    }
  }
}
