package dev.deepcompress.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.deepcompress.runtime.inference.Argmax;
import java.nio.FloatBuffer;
import java.util.Map;

/** ONNX Runtime as the independent implementation the exported files are checked against. */
final class OnnxRuntimeOracle {
  private OnnxRuntimeOracle() {}

  /**
   * Runs the model's one input through ONNX Runtime.
   *
   * @param inputShape the input's dimensions after the batch
   * @return the outputs, row-major, batch first
   */
  static float[] run(byte[] model, float[] inputs, int batch, int... inputShape)
      throws OrtException {
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    long[] shape = new long[inputShape.length + 1];
    shape[0] = batch;
    for (int i = 0; i < inputShape.length; i++) {
      shape[i + 1] = inputShape[i];
    }
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      try (OrtSession session = environment.createSession(model, options);
          OnnxTensor input = OnnxTensor.createTensor(environment, FloatBuffer.wrap(inputs), shape);
          OrtSession.Result result =
              session.run(Map.of(session.getInputNames().iterator().next(), input))) {
        FloatBuffer output = ((OnnxTensor) result.get(0)).getFloatBuffer();
        float[] values = new float[output.remaining()];
        output.get(values);
        return values;
      }
    }
  }

  /**
   * Each output within 1e-4 of the expected one, relative to the largest magnitude in its row (an
   * output near zero cannot be compared relative to itself), and the same argmax in every row.
   */
  static void assertAgree(float[] expected, float[] actual, int batch, String what) {
    assertEquals(expected.length, actual.length, what + ": output length");
    int width = expected.length / batch;
    for (int row = 0; row < batch; row++) {
      double scale = 1e-6;
      for (int j = 0; j < width; j++) {
        scale = Math.max(scale, Math.abs(expected[row * width + j]));
      }
      for (int j = 0; j < width; j++) {
        double error = Math.abs(expected[row * width + j] - actual[row * width + j]);
        assertTrue(
            error <= 1e-4 * scale,
            what
                + ": row "
                + row
                + " output "
                + j
                + ": "
                + expected[row * width + j]
                + " vs "
                + actual[row * width + j]);
      }
    }
    int[] want = Argmax.rows(expected, batch, width);
    int[] got = Argmax.rows(actual, batch, width);
    for (int row = 0; row < batch; row++) {
      assertEquals(want[row], got[row], what + ": argmax of row " + row);
    }
  }
}
