package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.pipeline.trials.LocalTrialExecutor;
import dev.deepcompress.pruning.ThresholdPolicy;
import dev.deepcompress.quantization.QuantizerSpec;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.DenseTensor;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.SolverConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SearchTest {

  /** The paper's k-means (summed centroid step), which the search retrains with as this plan's. */
  private static final CompressionPlan BASE =
      new CompressionPlan(
          Map.of(
              "ip1",
              LayerPlan.kmeans(new ThresholdPolicy.KeptFraction(0.2), 4)
                  .withQuantizer(QuantizerSpec.KMeans.paper(4))
                  .withBias(LayerPlan.Bias.UNIFORM8),
              "ip2",
              LayerPlan.kmeans(new ThresholdPolicy.KeptFraction(0.5), 4)
                  .withQuantizer(QuantizerSpec.KMeans.paper(4))
                  .withBias(LayerPlan.Bias.UNIFORM8)),
          new CompressionPlan.Retraining(3, 3, 2, 1, CompressionPlan.Distilling.OFF));

  private static Search.Outcome search(Model reference, DatasetSplits data, int maxErrors) {
    return search(reference, data, maxErrors, 2);
  }

  private static Search.Outcome search(
      Model reference, DatasetSplits data, int maxErrors, int narrowings) {
    return search(reference, data, maxErrors, narrowings, List.of(1, 2, 4));
  }

  private static Search.Outcome search(
      Model reference, DatasetSplits data, int maxErrors, int narrowings, List<Integer> bits) {
    try (LocalTrialExecutor executor = new LocalTrialExecutor(2)) {
      return Search.run(
          Network.fromModel(reference),
          data,
          SolverConfig.caffeLenet(),
          64,
          1,
          BASE,
          new Search.Settings(
              maxErrors, List.of(0.5, 0.2, 0.1, 0.05), bits, 0, 0.75, 2, narrowings, true, 400),
          executor,
          Map.of(),
          new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }
  }

  /** The test samples with their labels shuffled: a test set no selection could survive. */
  private static SampleSet shuffledLabels(SampleSet test) {
    int[] labels = test.labels().clone();
    SplittableRandom random = new SplittableRandom(3);
    for (int i = labels.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = labels[i];
      labels[i] = labels[j];
      labels[j] = t;
    }
    return SampleSet.ofBytes("shuffled", test.sampleShape(), test.byteValues(), labels)
        .withPreprocessing(test.preprocessing().orElse(Preprocessing.identity()));
  }

  @Test
  void theTestSetTakesNoPartInTheSearch() {
    Model reference = SensitivityTest.trainedMlp();
    DatasetSplits data = SensitivityTest.DATA;
    DatasetSplits shuffled =
        new DatasetSplits(
            data.name(), data.train(), data.validation(), shuffledLabels(data.test()));
    int referenceErrors =
        Sensitivity.errors(Network.fromModel(reference)::predict, data.validation());
    Search.Outcome outcome = search(reference, data, referenceErrors + 8);
    Search.Outcome withShuffledTest = search(reference, shuffled, referenceErrors + 8);
    assertEquals(outcome.plan(), withShuffledTest.plan());
    assertEquals(outcome.log(), withShuffledTest.log());
    assertArrayEquals(
        ModelFile.toBytes(outcome.result().model()),
        ModelFile.toBytes(withShuffledTest.result().model()));
  }

  @Test
  void theChosenPlanKeepsTheValidationErrorWithinTheBudgetAndIsRecorded() {
    Model reference = SensitivityTest.trainedMlp();
    DatasetSplits data = SensitivityTest.DATA;
    int referenceErrors =
        Sensitivity.errors(Network.fromModel(reference)::predict, data.validation());
    Search.Outcome outcome = search(reference, data, referenceErrors + 8);
    Model model = outcome.result().model();
    int fileErrors = Artifacts.measure(model, data.validation()).errors();
    assertTrue(
        fileErrors <= referenceErrors + 8,
        fileErrors + " errors, budget exceeded: " + outcome.log());
    assertEquals(outcome.validationErrors(), fileErrors, "the file is the retrained network");
    assertEquals(outcome.plan().describe(), model.metadata().get("compress.plan"));
    // Biases are quantized as the base plan says, and the plan keeps saying so.
    for (String bias : List.of("ip1.bias", "ip2.bias")) {
      assertTrue(!(model.tensor(bias) instanceof DenseTensor), bias + " is " + model.tensor(bias));
    }
    // The plan names every layer's setting: a kept fraction and a width of the grid.
    for (String layer : List.of("ip1", "ip2")) {
      LayerPlan planned = outcome.plan().layers().get(layer);
      double kept = ((ThresholdPolicy.KeptFraction) planned.pruning()).keptFraction();
      assertTrue(kept > 0 && kept <= 0.5, layer + " keeps " + kept);
      assertTrue(List.of(1, 2, 4).contains(planned.quantizer().bits()));
      assertEquals(
          QuantizerSpec.CentroidStep.SUM, ((QuantizerSpec.KMeans) planned.quantizer()).step());
      assertEquals(LayerPlan.Bias.UNIFORM8, planned.bias());
    }
  }

  @Test
  void narrowingKeepsNarrowerCodebooksOnlyWithinTheBudget() {
    Model reference = SensitivityTest.trainedMlp();
    DatasetSplits data = SensitivityTest.DATA;
    int maxErrors =
        Sensitivity.errors(Network.fromModel(reference)::predict, data.validation()) + 12;
    Search.Outcome first = search(reference, data, maxErrors, 0);
    Search.Outcome narrowed = search(reference, data, maxErrors, 4);
    assertTrue(
        narrowed.log().stream().anyMatch(line -> line.startsWith("narrowing:")),
        "nothing was narrowed: " + narrowed.log());
    assertTrue(narrowed.validationErrors() <= maxErrors, narrowed.log().toString());
    assertEquals(
        narrowed.validationErrors(),
        Artifacts.measure(narrowed.result().model(), data.validation()).errors(),
        "the file is the network the last narrowing within the budget left");
    // Pruning is the same; each layer's codebook is at most as wide and the file no larger.
    first
        .plan()
        .layers()
        .forEach(
            (layer, planned) -> {
              LayerPlan after = narrowed.plan().layers().get(layer);
              assertEquals(planned.pruning(), after.pruning(), layer);
              assertTrue(
                  after.quantizer().bits() <= planned.quantizer().bits(),
                  layer + ": " + narrowed.log());
            });
    assertTrue(
        ModelFile.toBytes(narrowed.result().model()).length
            <= ModelFile.toBytes(first.result().model()).length);
  }

  /** On this budget the third narrowing's allowance chooses the second's widths, which failed. */
  @Test
  void narrowingDoesNotRetrainWidthsAlreadyOverTheBudget() {
    Model reference = SensitivityTest.trainedMlp();
    DatasetSplits data = SensitivityTest.DATA;
    int maxErrors =
        Sensitivity.errors(Network.fromModel(reference)::predict, data.validation()) + 12;
    Search.Outcome outcome = search(reference, data, maxErrors, 6, List.of(1, 2, 3, 4));
    List<String> quantized =
        outcome.log().stream()
            .filter(line -> line.startsWith("quantized "))
            .map(line -> line.substring(0, line.indexOf(':')))
            .toList();
    assertEquals(quantized.stream().distinct().toList(), quantized, outcome.log().toString());
    assertTrue(
        outcome.log().stream().anyMatch(line -> line.endsWith("already over the budget")),
        outcome.log().toString());
  }

  @Test
  void aBudgetBelowTheReferenceIsAUserError() {
    Model reference = SensitivityTest.trainedMlp();
    int referenceErrors =
        Sensitivity.errors(
            Network.fromModel(reference)::predict, SensitivityTest.DATA.validation());
    UserInputException e =
        assertThrows(
            UserInputException.class,
            () -> search(reference, SensitivityTest.DATA, referenceErrors - 1));
    assertTrue(e.getMessage().contains("leaves nothing to compress with"), e.getMessage());
  }
}
