package dev.deepcompress.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Convolution and max pooling layers against plain nested loops written from the definitions. */
class ConvolutionLayerTest {

  /** Caffe's convolution: zero padding, floor output size, weight [O, C, k, k]. */
  private static double[] naiveConvolution(
      LayerSpec.Convolution spec, Shape in, float[] w, float[] b, float[] x, int batch) {
    int channels = in.dim(0);
    int height = in.dim(1);
    int width = in.dim(2);
    int k = spec.kernelSize();
    int outHeight = (height + 2 * spec.padding() - k) / spec.stride() + 1;
    int outWidth = (width + 2 * spec.padding() - k) / spec.stride() + 1;
    double[] y = new double[batch * spec.outputChannels() * outHeight * outWidth];
    int index = 0;
    for (int n = 0; n < batch; n++) {
      for (int o = 0; o < spec.outputChannels(); o++) {
        for (int oy = 0; oy < outHeight; oy++) {
          for (int ox = 0; ox < outWidth; ox++) {
            double sum = b[o];
            for (int c = 0; c < channels; c++) {
              for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                  int iy = oy * spec.stride() - spec.padding() + i;
                  int ix = ox * spec.stride() - spec.padding() + j;
                  if (iy >= 0 && iy < height && ix >= 0 && ix < width) {
                    sum +=
                        (double) w[((o * channels + c) * k + i) * k + j]
                            * x[((n * channels + c) * height + iy) * width + ix];
                  }
                }
              }
            }
            y[index++] = sum;
          }
        }
      }
    }
    return y;
  }

  /** Caffe's max pooling: ceil output size, windows clipped to the input. */
  private static float[] naiveMaxPool(LayerSpec.MaxPool spec, Shape in, float[] x, int batch) {
    int height = in.dim(1);
    int width = in.dim(2);
    int k = spec.kernelSize();
    int s = spec.stride();
    int outHeight = (int) Math.ceil((double) (height - k) / s) + 1;
    int outWidth = (int) Math.ceil((double) (width - k) / s) + 1;
    float[] y = new float[batch * in.dim(0) * outHeight * outWidth];
    int index = 0;
    for (int plane = 0; plane < batch * in.dim(0); plane++) {
      for (int oy = 0; oy < outHeight; oy++) {
        for (int ox = 0; ox < outWidth; ox++) {
          float max = Float.NEGATIVE_INFINITY;
          for (int iy = oy * s; iy < Math.min(oy * s + k, height); iy++) {
            for (int ix = ox * s; ix < Math.min(ox * s + k, width); ix++) {
              max = Math.max(max, x[(plane * height + iy) * width + ix]);
            }
          }
          y[index++] = max;
        }
      }
    }
    return y;
  }

  private static float[] random(SplittableRandom random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }

  private static void assertClose(double[] expected, float[] actual, int length, String where) {
    double scale = 1e-3;
    for (double v : expected) {
      scale = Math.max(scale, Math.abs(v));
    }
    for (int i = 0; i < length; i++) {
      assertEquals(expected[i], actual[i], 1e-5 * scale, where + " [" + i + "]");
    }
  }

  private static ConvolutionLayer convolution(LayerSpec.Convolution spec, Shape in, long seed) {
    Network network = Network.initialize(new Architecture("c", in, List.of(spec)), seed);
    float[] bias = network.parameter(spec.biasName()).values();
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < bias.length; i++) {
      bias[i] = (float) random.nextGaussian();
    }
    return (ConvolutionLayer) network.layers().get(0);
  }

  @Test
  void convolutionForwardAgreesWithNestedLoopsOnRandomShapes() {
    for (int seed = 0; seed < 60; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      int padding = random.nextInt(3);
      Shape in = Shape.of(1 + random.nextInt(4), 1 + random.nextInt(12), 1 + random.nextInt(12));
      int fits = Math.min(in.dim(1), in.dim(2)) + 2 * padding;
      LayerSpec.Convolution spec =
          new LayerSpec.Convolution(
              "conv",
              in.dim(0),
              1 + random.nextInt(5),
              1 + random.nextInt(Math.min(5, fits)),
              1 + random.nextInt(3),
              padding);
      ConvolutionLayer layer = convolution(spec, in, seed);
      int batch = 1 + random.nextInt(4);
      float[] x = random(random, batch * in.elementCount());
      // Twice, so that buffers reused from a larger batch do not leak into a smaller one.
      for (int round = 0; round < 2; round++) {
        int b = round == 0 ? batch : Math.max(1, batch - 1);
        float[] y = layer.forward(x, b);
        double[] want =
            naiveConvolution(
                spec,
                in,
                layer.parameters().get(0).values(),
                layer.parameters().get(1).values(),
                x,
                b);
        assertClose(want, y, want.length, spec + " on " + in + ", batch " + b);
      }
    }
  }

  @Test
  void maxPoolForwardAgreesWithNestedLoopsOnRandomShapes() {
    int tested = 0;
    for (int seed = 0; seed < 100; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      int kernel = 1 + random.nextInt(4);
      LayerSpec.MaxPool spec =
          new LayerSpec.MaxPool("pool", kernel, 1 + random.nextInt(kernel + 2));
      Shape in =
          Shape.of(1 + random.nextInt(3), kernel + random.nextInt(10), kernel + random.nextInt(10));
      try {
        spec.outputShape(in);
      } catch (IllegalArgumentException rejected) {
        continue; // a window wholly outside the input (stride above the kernel)
      }
      MaxPoolLayer layer = new MaxPoolLayer(spec, in);
      int batch = 1 + random.nextInt(3);
      float[] x = random(random, batch * in.elementCount());
      float[] want = naiveMaxPool(spec, in, x, batch);
      float[] y = layer.forward(x, batch);
      assertArrayEquals(
          want, Arrays.copyOf(y, want.length), spec + " on " + in + " → " + layer.outputShape());
      tested++;
    }
    assertTrue(tested > 60, "tested " + tested);
  }

  /** Caffe's ceil: a 5×5 input pooled 2×2 with stride 2 gives 3×3, the last windows clipped. */
  @Test
  void maxPoolByHandWithClippedWindows() {
    MaxPoolLayer pool = new MaxPoolLayer(new LayerSpec.MaxPool("pool", 2, 2), Shape.of(1, 5, 5));
    float[] x = new float[25];
    for (int i = 0; i < 25; i++) {
      x[i] = i;
    }
    assertEquals(Shape.of(1, 3, 3), pool.outputShape());
    assertArrayEquals(
        new float[] {6, 8, 9, 16, 18, 19, 21, 23, 24}, Arrays.copyOf(pool.forward(x, 1), 9));
  }

  /** Like Caffe, the first maximum in row-major order takes the whole gradient. */
  @Test
  void tiesSendTheGradientToTheFirstMaximum() {
    MaxPoolLayer pool = new MaxPoolLayer(new LayerSpec.MaxPool("pool", 3, 2), Shape.of(1, 5, 4));
    float[] x = new float[20];
    Arrays.fill(x, 0.5f);
    x[6] = 2f; // row 1, column 2: the maximum of window (0, 0), tied with x[7] in window (0, 1)
    x[7] = 2f;
    pool.forward(x, 1);
    // Output 2×2 (rows: ceil(2/2) + 1, columns: ceil(1/2) + 1), windows at rows 0, 2 and columns
    // 0, 2; the one at column 2 is clipped to columns 2-3.
    float[] dy = {1, 10, 100, 1000};
    float[] dx = pool.backward(dy, 1, true);
    float[] want = new float[20];
    want[6] = 1 + 10; // the first 2 in both top windows
    want[2 * 4] = 100; // window (1, 0) starts at row 2, column 0: all 0.5
    want[2 * 4 + 2] = 1000; // window (1, 1) starts at row 2, column 2
    assertArrayEquals(want, Arrays.copyOf(dx, 20));
  }

  /** The unrolled 2×2 windows keep the first of tied maxima, −0 and +0 counting as equal. */
  @Test
  void tiesInTwoByTwoWindowsGoToTheFirstMaximum() {
    MaxPoolLayer pool = new MaxPoolLayer(new LayerSpec.MaxPool("pool", 2, 2), Shape.of(1, 2, 4));
    float[] x = {-0f, 0f, 3f, 1f, 0f, -1f, 2f, 3f};
    assertArrayEquals(new float[] {-0f, 3f}, Arrays.copyOf(pool.forward(x, 1), 2));
    float[] dx = pool.backward(new float[] {1, 10}, 1, true);
    assertArrayEquals(new float[] {1, 0, 10, 0, 0, 0, 0, 0}, Arrays.copyOf(dx, 8));
  }

  /**
   * Images whose column matrices exceed the chunk budget one by one are processed a chunk at a
   * time, and backward rebuilds the columns: the batch must give what the images give alone.
   */
  @Test
  void aBatchOfSeveralChunksMatchesItsImagesOneByOne() {
    Shape in = Shape.of(9, 104, 104); // 225 × 10,000 floats of columns per image
    LayerSpec.Convolution spec = new LayerSpec.Convolution("conv", 9, 2, 5, 1, 0);
    ConvolutionLayer layer = convolution(spec, in, 5);
    int batch = 3;
    int inSize = in.elementCount();
    int outSize = layer.outputShape().elementCount();
    SplittableRandom random = new SplittableRandom(6);
    float[] x = random(random, batch * inSize);
    float[] dy = random(random, batch * outSize);

    float[] y = layer.forward(x, batch).clone();
    float[] dx = layer.backward(dy, batch, true).clone();
    float[] dw = layer.parameters().get(0).gradient().clone();
    float[] db = layer.parameters().get(1).gradient().clone();

    double[] dwSum = new double[dw.length];
    double[] dbSum = new double[db.length];
    for (int n = 0; n < batch; n++) {
      float[] xn = Arrays.copyOfRange(x, n * inSize, (n + 1) * inSize);
      float[] yn = layer.forward(xn, 1);
      assertArrayEquals(
          Arrays.copyOfRange(y, n * outSize, (n + 1) * outSize),
          Arrays.copyOf(yn, outSize),
          "output of image " + n);
      float[] dxn = layer.backward(Arrays.copyOfRange(dy, n * outSize, (n + 1) * outSize), 1, true);
      for (int i = 0; i < inSize; i++) {
        assertEquals(dxn[i], dx[n * inSize + i], 1e-5f, "input gradient of image " + n);
      }
      for (int i = 0; i < dw.length; i++) {
        dwSum[i] += layer.parameters().get(0).gradient()[i];
      }
      for (int i = 0; i < db.length; i++) {
        dbSum[i] += layer.parameters().get(1).gradient()[i];
      }
    }
    assertClose(dwSum, dw, dw.length, "weight gradient");
    assertClose(dbSum, db, db.length, "bias gradient");
  }
}
