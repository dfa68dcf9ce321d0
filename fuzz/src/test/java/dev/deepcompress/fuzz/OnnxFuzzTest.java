package dev.deepcompress.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.deepcompress.onnx.OnnxImportException;
import dev.deepcompress.onnx.OnnxImporter;
import dev.deepcompress.runtime.model.Model;

/** The ONNX importer: an ONNX file in, a model that is run once out. */
class OnnxFuzzTest {
  // Its messages name the node and what is wrong; protobuf has no byte offsets to give.
  private static final Untrusted.Rejection<OnnxImportException> REJECTION =
      Untrusted.Rejection.of(OnnxImportException.class);

  @FuzzTest
  void model(byte[] input) throws Exception {
    Model model =
        Untrusted.load(
            input, REJECTION, () -> OnnxImporter.fromBytes(input, "fuzz", "fuzz.onnx", "fuzz"));
    if (model != null) {
      Inference.runOnce(model);
    }
  }
}
