package dev.deepcompress.quantization;

import dev.deepcompress.compression.Codebook;
import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.compression.Quantized;
import dev.deepcompress.runtime.kernels.KernelThreads;
import dev.deepcompress.training.SharedValues;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * One tensor's weights tied to a codebook during retraining (trained quantization, Han et al. 2016,
 * Eq. 3). Each weight its pruning mask keeps belongs to one cluster for good, whatever its value;
 * every other weight stays exactly {@code +0.0f}.
 *
 * <p>The gradient of a centroid is the sum of its cluster's gradients, or with {@link
 * QuantizerSpec.CentroidStep#MEAN} that sum divided by the cluster's size. As {@link SharedValues}
 * the optimizer moves each centroid (the value of a cluster with members) with its own momentum,
 * and the centroids are written to the members after each step. Through the member-wise hooks the
 * gradient of every member becomes its centroid's, and after each update the centroid is re-read as
 * the members' mean and written back to all of them, their momentum equalised the same way.
 */
final class WeightSharing implements QuantizedTraining, SharedValues {
  private final CompressedTensor pruned;
  private final int bits;
  private final QuantizerSpec.CentroidStep step;
  private final int[] positions;

  /** Each kept weight's cluster, in kept order. */
  private final int[] keptClusters;

  /** Each weight's slot in {@link #bySlot}: 1 + its cluster, 0 if it is pruned. */
  private final int[] slots;

  /** A value per cluster at {@code 1 + cluster}, {@code +0.0} at 0 for pruned weights. */
  private final float[] bySlot;

  private final float[] centroids;
  private final int[] sizes;

  /** The clusters with members, ascending: the groups of {@link SharedValues}. */
  private final int[] groupClusters;

  /** Their centroids, which the optimizer moves; copied into {@link #centroids} after each step. */
  private final float[] groupValues;

  private final double[] sums;

  /** Scratch for the member-wise hooks: a value per group. */
  private final float[] perGroup;

  private WeightSharing(
      CompressedTensor pruned,
      int bits,
      QuantizerSpec.CentroidStep step,
      int[] positions,
      int[] clusters,
      float[] centroids) {
    this.pruned = pruned;
    this.bits = bits;
    this.step = step;
    this.positions = positions;
    this.keptClusters = clusters;
    this.slots = new int[pruned.mask().size()];
    this.centroids = centroids;
    this.sizes = new int[centroids.length];
    for (int j = 0; j < positions.length; j++) {
      slots[positions[j]] = 1 + clusters[j];
      sizes[clusters[j]]++;
    }
    // A cluster without members (k-means stopped before converging) keeps its centroid.
    this.groupClusters = IntStream.range(0, sizes.length).filter(k -> sizes[k] > 0).toArray();
    this.groupValues = new float[groupClusters.length];
    this.perGroup = new float[groupClusters.length];
    readGroupValues();
    this.bySlot = new float[centroids.length + 1];
    this.sums = new double[centroids.length];
  }

  /**
   * Clusters the weights {@code pruned}'s mask keeps into at most {@code 2^bits} clusters (fewer
   * only if there are fewer distinct kept values), retrained with {@code step}. {@code weights} is
   * not changed; see {@link #quantize}.
   */
  public static WeightSharing cluster(
      CompressedTensor pruned,
      float[] weights,
      int bits,
      KMeans1D.Init init,
      QuantizerSpec.CentroidStep step,
      long seed) {
    Quantized.requireBits(bits);
    requireSize(pruned, weights);
    int[] positions = pruned.mask().keptPositions();
    if (positions.length == 0) {
      return new WeightSharing(pruned, bits, step, positions, new int[0], new float[0]);
    }
    float[] kept = new float[positions.length];
    for (int j = 0; j < positions.length; j++) {
      kept[j] = weights[positions[j]];
    }
    KMeans1D.Result result =
        KMeans1D.fit(kept, 1 << bits, init, seed, KMeans1D.DEFAULT_MAX_ITERATIONS);
    return new WeightSharing(
        pruned, bits, step, positions, result.assignments(), result.centroids());
  }

  public int bits() {
    return bits;
  }

  /** The current centroids: ascending after clustering, then moved freely by retraining. */
  public float[] centroids() {
    return centroids.clone();
  }

  /** The current codebook and each kept weight's index into it. */
  public Codebook codebook() {
    int[] indices = new int[positions.length];
    for (int j = 0; j < positions.length; j++) {
      indices[j] = keptClusters[j];
    }
    return new Codebook(bits, centroids, indices);
  }

  /** The pruned tensor this was built from, quantized by the current codebook. */
  @Override
  public CompressedTensor tensor() {
    return pruned.withQuantization(codebook());
  }

  /** Writes each weight's current centroid into {@code weights}, and zero where pruned. */
  @Override
  public void quantize(float[] weights) {
    requireSize(weights);
    // A lookup, not a branch on whether a weight is pruned, which a mask makes unpredictable.
    System.arraycopy(centroids, 0, bySlot, 1, centroids.length);
    fill(weights);
  }

  /** The centroids: the assignments are fixed by the clustering, which is repeatable. */
  @Override
  public List<float[]> learned() {
    return List.of(centroids.clone());
  }

  @Override
  public void restoreLearned(List<float[]> learned) {
    if (learned.size() != 1 || learned.getFirst().length != centroids.length) {
      throw new IllegalArgumentException(
          "weight sharing of "
              + pruned.name()
              + " restores "
              + centroids.length
              + " centroids, got "
              + learned.stream().map(a -> a.length + " values").toList());
    }
    System.arraycopy(learned.getFirst(), 0, centroids, 0, centroids.length);
    readGroupValues();
  }

  @Override
  public float[] groupValues() {
    return groupValues;
  }

  @Override
  public void groupGradients(float[] gradient, float[] groupGradients) {
    sumByCluster(gradient);
    for (int g = 0; g < groupClusters.length; g++) {
      int k = groupClusters[g];
      groupGradients[g] =
          (float) (step == QuantizerSpec.CentroidStep.MEAN ? sums[k] / sizes[k] : sums[k]);
    }
  }

  /**
   * A member-wise step would have made every member's value and momentum the same float x, whose
   * mean over the members is x exactly (n equal floats add up exactly in double for n < 2^29, and
   * n·x / n is x), but for {@code −0.0}: a sum from {@code +0.0} gives {@code +0.0}. Adding {@code
   * +0f} does exactly that.
   */
  @Override
  public void groupsUpdated(float[] groupMomentum, float[] values) {
    requireSize(values);
    for (int g = 0; g < groupClusters.length; g++) {
      groupValues[g] += 0f;
      groupMomentum[g] += 0f;
      centroids[groupClusters[g]] = groupValues[g];
    }
    quantize(values);
  }

  @Override
  public void expand(float[] perGroup, float[] tensor) {
    requireSize(tensor);
    for (int g = 0; g < groupClusters.length; g++) {
      bySlot[1 + groupClusters[g]] = perGroup[g];
    }
    fill(tensor);
  }

  @Override
  public void reduce(float[] tensor, float[] perGroup) {
    sumByCluster(tensor);
    for (int g = 0; g < groupClusters.length; g++) {
      int k = groupClusters[g];
      perGroup[g] = (float) (sums[k] / sizes[k]);
    }
  }

  @Override
  public void constrainGradient(float[] gradient) {
    groupGradients(gradient, perGroup);
    expand(perGroup, gradient);
  }

  @Override
  public void constrainValues(float[] values) {
    reduce(values, groupValues);
    for (int g = 0; g < groupClusters.length; g++) {
      centroids[groupClusters[g]] = groupValues[g];
    }
    quantize(values);
  }

  @Override
  public void constrainMomentum(float[] momentum) {
    reduce(momentum, perGroup);
    expand(perGroup, momentum);
  }

  private void readGroupValues() {
    for (int g = 0; g < groupClusters.length; g++) {
      groupValues[g] = centroids[groupClusters[g]];
    }
  }

  /** {@code tensor[i] = bySlot[slots[i]]}, block by block on the kernel threads. */
  private void fill(float[] tensor) {
    KernelThreads.parallelBlocks(
        tensor.length,
        TrainingKernels.BLOCK,
        (block, from, to) -> TrainingKernels.PREFERRED.fill(tensor, slots, bySlot, from, to));
  }

  /**
   * Each cluster's sum in double, its members in position order. One thread: a scatter of adds by
   * cluster, split over two, took twice as long (docs/quantizers-results.md).
   */
  private void sumByCluster(float[] tensor) {
    requireSize(tensor);
    Arrays.fill(sums, 0);
    if (positions.length == tensor.length) {
      // Nothing pruned: the positions are 0, 1, 2, …, not worth reading.
      for (int i = 0; i < tensor.length; i++) {
        sums[keptClusters[i]] += tensor[i];
      }
    } else {
      for (int j = 0; j < positions.length; j++) {
        sums[keptClusters[j]] += tensor[positions[j]];
      }
    }
  }

  private void requireSize(float[] tensor) {
    requireSize(pruned, tensor);
  }

  private static void requireSize(CompressedTensor pruned, float[] tensor) {
    if (tensor.length != pruned.mask().size()) {
      throw new IllegalArgumentException(
          "weight sharing for "
              + pruned.name()
              + " ("
              + pruned.mask().size()
              + " weights) applied to a tensor of "
              + tensor.length);
    }
  }
}
