package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.pipeline.trials.LocalTrialExecutor;
import dev.deepcompress.pipeline.trials.TrialListener;
import dev.deepcompress.quantization.KMeans1D;
import dev.deepcompress.quantization.QuantizerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.training.LearningRateSchedule;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.SolverConfig;
import dev.deepcompress.training.TestData;
import dev.deepcompress.training.Trainer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SensitivityTest {

  /** The MLP trained a little on quadrants, with 400 of its 1200 training images held out. */
  static final DatasetSplits DATA =
      new DatasetSplits("quadrants", TestData.quadrants(1200, 7), TestData.quadrants(300, 99))
          .withValidation(400);

  static Model trainedMlp() {
    Network network = Network.initialize(TestData.MLP, 1);
    Trainer trainer = new Trainer(network, SolverConfig.caffeLenet());
    for (int epoch = 0; epoch < 12; epoch++) {
      trainer.trainEpoch(new Batches(DATA.train(), 64, 1), epoch, new Trainer.Listener() {});
    }
    return network.toModel(Map.of());
  }

  static Sensitivity.Context context(Model reference, int retrainImages) {
    return new Sensitivity.Context(
        reference,
        Map.of(),
        DATA.validation(),
        DATA.train().subset(0, retrainImages),
        64,
        SolverConfig.caffeLenet().withSchedule(new LearningRateSchedule.Fixed(0.001)),
        CompressionPlan.Distilling.OFF,
        KMeans1D.Init.LINEAR,
        QuantizerSpec.CentroidStep.SUM,
        1);
  }

  private static Sensitivity.Table run(Sensitivity.Context context, int threads) {
    try (LocalTrialExecutor executor = new LocalTrialExecutor(threads)) {
      return Sensitivity.run(
          context,
          TestData.MLP.weightNamesByLayer(),
          List.of(1.0, 0.3, 0.02),
          List.of(1, 6),
          executor,
          TrialListener.SILENT);
    }
  }

  @Test
  void eachPointChangesOneLayerAndKeepingEverythingChangesNothing() {
    Model reference = trainedMlp();
    Sensitivity.Table table = run(context(reference, 0), 2);
    int referenceErrors =
        dev.deepcompress.training.Evaluation.evaluate(
                Network.fromModel(reference)::predict, DATA.validation())
            .errors();
    assertEquals(referenceErrors, table.referenceErrors());
    assertEquals(400, table.total());
    assertEquals(List.of("ip1", "ip2"), table.layers().stream().map(l -> l.layer()).toList());
    for (Sensitivity.LayerCurves layer : table.layers()) {
      Sensitivity.Point all = layer.pruning().get(0);
      assertEquals(1.0, all.setting());
      assertEquals(referenceErrors, all.errorsBefore(), layer.layer());
      assertEquals(all.errorsBefore(), all.errorsAfter(), "no retraining: one measurement");
      Sensitivity.Point two = layer.pruning().get(2);
      assertTrue(two.errorsBefore() > referenceErrors, layer.layer() + " keeping 2%: " + two);
      assertEquals(2, layer.quantization().size());
    }
    assertEquals(
        TestData.MLP.parameters().get(0).shape().elementCount(), table.layer("ip1").weights());
  }

  @Test
  void theTableDoesNotDependOnHowManyTrialsRunAtOnceAndRetrainingRepairs() {
    Model reference = trainedMlp();
    Sensitivity.Context context = context(reference, 400);
    Sensitivity.Table one = run(context, 1);
    assertEquals(one, run(context, 3));
    assertTrue(one.retrained());
    Sensitivity.Point pruned = one.layer("ip1").pruning().get(2);
    assertTrue(pruned.errorsAfter() < pruned.errorsBefore(), "retraining repairs: " + pruned);
  }

  @Test
  void trialsAndTheirResultsTravelAsBytes() throws Exception {
    Model reference = trainedMlp();
    Sensitivity.PruneTrial trial = new Sensitivity.PruneTrial("ip1.weight", 0.3);
    Sensitivity.PruneTrial copy = roundTrip(trial);
    assertEquals(trial, copy);
    Sensitivity.Point point = copy.run(context(reference, 0));
    assertEquals(point, roundTrip(point));
    assertEquals(point, trial.run(context(reference, 0)));
    assertEquals(
        new Sensitivity.QuantizeTrial("ip2.weight", 3),
        roundTrip(new Sensitivity.QuantizeTrial("ip2.weight", 3)));
  }

  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(T value) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (T) in.readObject();
    }
  }
}
