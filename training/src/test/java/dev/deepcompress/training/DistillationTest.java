package dev.deepcompress.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.SampleSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DistillationTest {

  @Test
  void exactValueOnTwoClasses() {
    // Teacher at T = 1 says (3/4, 1/4); the student says (1/2, 1/2).
    float[] gradient = new float[2];
    double loss =
        Distillation.lossAndGradient(
            new float[] {0f, 0f},
            new float[] {(float) Math.log(3), 0f},
            new int[] {1},
            1,
            2,
            1.0,
            1.0,
            gradient);
    assertEquals(0.75 * Math.log(1.5) + 0.25 * Math.log(0.5), loss, 1e-7);
    assertEquals(-0.25f, gradient[0], 1e-7f);
    assertEquals(0.25f, gradient[1], 1e-7f);
  }

  @Test
  void withoutSoftWeightItIsTheLabelsLoss() {
    float[] logits = {0.3f, -1.2f, 2.0f, 0.5f, 0.1f, -0.4f};
    float[] teacher = {5f, 0f, -5f, 1f, 1f, 1f};
    int[] labels = {2, 0};
    float[] expected = new float[6];
    double labelsLoss = SoftmaxCrossEntropy.lossAndGradient(logits, labels, 2, 3, expected);
    float[] gradient = new float[6];
    double loss = Distillation.lossAndGradient(logits, teacher, labels, 2, 3, 4.0, 0.0, gradient);
    assertEquals(labelsLoss, loss, 1e-12);
    assertArrayEquals(expected, gradient, 1e-7f);
  }

  @Test
  void aStudentThatMatchesItsTeacherHasNoSoftLoss() {
    float[] logits = {0.3f, -1.2f, 2.0f, 0.5f, 0.1f, -0.4f};
    float[] gradient = new float[6];
    double loss =
        Distillation.lossAndGradient(logits, logits, new int[] {0, 1}, 2, 3, 3.0, 1.0, gradient);
    assertEquals(0, loss, 1e-12);
    assertArrayEquals(new float[6], gradient, 1e-7f);
  }

  @Test
  void rejectsBadSettings() {
    Network teacher = Network.initialize(TestData.MLP, 1);
    assertThrows(IllegalArgumentException.class, () -> new Distillation(teacher, 0, 0.5));
    assertThrows(IllegalArgumentException.class, () -> new Distillation(teacher, Double.NaN, 0.5));
    assertThrows(IllegalArgumentException.class, () -> new Distillation(teacher, 2, 1.5));
    assertThrows(IllegalArgumentException.class, () -> new Distillation(teacher, 2, -0.1));
  }

  @Test
  void aStudentLearnsFromItsTeacherWhenTheLabelsAreWrong() {
    Network teacher = TestData.assertLearnsQuadrants(TestData.MLP, 8).network();
    // Every training label is 0: only the teacher knows the quadrants.
    SampleSet images = TestData.quadrants(2000, 7);
    SampleSet wrongLabels =
        SampleSet.ofBytes(
                "wrong labels", images.sampleShape(), images.byteValues(), new int[images.count()])
            .withPreprocessing(images.preprocessing().orElseThrow());
    Network student = Network.initialize(TestData.MLP, 2);
    Trainer trainer =
        new Trainer(
            student, SolverConfig.caffeLenet(), Map.of(), new Distillation(teacher, 2.0, 1.0));
    Batches batches = new Batches(wrongLabels, 64, 1);
    for (int epoch = 0; epoch < 8; epoch++) {
      trainer.trainEpoch(batches, epoch, new Trainer.Listener() {});
    }
    double error =
        Evaluation.evaluate(student::predict, TestData.quadrants(500, 99)).errorPercent();
    assertTrue(error < 5, "a distilled student's test error is " + error + "%");
  }
}
