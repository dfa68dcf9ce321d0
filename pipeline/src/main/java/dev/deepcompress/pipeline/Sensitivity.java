package dev.deepcompress.pipeline;

import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.compression.Mask;
import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.pipeline.trials.Trial;
import dev.deepcompress.pipeline.trials.TrialExecutor;
import dev.deepcompress.pipeline.trials.TrialListener;
import dev.deepcompress.pruning.MaskConstraint;
import dev.deepcompress.pruning.ThresholdPolicy;
import dev.deepcompress.quantization.KMeans1D;
import dev.deepcompress.quantization.Quantization;
import dev.deepcompress.quantization.QuantizerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.training.Distillation;
import dev.deepcompress.training.Evaluation;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.Objective;
import dev.deepcompress.training.ParameterConstraint;
import dev.deepcompress.training.SolverConfig;
import dev.deepcompress.training.Trainer;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sensitivity analysis (the paper's Figure 5): how the validation error moves when one layer alone
 * is pruned to a kept fraction, or one layer alone shares its weights in a {@code 2^b}-entry
 * k-means codebook, the rest of the network staying the reference. Optionally each change is
 * followed by a short retraining of the network with that one change enforced, which tells apart
 * the damage retraining repairs from the damage it does not. Every point is one independent {@link
 * Trial}.
 */
final class Sensitivity {
  private Sensitivity() {}

  /**
   * What every trial shares.
   *
   * @param validation the images errors are measured on: a split held out of the training data
   * @param retraining images of the short retraining, one pass; empty for none
   * @param retrainSolver the solver of that pass
   * @param distilling whether that pass also distils from the reference, as the plan's retraining
   * @param seed for the k-means initialisations that draw random numbers and the batch order
   * @param masks the pruning masks of {@code reference}'s pruned tensors, by parameter name: a
   *     quantization trial shares only the weights its tensor's mask keeps (all of an unlisted one)
   */
  record Context(
      Model reference,
      Map<String, Mask> masks,
      SampleSet validation,
      SampleSet retraining,
      int batchSize,
      SolverConfig retrainSolver,
      CompressionPlan.Distilling distilling,
      KMeans1D.Init init,
      QuantizerSpec.CentroidStep step,
      long seed) {

    /**
     * The k-means quantizer of {@code bits}, trained, with the context's initialisation and
     * centroid step.
     */
    QuantizerSpec kmeans(int bits) {
      return new QuantizerSpec.KMeans(bits, init, step, QuantizerSpec.Mode.TRAINED);
    }

    boolean retrains() {
      return retraining.count() > 0;
    }

    /** Errors on the validation split of {@code predictor}. */
    int errors(Evaluation.Predictor predictor) {
      return Sensitivity.errors(predictor, validation);
    }

    /**
     * The error right after {@code change} and, if there is a short retraining, after one pass of
     * it with the change's constraints enforced.
     */
    Point measure(double setting, Network network, Map<String, ParameterConstraint> constraints) {
      int before = errors(network::predict);
      if (!retrains()) {
        return new Point(setting, before, before, validation.count());
      }
      Objective objective =
          distilling.enabled()
              ? new Distillation(
                  Network.fromModel(reference), distilling.temperature(), distilling.softWeight())
              : Objective.LABELS;
      new Trainer(network, retrainSolver, constraints, objective)
          .trainEpoch(new Batches(retraining, batchSize, seed), 0, new Trainer.Listener() {});
      return new Point(setting, before, errors(network::predict), validation.count());
    }
  }

  /**
   * One point of a curve: misclassified validation images right after the change and after the
   * short retraining (the same number when there is none), of {@code total}.
   *
   * @param setting the kept fraction, or the bits of the codebook index
   */
  record Point(double setting, int errorsBefore, int errorsAfter, int total)
      implements Serializable {
    double errorBeforePct() {
      return 100.0 * errorsBefore / total;
    }

    double errorAfterPct() {
      return 100.0 * errorsAfter / total;
    }

    @Override
    public String toString() {
      return errorsBefore == errorsAfter
          ? String.format(Locale.ROOT, "%.2f%%", errorBeforePct())
          : String.format(
              Locale.ROOT, "%.2f%%, %.2f%% retrained", errorBeforePct(), errorAfterPct());
    }
  }

  /** {@code tensor} (e.g. "ip1.weight") alone keeps its largest {@code keptFraction}. */
  record PruneTrial(String tensor, double keptFraction) implements Trial<Context, Point> {
    @Override
    public Point run(Context context) {
      Network network = Network.fromModel(context.reference());
      float[] values = network.parameter(tensor).values();
      Mask all = Mask.all(values.length);
      Mask mask =
          all.narrowedTo(
              values, new ThresholdPolicy.KeptFraction(keptFraction).threshold(values, all));
      mask.zeroPruned(values);
      return context.measure(keptFraction, network, Map.of(tensor, new MaskConstraint(mask)));
    }

    @Override
    public String describe() {
      return String.format(Locale.ROOT, "%s keep %.1f%%", tensor, 100 * keptFraction);
    }
  }

  /**
   * {@code tensor} alone shares the weights its mask keeps (all when it has none) in a {@code
   * 2^bits}-entry codebook.
   */
  record QuantizeTrial(String tensor, int bits) implements Trial<Context, Point> {
    @Override
    public Point run(Context context) {
      Network network = Network.fromModel(context.reference());
      float[] values = network.parameter(tensor).values();
      CompressedTensor pruned =
          CompressedTensor.pruned(
              network.parameter(tensor).spec(),
              context.masks().getOrDefault(tensor, Mask.all(values.length)));
      Quantization quantization =
          Quantization.apply(
              network,
              Map.of(tensor, pruned),
              Map.of(tensor, context.kmeans(bits)),
              context.seed());
      return context.measure(bits, network, quantization.constraints());
    }

    @Override
    public String describe() {
      return tensor + " " + bits + "-bit";
    }
  }

  /** The samples of {@code set} that {@code predictor} misclassifies. */
  static int errors(Evaluation.Predictor predictor, SampleSet set) {
    return Evaluation.evaluate(predictor, set).errors();
  }

  /** One layer's two curves, in the order of the grids. */
  record LayerCurves(
      String layer, String tensor, int weights, List<Point> pruning, List<Point> quantization) {}

  /**
   * The whole analysis: the reference's own validation errors and every layer's curves.
   *
   * @param retrained whether each point was also retrained
   */
  record Table(int referenceErrors, int total, boolean retrained, List<LayerCurves> layers) {
    double referenceErrorPct() {
      return 100.0 * referenceErrors / total;
    }

    LayerCurves layer(String name) {
      for (LayerCurves curves : layers) {
        if (curves.layer().equals(name)) {
          return curves;
        }
      }
      throw new IllegalArgumentException("no sensitivity curves for layer " + name);
    }
  }

  /**
   * Measures every layer of {@code tensorOfLayer} (layer → weight tensor, in the order to report)
   * at every kept fraction of {@code keep} and every width of {@code bits}, as one batch of trials.
   */
  static Table run(
      Context context,
      Map<String, String> tensorOfLayer,
      List<Double> keep,
      List<Integer> bits,
      TrialExecutor executor,
      TrialListener listener) {
    List<Trial<Context, Point>> trials = new ArrayList<>();
    tensorOfLayer
        .values()
        .forEach(
            tensor -> {
              keep.forEach(k -> trials.add(new PruneTrial(tensor, k)));
              bits.forEach(b -> trials.add(new QuantizeTrial(tensor, b)));
            });
    int referenceErrors = context.errors(Network.fromModel(context.reference())::predict);
    List<Point> points = executor.runAll(context, trials, listener);
    List<LayerCurves> layers = new ArrayList<>();
    int next = 0;
    for (Map.Entry<String, String> entry : tensorOfLayer.entrySet()) {
      List<Point> pruning = List.copyOf(points.subList(next, next + keep.size()));
      next += keep.size();
      List<Point> quantization = List.copyOf(points.subList(next, next + bits.size()));
      next += bits.size();
      layers.add(
          new LayerCurves(
              entry.getKey(),
              entry.getValue(),
              context.reference().parameters().get(entry.getValue()).length,
              pruning,
              quantization));
    }
    return new Table(
        referenceErrors, context.validation().count(), context.retrains(), List.copyOf(layers));
  }
}
