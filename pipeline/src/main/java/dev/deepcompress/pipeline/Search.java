package dev.deepcompress.pipeline;

import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.compression.Mask;
import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.pipeline.trials.Trial;
import dev.deepcompress.pipeline.trials.TrialExecutor;
import dev.deepcompress.pipeline.trials.TrialListener;
import dev.deepcompress.pruning.IterativePruning;
import dev.deepcompress.pruning.MaskConstraint;
import dev.deepcompress.pruning.ThresholdPolicy;
import dev.deepcompress.quantization.KMeans1D;
import dev.deepcompress.quantization.Quantization;
import dev.deepcompress.quantization.QuantizerSpec;
import dev.deepcompress.quantization.QuantizerSpec.Mode;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.training.LearningRateSchedule;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.Objective;
import dev.deepcompress.training.ParameterConstraint;
import dev.deepcompress.training.SolverConfig;
import dev.deepcompress.training.Trainer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Compression under an error budget: chooses each layer's kept fraction and codebook width to make
 * the file small while the validation error stays at most {@code maxErrors}, then compresses with
 * them. Every decision reads the validation split only; the test set is never seen here.
 *
 * <ol>
 *   <li>Sensitivity of the reference, each layer alone ({@link Sensitivity}), and each layer's
 *       encoded bytes at each kept fraction ({@link LayerBytes}).
 *   <li>Pruning walks the {@link PruningPath} (greedy by bytes saved per predicted error) in rounds
 *       of retraining. After each round the validation error decides: within the pruning budget,
 *       the next round goes further along the path (to about 0.6 of the bytes); over it, the next
 *       round backs off to halfway (in bytes) between the last point that passed and the one that
 *       failed (with no path point between them, each layer at the geometric mean of its two kept
 *       fractions), reviving weights at zero in the layers that go back. The last point that passed
 *       is where pruning ends. The prediction orders the layers; retraining and measuring decide
 *       how far to go, since retraining repairs far more than any sensitivity analysis sees.
 *   <li>Codebook widths: the pruned network's sensitivity to each layer's width alone (measured, no
 *       retraining) and each width's encoded bytes go to the exact search of {@link PlanSearch}
 *       with what is left of the budget. After centroid retraining, if the error is over the
 *       budget, the layer whose own quantization costs the most errors (its weights put back to
 *       their unquantized values) gets the next wider width, and quantization starts again from the
 *       pruned network; at most {@code backOffs} times.
 * </ol>
 */
final class Search {
  private Search() {}

  /** What the search decided and measured, for the report. */
  record Outcome(
      Compression.Result result,
      CompressionPlan plan,
      Sensitivity.Table sensitivity,
      int referenceErrors,
      int maxErrors,
      int validationErrors,
      List<String> log) {}

  /**
   * The settings of a search.
   *
   * @param maxErrors the most validation samples the compressed network may misclassify
   * @param keep the kept fractions of the sensitivity grid, which the pruning path steps through
   * @param bits the codebook widths of the sensitivity grid, which quantization chooses from
   * @param retrainImages training samples of the sensitivity analysis' short retraining (0: none)
   * @param pruningShare the share of the allowance (maxErrors − the reference's errors) pruning may
   *     use; quantization gets the rest and whatever pruning leaves. Above 1 pruning may end over
   *     the budget, by errors that centroid retraining is to win back
   * @param backOffs the most times quantization starts again with a wider codebook
   * @param narrowings the most times quantization within the budget starts again with narrower
   *     codebooks, chosen with the errors it left unused
   * @param pruneUnusedUnits whether pruning ends by pruning the units nothing reads (exact)
   * @param widthRetrainImages training samples over which each codebook width of the pruned network
   *     is retrained once before its error is measured (0: measured right after sharing)
   */
  record Settings(
      int maxErrors,
      List<Double> keep,
      List<Integer> bits,
      int retrainImages,
      double pruningShare,
      int backOffs,
      int narrowings,
      boolean pruneUnusedUnits,
      int widthRetrainImages) {}

  /**
   * Compresses {@code network} (the dense reference) in place under {@code settings}' budget.
   *
   * @param base the retraining lengths, rates, objective and initialisation to use, and the layers
   *     to compress with their nominal widths (the widths the pruning path prices bytes at)
   */
  static Outcome run(
      Network network,
      DatasetSplits data,
      SolverConfig solver,
      int batchSize,
      long seed,
      CompressionPlan base,
      Settings settings,
      TrialExecutor executor,
      Map<String, String> metadata,
      PrintStream console) {
    if (data.validation().count() == 0) {
      throw new UserInputException(
          "a search needs a validation split held out of the training data: give --validation N");
    }
    Run run = new Run(network, data, solver, batchSize, seed, base, settings, executor, console);
    return run.execute(metadata);
  }

  /** The share of the bytes one round of pruning may keep, at least, while nothing failed. */
  static final double STEP = 0.6;

  private static final class Run {
    private final Network network;
    private final DatasetSplits data;
    private final Batches batches;
    private final int batchSize;
    private final long seed;
    private final CompressionPlan base;
    private final Settings settings;
    private final TrialExecutor executor;
    private final PrintStream console;
    private final Map<String, String> tensorOfLayer;
    private final Objective objective;
    private final SolverConfig solver;
    private final double retrainRate;
    private final Model reference;
    private final KMeans1D.Init init;
    private final QuantizerSpec.CentroidStep step;
    private final List<String> log = new ArrayList<>();
    private int epoch = Compressor.FIRST_RETRAINING_EPOCH;

    Run(
        Network network,
        DatasetSplits data,
        SolverConfig solver,
        int batchSize,
        long seed,
        CompressionPlan base,
        Settings settings,
        TrialExecutor executor,
        PrintStream console) {
      this.network = network;
      this.data = data;
      this.batches = new Batches(data.train(), batchSize, seed);
      this.batchSize = batchSize;
      this.seed = seed;
      this.base = base;
      this.settings = settings;
      this.executor = executor;
      this.console = console;
      this.tensorOfLayer = base.weightTensors(network.architecture());
      this.objective = Compressor.objective(network, base.retraining().distilling());
      this.solver = solver;
      this.retrainRate = solver.schedule().rate(0) * base.retraining().learningRateScale();
      this.reference = network.toModel(Map.of());
      // The codebooks the search tries are k-means ones, initialised and retrained as the plan's
      // first k-means (the paper's, if it has none).
      QuantizerSpec.KMeans template =
          base.layers().values().stream()
              .map(LayerPlan::quantizer)
              .filter(QuantizerSpec.KMeans.class::isInstance)
              .map(QuantizerSpec.KMeans.class::cast)
              .findFirst()
              .orElse(QuantizerSpec.KMeans.paper(1));
      this.init = template.init();
      this.step = template.step();
    }

    private int validationErrors() {
      return Sensitivity.errors(network::predict, data.validation());
    }

    private void note(String format, Object... args) {
      String line = String.format(Locale.ROOT, format, args);
      log.add(line);
      console.println("search: " + line);
    }

    Outcome execute(Map<String, String> metadata) {
      int total = data.validation().count();
      int referenceErrors = validationErrors();
      int maxErrors = settings.maxErrors();
      if (maxErrors < referenceErrors) {
        throw new UserInputException(
            String.format(
                Locale.ROOT,
                "the reference already misclassifies %d of %d validation samples (%.2f%%); an error"
                    + " budget of %d (%.2f%%) leaves nothing to compress with",
                referenceErrors,
                total,
                100.0 * referenceErrors / total,
                maxErrors,
                100.0 * maxErrors / total));
      }
      note(
          "reference: %d of %d validation samples misclassified (%.2f%%); budget %d (%.2f%%)",
          referenceErrors,
          total,
          100.0 * referenceErrors / total,
          maxErrors,
          100.0 * maxErrors / total);

      Sensitivity.Context context =
          context(reference, Map.of(), data.train().subset(0, settings.retrainImages()));
      Sensitivity.Table table =
          Sensitivity.run(
              context,
              tensorOfLayer,
              settings.keep(),
              settings.bits(),
              executor,
              new TrialLog(console, "sensitivity"));
      Map<String, Map<Double, Integer>> bytesByKeep = bytesByKeep(context);
      List<PruningPath.Point> path = PruningPath.of(table, bytesByKeep);
      int pruneLimit =
          referenceErrors
              + (int) Math.floor(settings.pruningShare() * (maxErrors - referenceErrors));

      Pruned pruned = prune(path, pruneLimit);
      Quantized quantized = quantize(pruned, maxErrors);
      Map<String, CompressedTensor> tensors = new LinkedHashMap<>(quantized.tensors());
      tensors.putAll(Compressor.quantizedBiases(network, base, seed, Monitor.of(data), console));
      int errors = validationErrors();
      if (tensors.size() > quantized.tensors().size()) {
        note("biases quantized as the plan says: %d errors", errors);
      }
      Map<String, String> withPlan = new LinkedHashMap<>(metadata);
      CompressionPlan plan = plan(pruned.masks(), quantized.bits());
      withPlan.put("compress.plan", plan.describe());
      withPlan.put(
          "compress.search",
          String.format(
              Locale.ROOT,
              "at most %d of %d validation samples misclassified (reference %d)",
              maxErrors,
              total,
              referenceErrors));
      Model model = Compressor.encode(network, tensors, autoGaps(tensors), withPlan);
      Compression.Result result =
          new Compression.Result(
              model,
              tensors,
              pruned.rounds(),
              100.0 * quantized.errorsBeforeRetraining() / total,
              "validation",
              weightsAfterPruning(pruned),
              pruned.losses(),
              quantized.losses());
      return new Outcome(result, plan, table, referenceErrors, maxErrors, errors, List.copyOf(log));
    }

    /** Each compressed weight tensor as pruning left it. */
    private Map<String, float[]> weightsAfterPruning(Pruned pruned) {
      Map<String, float[]> weights = new LinkedHashMap<>();
      tensorOfLayer
          .values()
          .forEach(tensor -> weights.put(tensor, pruned.snapshot().parameter(tensor)));
      return weights;
    }

    private Sensitivity.Context context(
        Model model, Map<String, Mask> masks, SampleSet retraining) {
      return new Sensitivity.Context(
          model,
          masks,
          data.validation(),
          retraining,
          batchSize,
          solver.withSchedule(new LearningRateSchedule.Fixed(retrainRate)),
          base.retraining().distilling(),
          init,
          step,
          seed);
    }

    /** Each layer's encoded bytes by kept fraction, at its nominal width. */
    private Map<String, Map<Double, Integer>> bytesByKeep(Sensitivity.Context context) {
      List<LayerBytes.EncodeTrial> trials = new ArrayList<>();
      tensorOfLayer.forEach(
          (layer, tensor) ->
              settings
                  .keep()
                  .forEach(
                      k ->
                          trials.add(
                              new LayerBytes.EncodeTrial(
                                  tensor, k, base.layers().get(layer).quantizer().bits()))));
      List<LayerBytes.Cost> costs = executor.runAll(context, trials, TrialListener.SILENT);
      Map<String, Map<Double, Integer>> bytes = new LinkedHashMap<>();
      int next = 0;
      for (String layer : tensorOfLayer.keySet()) {
        Map<Double, Integer> byKeep = new LinkedHashMap<>();
        for (double k : settings.keep()) {
          byKeep.put(k, costs.get(next++).bytes());
        }
        bytes.put(layer, byKeep);
      }
      return bytes;
    }

    /** Where pruning ended: each tensor's mask, the rounds, and the error there. */
    private record Pruned(
        Map<String, Mask> masks,
        List<IterativePruning.IterationReport> rounds,
        int errors,
        Model snapshot,
        List<Double> losses) {}

    private Pruned prune(List<PruningPath.Point> walk, int limit) {
      // Rounds may refine the path between a point that passed and its neighbour that failed.
      List<PruningPath.Point> path = new ArrayList<>(walk);
      int rounds = base.retraining().pruneIterations();
      note(
          "pruning: %d rounds of %d epochs along a path of %d points (%,d to %,d B at nominal"
              + " widths), at most %d errors",
          rounds,
          base.retraining().pruneEpochs(),
          path.size(),
          path.get(0).bytes(),
          path.get(path.size() - 1).bytes(),
          limit);
      Map<String, Mask> masks = new LinkedHashMap<>();
      tensorOfLayer
          .values()
          .forEach(t -> masks.put(t, Mask.all(network.parameter(t).values().length)));
      List<IterativePruning.IterationReport> reports = new ArrayList<>();
      List<Double> losses = new ArrayList<>();
      int passed = 0;
      int failed = path.size();
      int at = -1;
      int errors = -1;
      for (int round = 1; round <= rounds + 1; round++) {
        int target;
        if (round > rounds) {
          // One more round only to come back from a point that failed.
          if (at == passed) {
            break;
          }
          target = passed;
        } else if (failed == path.size()) {
          target = round == 1 ? 0 : furthestStep(path, passed);
        } else {
          int before = path.size();
          target = PruningPath.afterFailure(path, passed, failed);
          failed += path.size() - before;
        }
        double afterPruning = applyPoint(path.get(target), masks);
        at = target;
        losses.addAll(retrain(masks, base.retraining().pruneEpochs(), "prune " + round));
        errors = validationErrors();
        boolean pass = errors <= limit;
        // A point measured again may land either side of the limit; the first verdict stands.
        if (pass) {
          passed = Math.max(passed, target);
        } else if (target > passed) {
          failed = Math.min(failed, target);
        }
        note(
            "prune %d: path point %d of %d, %s, %,d B predicted: %d errors after retraining (%s)",
            round,
            target,
            path.size() - 1,
            describeKeep(path.get(target).keptFractions()),
            path.get(target).bytes(),
            errors,
            pass ? "within" : "over");
        reports.add(report(round, masks, afterPruning, errors));
      }
      if (settings.pruneUnusedUnits()) {
        Map<String, CompressedTensor> pruned = new LinkedHashMap<>();
        masks.forEach(
            (tensor, mask) ->
                pruned.put(
                    tensor, CompressedTensor.pruned(network.parameter(tensor).spec(), mask)));
        Compressor.unusedUnitsPruned(network, pruned, console)
            .forEach((tensor, value) -> masks.put(tensor, value.mask()));
      }
      return new Pruned(
          Map.copyOf(masks),
          List.copyOf(reports),
          errors,
          network.toModel(Map.of()),
          List.copyOf(losses));
    }

    /**
     * The furthest point after {@code from} that keeps at least {@link #STEP} of its bytes, or the
     * next point if even that one keeps less: each round prunes about as much as one round of the
     * paper's geometric schedule (100% to 7% kept in six rounds is 0.64 per round).
     */
    private static int furthestStep(List<PruningPath.Point> path, int from) {
      int target = Math.min(from + 1, path.size() - 1);
      for (int i = target + 1; i < path.size(); i++) {
        if (path.get(i).bytes() >= STEP * path.get(from).bytes()) {
          target = i;
        }
      }
      return target;
    }

    /**
     * Moves every layer to its kept fraction at {@code point}: narrowing by the current magnitudes,
     * or widening by the reference's (revived weights start at zero, so the network's function is
     * unchanged until retraining moves them). Returns the validation error right after, in percent.
     */
    private double applyPoint(PruningPath.Point point, Map<String, Mask> masks) {
      tensorOfLayer.forEach(
          (layer, tensor) -> {
            float[] values = network.parameter(tensor).values();
            Mask mask = masks.get(tensor);
            int target = (int) Math.round(point.keptFractions().get(layer) * values.length);
            if (target < mask.keptCount()) {
              double threshold =
                  new ThresholdPolicy.KeptFraction((double) target / values.length)
                      .threshold(values, mask);
              mask = mask.narrowedTo(values, threshold);
            } else if (target > mask.keptCount()) {
              mask = mask.widenedTo(reference.parameters().get(tensor), target);
            }
            mask.zeroPruned(values);
            masks.put(tensor, mask);
          });
      return 100.0 * validationErrors() / data.validation().count();
    }

    private List<Double> retrain(Map<String, Mask> masks, int epochs, String label) {
      Map<String, ParameterConstraint> constraints = new LinkedHashMap<>();
      masks.forEach((tensor, mask) -> constraints.put(tensor, new MaskConstraint(mask)));
      return train(constraints, epochs, label);
    }

    private List<Double> train(
        Map<String, ParameterConstraint> constraints, int epochs, String label) {
      List<Double> losses =
          ReferenceTraining.runEpochs(
              new Trainer(
                  network,
                  Compressor.annealed(solver, retrainRate, epochs, batches.batchesPerEpoch()),
                  constraints,
                  objective),
              batches,
              epoch,
              epochs,
              Monitor.of(data),
              label,
              console,
              Checkpoints.NONE.stage(label, RunSettings::new),
              label);
      epoch += epochs;
      return losses;
    }

    private IterativePruning.IterationReport report(
        int round, Map<String, Mask> masks, double afterPruning, int errors) {
      List<IterativePruning.TensorStats> stats = new ArrayList<>();
      masks.forEach(
          (tensor, mask) ->
              stats.add(
                  new IterativePruning.TensorStats(
                      tensor,
                      mask.size(),
                      mask.keptCount(),
                      Double.NaN,
                      String.format(
                          Locale.ROOT, "search, keep %.1f%%", 100 * mask.keptFraction()))));
      return new IterativePruning.IterationReport(
          round, List.copyOf(stats), afterPruning, 100.0 * errors / data.validation().count());
    }

    /** Where quantization ended. */
    private record Quantized(
        Map<String, CompressedTensor> tensors,
        Map<String, Integer> bits,
        int errorsBeforeRetraining,
        int errors,
        List<Double> losses) {}

    private Quantized quantize(Pruned pruned, int maxErrors) {
      Sensitivity.Context context =
          context(
              pruned.snapshot(),
              pruned.masks(),
              data.train()
                  .subset(0, Math.min(settings.widthRetrainImages(), data.train().count())));
      List<Trial<Sensitivity.Context, Sensitivity.Point>> trials = new ArrayList<>();
      List<LayerBytes.EncodeMaskedTrial> encodings = new ArrayList<>();
      for (String tensor : tensorOfLayer.values()) {
        for (int b : settings.bits()) {
          trials.add(new Sensitivity.QuantizeTrial(tensor, b));
          encodings.add(new LayerBytes.EncodeMaskedTrial(tensor, b));
        }
      }
      List<Sensitivity.Point> points =
          executor.runAll(context, trials, new TrialLog(console, "codebook widths"));
      List<LayerBytes.Cost> costs = executor.runAll(context, encodings, TrialListener.SILENT);
      // What the pruned network gets back to when its widest codebooks are retrained a little: the
      // level the final, longer retraining starts from, and the one each width is compared with.
      int widest = settings.bits().stream().max(Integer::compare).orElseThrow();
      int settled = pruned.errors();
      for (int i = 0; i < points.size(); i++) {
        if (points.get(i).setting() == widest) {
          settled = Math.min(settled, points.get(i).errorsAfter());
        }
      }
      List<Sensitivity.LayerCurves> layers = new ArrayList<>();
      Map<String, Map<Double, Map<Integer, Integer>>> bytes = new LinkedHashMap<>();
      int next = 0;
      for (Map.Entry<String, String> entry : tensorOfLayer.entrySet()) {
        Mask mask = pruned.masks().get(entry.getValue());
        Map<Integer, Integer> byBits = new LinkedHashMap<>();
        for (int b : settings.bits()) {
          byBits.put(b, costs.get(next).bytes());
          next++;
        }
        int from = next - settings.bits().size();
        layers.add(
            new Sensitivity.LayerCurves(
                entry.getKey(),
                entry.getValue(),
                mask.size(),
                List.of(
                    new Sensitivity.Point(
                        mask.keptFraction(), settled, settled, data.validation().count())),
                List.copyOf(points.subList(from, next))));
        bytes.put(entry.getKey(), Map.of(mask.keptFraction(), byBits));
      }
      Sensitivity.Table table =
          new Sensitivity.Table(settled, data.validation().count(), context.retrains(), layers);
      Map<String, Integer> bits = new LinkedHashMap<>();
      int budget = Math.max(0, maxErrors - settled);
      try {
        PlanSearch.Result choice = PlanSearch.choose(table, bytes, budget);
        for (PlanSearch.Choice c : choice.choices()) {
          bits.put(entry(c.layer()), c.bits());
        }
        note(
            "codebook widths for at most %d more errors than %d (%s): %s, %,d B predicted",
            budget,
            settled,
            context.retrains() ? "widest codebooks, retrained a little" : "pruned",
            describeBits(bits),
            choice.bytes());
      } catch (IllegalArgumentException e) {
        tensorOfLayer.values().forEach(tensor -> bits.put(tensor, widest));
        note(
            "codebook widths: no widths fit %d more errors, so the widest: %s",
            budget, describeBits(bits));
      }
      Quantized quantized = null;
      for (int backOffs = 0; quantized == null; backOffs++) {
        Attempt attempt = quantizeAndRetrain(pruned, bits, maxErrors);
        Quantized tried = attempt.result();
        if (tried.errors() <= maxErrors || backOffs >= settings.backOffs()) {
          quantized = tried;
          break;
        }
        String worst = costliest(attempt.quantization(), pruned.snapshot(), tried.errors());
        Integer wider = worst == null ? null : widerThan(bits.get(worst));
        if (wider == null) {
          quantized = tried;
          break;
        }
        note("backing off %s from %d to %d bits", worst, bits.get(worst), wider);
        bits.put(worst, wider);
        restore(pruned.snapshot());
      }
      return quantized.errors() <= maxErrors
          ? narrowed(pruned, table, bytes, budget, quantized, maxErrors)
          : quantized;
    }

    /**
     * Centroid retraining recovers more than the short retraining of the width trials shows, so a
     * quantization within the budget often leaves part of it unused. Narrowing chooses the widths
     * again with a larger allowance and quantizes the pruned network again, at most {@code
     * narrowings} times: the unused errors are added to the last allowance that stayed within the
     * budget while none has failed, and after a failure the allowance halves the interval between
     * the last that stayed within and the smallest that failed. Narrower widths stay only if the
     * retrained network is within the budget; the network ends as the last one that was. Widths
     * already retrained over the budget count as failed without being retrained again (an allowance
     * between two tried ones often chooses the widths of one of them).
     */
    private Quantized narrowed(
        Pruned pruned,
        Sensitivity.Table table,
        Map<String, Map<Double, Map<Integer, Integer>>> bytes,
        int allowance,
        Quantized accepted,
        int maxErrors) {
      Model acceptedState = network.toModel(Map.of());
      int within = allowance;
      int failed = Integer.MAX_VALUE;
      Set<Map<String, Integer>> over = new HashSet<>();
      for (int round = 0; round < settings.narrowings(); round++) {
        int next =
            failed == Integer.MAX_VALUE
                ? within + maxErrors - accepted.errors()
                : within + (failed - within) / 2;
        if (next <= within) {
          break;
        }
        PlanSearch.Result choice;
        try {
          choice = PlanSearch.choose(table, bytes, next);
        } catch (IllegalArgumentException e) {
          within = next; // nothing is predicted to fit yet: a larger allowance may
          continue;
        }
        Map<String, Integer> bits = new LinkedHashMap<>();
        for (PlanSearch.Choice c : choice.choices()) {
          bits.put(entry(c.layer()), c.bits());
        }
        if (bits.equals(accepted.bits())) {
          within = next;
          continue;
        }
        if (over.contains(bits)) {
          note(
              "narrowing: widths for at most %d more errors are %s again, already over the budget",
              next, describeBits(bits));
          failed = next;
          continue;
        }
        note(
            "narrowing: %d errors, widths for at most %d more errors: %s, %,d B predicted",
            accepted.errors(), next, describeBits(bits), choice.bytes());
        restore(pruned.snapshot());
        Quantized tried = quantizeAndRetrain(pruned, bits, maxErrors).result();
        if (tried.errors() <= maxErrors) {
          accepted = tried;
          acceptedState = network.toModel(Map.of());
          within = next;
        } else {
          over.add(bits);
          restore(acceptedState);
          failed = next;
        }
      }
      return accepted;
    }

    /** A quantization of the pruned network, and where its centroid retraining left it. */
    private record Attempt(Quantization quantization, Quantized result) {}

    /**
     * Shares the pruned network's kept weights in codebooks of {@code bits}, retrains the centroids
     * and measures.
     */
    private Attempt quantizeAndRetrain(Pruned pruned, Map<String, Integer> bits, int maxErrors) {
      Map<String, QuantizerSpec> specs = new LinkedHashMap<>();
      bits.forEach(
          (tensor, b) -> specs.put(tensor, new QuantizerSpec.KMeans(b, init, step, Mode.TRAINED)));
      Quantization quantization = Quantization.apply(network, tensors(pruned.masks()), specs, seed);
      int before = validationErrors();
      List<Double> losses =
          train(
              quantization.constraints(),
              base.retraining().quantizeEpochs(),
              "centroid retraining");
      int errors = validationErrors();
      note(
          "quantized %s: %d errors after sharing, %d after centroid retraining (%s)",
          describeBits(bits), before, errors, errors <= maxErrors ? "within" : "over");
      return new Attempt(
          quantization,
          new Quantized(quantization.tensors(), Map.copyOf(bits), before, errors, losses));
    }

    /** The weight tensor of a layer. */
    private String entry(String layer) {
      return tensorOfLayer.get(layer);
    }

    /** The next width of the grid above {@code bits}, or null. */
    private Integer widerThan(int bits) {
      return settings.bits().stream().filter(b -> b > bits).min(Integer::compare).orElse(null);
    }

    /**
     * The tensor whose quantization costs the most validation errors: putting its unquantized
     * (pruned and retrained) weights back lowers the error the most. Null if none lowers it.
     */
    private String costliest(Quantization quantization, Model unquantized, int errors) {
      String worst = null;
      int bestGain = 0;
      for (String tensor : tensorOfLayer.values()) {
        float[] values = network.parameter(tensor).values();
        float[] quantized = values.clone();
        System.arraycopy(unquantized.parameters().get(tensor), 0, values, 0, values.length);
        int gain = errors - validationErrors();
        System.arraycopy(quantized, 0, values, 0, values.length);
        if (gain > bestGain) {
          bestGain = gain;
          worst = tensor;
        }
      }
      return worst;
    }

    private void restore(Model snapshot) {
      snapshot
          .parameters()
          .forEach(
              (name, values) ->
                  System.arraycopy(values, 0, network.parameter(name).values(), 0, values.length));
    }

    private Map<String, CompressedTensor> tensors(Map<String, Mask> masks) {
      Map<String, CompressedTensor> tensors = new LinkedHashMap<>();
      masks.forEach(
          (tensor, mask) ->
              tensors.put(tensor, CompressedTensor.pruned(network.parameter(tensor).spec(), mask)));
      return tensors;
    }

    private static Map<String, Integer> autoGaps(Map<String, CompressedTensor> tensors) {
      Map<String, Integer> gaps = new LinkedHashMap<>();
      tensors.keySet().forEach(t -> gaps.put(t, LayerPlan.AUTO_GAP_BITS));
      return gaps;
    }

    /** The plan the search arrived at, by layer: reusable as a fixed plan. */
    private CompressionPlan plan(Map<String, Mask> masks, Map<String, Integer> bitsByTensor) {
      Map<String, LayerPlan> layers = new LinkedHashMap<>();
      tensorOfLayer.forEach(
          (layer, tensor) ->
              layers.put(
                  layer,
                  base.layers()
                      .get(layer)
                      .withPruning(
                          new ThresholdPolicy.KeptFraction(masks.get(tensor).keptFraction()))
                      .withQuantizer(
                          new QuantizerSpec.KMeans(
                              bitsByTensor.get(tensor), init, step, Mode.TRAINED))
                      .withGapBits(LayerPlan.AUTO_GAP_BITS)));
      return new CompressionPlan(layers, base.retraining());
    }

    private String describeKeep(Map<String, Double> kept) {
      StringBuilder text = new StringBuilder();
      kept.forEach(
          (layer, k) ->
              text.append(text.isEmpty() ? "" : " ")
                  .append(String.format(Locale.ROOT, "%s %.1f%%", layer, 100 * k)));
      return text.toString();
    }

    private String describeBits(Map<String, Integer> bits) {
      StringBuilder text = new StringBuilder();
      bits.forEach(
          (tensor, b) -> text.append(text.isEmpty() ? "" : " ").append(tensor + " " + b + "-bit"));
      return text.toString();
    }
  }
}
