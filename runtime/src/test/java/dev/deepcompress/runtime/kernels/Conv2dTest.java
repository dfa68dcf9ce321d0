package dev.deepcompress.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.RandomSparse;
import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Conv2dTest {

  private record Case(LayerSpec.Convolution spec, Shape input, int first, int images) {
    int batch() {
      return first + images;
    }
  }

  private static Case randomCase(SplittableRandom random) {
    int padding = random.nextInt(3);
    Shape input = Shape.of(1 + random.nextInt(3), 1 + random.nextInt(9), 1 + random.nextInt(9));
    int fits = Math.min(input.dim(1), input.dim(2)) + 2 * padding;
    LayerSpec.Convolution spec =
        new LayerSpec.Convolution(
            "conv",
            input.dim(0),
            1 + random.nextInt(3),
            1 + random.nextInt(Math.min(5, fits)),
            1 + random.nextInt(3),
            padding);
    return new Case(spec, input, random.nextInt(2), 1 + random.nextInt(3));
  }

  private static float[] random(SplittableRandom random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }

  /** Every entry of the column matrix, from its definition; stale buffer contents must not stay. */
  @Test
  void im2colWritesEveryEntryAsDefined() {
    for (int seed = 0; seed < 100; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      Case c = randomCase(random);
      Conv2d conv = Conv2d.of(c.spec(), c.input());
      Shape out = c.spec().outputShape(c.input());
      float[] x = random(random, c.batch() * c.input().elementCount());
      float[] columns = new float[conv.columnsLength(c.images()) + 3];
      Arrays.fill(columns, Float.NaN);
      conv.im2col(x, c.first(), c.images(), columns);
      int k = c.spec().kernelSize();
      int height = c.input().dim(1);
      int width = c.input().dim(2);
      int pixels = out.dim(1) * out.dim(2);
      int ld = c.images() * pixels;
      for (int ch = 0; ch < c.input().dim(0); ch++) {
        for (int i = 0; i < k; i++) {
          for (int j = 0; j < k; j++) {
            for (int n = 0; n < c.images(); n++) {
              for (int oy = 0; oy < out.dim(1); oy++) {
                for (int ox = 0; ox < out.dim(2); ox++) {
                  int iy = oy * c.spec().stride() - c.spec().padding() + i;
                  int ix = ox * c.spec().stride() - c.spec().padding() + j;
                  float want =
                      iy < 0 || iy >= height || ix < 0 || ix >= width
                          ? 0f
                          : x[
                              (((c.first() + n) * c.input().dim(0) + ch) * height + iy) * width
                                  + ix];
                  int at = ((ch * k + i) * k + j) * ld + n * pixels + oy * out.dim(2) + ox;
                  assertEquals(want, columns[at], c + " seed " + seed + " at " + at);
                }
              }
            }
          }
        }
      }
      assertTrue(Float.isNaN(columns[columns.length - 1]), "wrote past the column matrix");
    }
  }

  /** col2im is the adjoint of im2col: ⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩ over the chunk's images. */
  @Test
  void col2imIsTheAdjointOfIm2col() {
    for (int seed = 0; seed < 100; seed++) {
      SplittableRandom random = new SplittableRandom(1000 + seed);
      Case c = randomCase(random);
      Conv2d conv = Conv2d.of(c.spec(), c.input());
      int imageSize = c.input().elementCount();
      float[] x = random(random, c.batch() * imageSize);
      float[] y = random(random, conv.columnsLength(c.images()));
      float[] columns = new float[y.length];
      conv.im2col(x, c.first(), c.images(), columns);
      float[] gradient = new float[x.length];
      Arrays.fill(gradient, 7f);
      conv.col2im(y, c.first(), c.images(), gradient);

      double left = 0;
      double scale = 0;
      for (int i = 0; i < y.length; i++) {
        left += (double) columns[i] * y[i];
        scale += Math.abs((double) columns[i] * y[i]);
      }
      double right = 0;
      for (int i = c.first() * imageSize; i < x.length; i++) {
        right += (double) x[i] * gradient[i];
      }
      assertEquals(left, right, 1e-5 * Math.max(1, scale), c + " seed " + seed);
      for (int i = 0; i < c.first() * imageSize; i++) {
        assertEquals(7f, gradient[i], "col2im touched an image outside its chunk");
      }
    }
  }

  /** The compressed-weight forward pass gives the outputs of the dense-weight (GEMM) one. */
  @Test
  void aCompressedWeightGivesTheOutputsOfItsDecoding() {
    for (int seed = 0; seed < 60; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      Case c = randomCase(random);
      Conv2d conv = Conv2d.of(c.spec(), c.input());
      int outChannels = c.spec().outputChannels();
      SparseQuantizedTensor weight =
          RandomSparse.tensor(
              random,
              Shape.of(outChannels, conv.patchSize()),
              random.nextDouble(),
              1 + random.nextInt(8),
              5);
      float[] bias = random(random, outChannels);
      int batch = c.batch();
      float[] x = random(random, batch * c.input().elementCount());
      int outputs = batch * outChannels * conv.outputPixels();
      float[] columns = new float[conv.columnsLength(Math.min(batch, conv.imagesPerChunk()))];
      float[] product = new float[conv.productLength(Math.min(batch, conv.imagesPerChunk()))];
      float[] want = new float[outputs];
      conv.forward(x, batch, weight.toDense(), bias, want, columns, product);
      float[] got = new float[outputs];
      conv.forward(
          x,
          batch,
          QuantizedSparseMatrix.of(weight, outChannels, conv.patchSize()),
          bias,
          got,
          columns,
          product);
      for (int i = 0; i < outputs; i++) {
        assertEquals(want[i], got[i], 1e-5f * Math.max(1f, Math.abs(want[i])), "seed " + seed);
      }
    }
  }

  @Test
  void aCompressedWeightOfTheWrongShapeIsRefused() {
    Conv2d conv = Conv2d.of(new LayerSpec.Convolution("conv", 2, 3, 3, 1, 0), Shape.of(2, 5, 5));
    SparseQuantizedTensor weight =
        RandomSparse.tensor(new SplittableRandom(1), Shape.of(3, 17), 0.5, 3, 5);
    QuantizedSparseMatrix wrong = QuantizedSparseMatrix.of(weight, 3, 17);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                conv.forward(
                    new float[50],
                    1,
                    wrong,
                    new float[3],
                    new float[27],
                    new float[162],
                    new float[27]));
    assertTrue(e.getMessage().contains("3 output channels × 18 taps"), e.getMessage());
  }

  @Test
  void aLayerWhoseColumnsCannotFitInAnArrayIsRefused() {
    // 200 × 5 × 5 taps at 46,340 × 20 output pixels: 4.6·10⁹ floats for one image.
    LayerSpec.Convolution spec = new LayerSpec.Convolution("huge", 200, 1, 5, 1, 2);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Conv2d.of(spec, Shape.of(200, 46340, 20)));
    assertTrue(
        e.getMessage().contains("huge") && e.getMessage().contains("would exceed"), e.getMessage());
  }
}
