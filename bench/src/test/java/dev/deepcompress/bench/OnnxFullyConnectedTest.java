package dev.deepcompress.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The hand-written model runs in ONNX Runtime and computes the layer. */
class OnnxFullyConnectedTest {
  @Test
  void runsYEqualsXTimesWTransposedInOnnxRuntime() throws Exception {
    float[] weight = {
      1, 2, 0, 0, -1,
      0, 0.5f, 0, 3, 0,
      -2, 0, 1, 0, 0
    };
    float[][] x = {
      {1, 1, 1, 1, 1},
      {3, 1, 0, 2, 1}
    };
    // Row r of the output is W·x[r].
    float[][] expected = {
      {2, 3.5f, -1},
      {4, 6.5f, -6}
    };
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    byte[] model = OnnxFullyConnected.model(weight, 3, 5, 2);
    try (OrtSession session = OnnxFullyConnected.open(environment, model, 1);
        OnnxTensor input = OnnxTensor.createTensor(environment, x);
        OrtSession.Result result = session.run(Map.of(OnnxFullyConnected.INPUT, input))) {
      float[][] y = (float[][]) result.get(OnnxFullyConnected.OUTPUT).orElseThrow().getValue();
      for (int row = 0; row < expected.length; row++) {
        assertArrayEquals(expected[row], y[row], "row " + row);
      }
    }
  }
}
