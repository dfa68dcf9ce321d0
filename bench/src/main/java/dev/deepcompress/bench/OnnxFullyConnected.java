package dev.deepcompress.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.deepcompress.onnx.OnnxExporter;
import dev.deepcompress.onnx.OnnxGraphBuilder;
import java.util.List;
import java.util.Map;

/**
 * One fully connected layer without bias, {@code Y = X·Wᵀ} for a batch of rows, as an ONNX model
 * for ONNX Runtime: a single Gemm node with {@code transB = 1}, so the weight keeps its row-major
 * [outputs, inputs] layout, held as an initializer. Written with the onnx module's {@link
 * OnnxGraphBuilder}.
 */
final class OnnxFullyConnected {
  static final String INPUT = "x";
  static final String OUTPUT = "y";
  private static final String WEIGHT = "w";

  private OnnxFullyConnected() {}

  /**
   * The serialized ModelProto: input {@value #INPUT} is [batch, inputs], output {@value #OUTPUT} is
   * [batch, outputs].
   *
   * @param weight {@code outputs × inputs}, row-major
   */
  static byte[] model(float[] weight, int outputs, int inputs, int batch) {
    return new OnnxGraphBuilder("fully_connected")
        .input(INPUT, OnnxGraphBuilder.Dim.of(batch), OnnxGraphBuilder.Dim.of(inputs))
        .output(OUTPUT, OnnxGraphBuilder.Dim.of(batch), OnnxGraphBuilder.Dim.of(outputs))
        .initializer(WEIGHT, weight, outputs, inputs)
        .node(
            "Gemm",
            "gemm",
            List.of(INPUT, WEIGHT),
            List.of(OUTPUT),
            OnnxGraphBuilder.integer("transB", 1))
        .toModel(OnnxExporter.IR_VERSION, OnnxExporter.OPSET, "deepcompress-bench", Map.of());
  }

  /**
   * A session that runs {@code model} on {@code threads} intra-op threads (the calling thread
   * included, as with our kernels), one operator at a time, with every graph optimization.
   */
  static OrtSession open(OrtEnvironment environment, byte[] model, int threads)
      throws OrtException {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      return environment.createSession(model, options);
    }
  }
}
