package dev.deepcompress.runtime;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Run in a JVM of its own by {@link ScalarFallbackTest}: loads a model file, classifies {@code
 * count} random pixel images and prints one line per image, its class then its outputs.
 */
public final class ScalarFallbackMain {
  private ScalarFallbackMain() {}

  public static void main(String[] args) throws Exception {
    CompressedModel model = CompressedModel.load(Path.of(args[0]));
    for (float[] sample : randomPixels(Integer.parseInt(args[1]), Long.parseLong(args[2]))) {
      System.out.println(model.classify(sample) + " " + Arrays.toString(model.predict(sample)));
    }
  }

  /** Mostly dark 28×28 images with pixel values 0-255, like digits. */
  static float[][] randomPixels(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[][] samples = new float[count][784];
    for (float[] sample : samples) {
      for (int i = 0; i < sample.length; i++) {
        sample[i] = random.nextInt(4) == 0 ? random.nextInt(256) : 0;
      }
    }
    return samples;
  }
}
