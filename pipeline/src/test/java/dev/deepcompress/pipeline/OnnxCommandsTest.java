package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.deepcompress.datasets.Batch;
import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.DatasetKind;
import dev.deepcompress.datasets.DatasetOptions;
import dev.deepcompress.datasets.Datasets;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.onnx.NpzWriter;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.format.TensorEncoding;
import dev.deepcompress.runtime.format.TensorLayout;
import dev.deepcompress.runtime.inference.InferenceNetwork;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Preprocessing;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * import, compress of an ONNX file and export, on the PyTorch-trained LeNet-300-100 fixture of the
 * onnx module: what a user who brings a model does. MNIST as for the smoke tests.
 */
class OnnxCommandsTest {
  @TempDir Path dir;

  private Path fixture(String name) throws IOException {
    Path file = dir.resolve(name);
    try (InputStream in = OnnxCommandsTest.class.getResourceAsStream("/pytorch/" + name)) {
      assertTrue(in != null, "missing fixture " + name);
      Files.copy(in, file);
    }
    return file;
  }

  private static int recordedErrors(String record) {
    Matcher m = Pattern.compile("\"test_errors\": (\\d+)").matcher(record);
    assertTrue(m.find(), record);
    return Integer.parseInt(m.group(1));
  }

  @Test
  void importedModelEvaluatesToPyTorchsTestErrors() throws Exception {
    Path onnx = fixture("lenet-300-100.onnx");
    Path dcmodel = dir.resolve("imported.dcmodel");
    CliRun imported =
        CliRun.of("import", onnx.toString(), "--out", dcmodel.toString(), "--input-scale", "1/256");
    assertEquals(0, imported.exitCode(), imported.err());
    assertTrue(imported.out().contains("wrote " + dcmodel), imported.out());
    assertEquals(
        Optional.of(Preprocessing.scaled(Preprocessing.Layout.FLAT, 1f / 256)),
        ModelFile.read(dcmodel).preprocessing());
    CliRun eval = CliRun.of("eval", dcmodel.toString());
    assertEquals(0, eval.exitCode(), eval.err());
    int errors = recordedErrors(Files.readString(fixture("lenet-300-100.json")));
    assertTrue(eval.out().contains("(" + errors + "/10000)"), eval.out());
    assertEquals("lenet-300-100", ModelFile.read(dcmodel).architecture().name());
  }

  /**
   * compress takes the ONNX file itself; its export, run by ONNX Runtime, gives the outputs of the
   * compressed file as the runtime runs it, on 1,000 test images.
   */
  @Test
  void compressingAnOnnxFileThenExportingItAgreesWithOnnxRuntime() throws Exception {
    Path onnx = fixture("lenet-300-100.onnx");
    Path compressed = dir.resolve("compressed.dcmodel");
    CliRun compress =
        CliRun.of(
            "compress",
            onnx.toString(),
            "--input-scale",
            "1/256",
            "--out",
            compressed.toString(),
            "--keep",
            "ip1=0.1",
            "--keep",
            "ip2=0.1",
            "--keep",
            "ip3=0.3",
            "--prune-iterations",
            "1",
            "--prune-epochs",
            "0",
            "--cluster-epochs",
            "0");
    assertEquals(0, compress.exitCode(), compress.out() + compress.err());
    for (TensorLayout tensor : ModelFile.inspect(compressed).tensors()) {
      if (tensor.name().endsWith(".weight")) {
        // Encoding 1, or 3 where splitting the indices by their neighbour's is smaller.
        assertTrue(
            EnumSet.of(TensorEncoding.SPARSE_QUANTIZED, TensorEncoding.SPARSE_QUANTIZED_CONTEXT)
                .contains(tensor.encoding()),
            tensor.name() + ": " + tensor.encoding());
      }
    }
    Path exported = dir.resolve("compressed.onnx");
    Path npz = dir.resolve("compressed.npz");
    CliRun export =
        CliRun.of(
            "export",
            compressed.toString(),
            "--onnx",
            exported.toString(),
            "--npz",
            npz.toString());
    assertEquals(0, export.exitCode(), export.err());

    Model model = ModelFile.read(compressed);
    assertArrayEquals(NpzWriter.toBytes(model), Files.readAllBytes(npz));
    assertEquals(
        Optional.of(Preprocessing.scaled(Preprocessing.Layout.FLAT, 1f / 256)),
        model.preprocessing(),
        "the compressed file records the preprocessing given for the ONNX file");
    SampleSet test =
        Datasets.load(DatasetKind.MNIST, DatasetOptions.defaults())
            .test()
            .preparedFor(model.architecture().inputShape(), 10, model.preprocessing().get());
    Batch images = Batches.sequential(test, 1000).iterator().next();
    float[] ours = InferenceNetwork.of(model).forward(images.inputs(), images.size());
    float[] theirs = onnxRuntime(Files.readAllBytes(exported), images);
    assertEquals(ours.length, theirs.length);
    for (int row = 0; row < images.size(); row++) {
      float[] a = Arrays.copyOfRange(ours, row * 10, row * 10 + 10);
      float[] b = Arrays.copyOfRange(theirs, row * 10, row * 10 + 10);
      double scale = 1e-6;
      int argmaxA = 0;
      int argmaxB = 0;
      for (int j = 0; j < 10; j++) {
        scale = Math.max(scale, Math.abs(a[j]));
        argmaxA = a[j] > a[argmaxA] ? j : argmaxA;
        argmaxB = b[j] > b[argmaxB] ? j : argmaxB;
      }
      for (int j = 0; j < 10; j++) {
        assertEquals(a[j], b[j], 1e-4 * scale, "image " + row + " output " + j);
      }
      assertEquals(argmaxA, argmaxB, "image " + row);
    }
  }

  private static float[] onnxRuntime(byte[] model, Batch images) throws Exception {
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    try (OrtSession session = environment.createSession(model);
        OnnxTensor input =
            OnnxTensor.createTensor(
                environment, FloatBuffer.wrap(images.inputs()), new long[] {images.size(), 784});
        OrtSession.Result result = session.run(Map.of("input", input))) {
      FloatBuffer output = ((OnnxTensor) result.get(0)).getFloatBuffer();
      float[] values = new float[output.remaining()];
      output.get(values);
      return values;
    }
  }

  @Test
  void preprocessingThatDoesNotFitTheInputIsOneLine() throws Exception {
    Path onnx = fixture("lenet-300-100.onnx");
    Path out = dir.resolve("x.dcmodel");
    CliRun threeMeans =
        CliRun.of(
            "import", onnx.toString(), "--out", out.toString(), "--input-mean", "1", "2", "3");
    assertEquals(ErrorReporter.FAILED, threeMeans.exitCode(), threeMeans.err());
    assertEquals(1, threeMeans.err().strip().lines().count(), threeMeans.err());
    assertTrue(threeMeans.err().contains("784 features"), threeMeans.err());
    CliRun badScale =
        CliRun.of("import", onnx.toString(), "--out", out.toString(), "--input-scale", "1/x");
    assertEquals(ErrorReporter.USAGE, badScale.exitCode(), badScale.err());
    assertTrue(badScale.err().contains("'1/x' is not a number"), badScale.err());
    assertFalse(Files.exists(out), "nothing written");
  }

  @Test
  void aBadOnnxFileIsOneLineForImportAndCompress() throws Exception {
    byte[] whole = Files.readAllBytes(fixture("lenet-300-100.onnx"));
    Path truncated = dir.resolve("truncated.onnx");
    Files.write(truncated, Arrays.copyOf(whole, whole.length / 3));
    CliRun imported =
        CliRun.of("import", truncated.toString(), "--out", dir.resolve("x").toString());
    CliRun compressed =
        CliRun.of(
            "compress",
            truncated.toString(),
            "--out",
            dir.resolve("y").toString(),
            "--keep",
            "ip1=0.1");
    for (CliRun run : new CliRun[] {imported, compressed}) {
      assertEquals(ErrorReporter.FAILED, run.exitCode(), run.err());
      String message = run.err().strip();
      assertEquals(1, message.lines().count(), message);
      assertTrue(message.startsWith("deepcompress: " + truncated), message);
      assertTrue(message.contains("truncated"), message);
      assertFalse(message.contains("Exception"), message);
    }
    assertFalse(Files.exists(dir.resolve("x")), "nothing written");
    assertFalse(Files.exists(dir.resolve("y")), "nothing written");
  }
}
