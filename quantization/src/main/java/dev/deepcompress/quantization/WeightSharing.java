package dev.deepcompress.quantization;

import dev.deepcompress.compression.Codebook;
import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.compression.Quantized;
import dev.deepcompress.training.ParameterConstraint;
import java.util.Arrays;
import java.util.List;

/**
 * One tensor's weights tied to a codebook during retraining (trained quantization, Han et al. 2016,
 * Eq. 3). Each weight its pruning mask keeps belongs to one cluster for good, whatever its value;
 * every other weight stays exactly {@code +0.0f}.
 *
 * <p>As a {@link ParameterConstraint}: the gradient of every member becomes the sum of its
 * cluster's gradients, which is the gradient of the shared centroid, or with {@link
 * QuantizerSpec.CentroidStep#MEAN} that sum divided by the cluster's size. Given identical values,
 * gradients and momentum, the optimizer then moves all members alike; after each update the
 * centroid is re-read as the members' mean and written back to all of them, and their momentum is
 * equalised the same way, so rounding can never let members drift apart.
 */
final class WeightSharing implements QuantizedTraining {
  private final CompressedTensor pruned;
  private final int bits;
  private final QuantizerSpec.CentroidStep step;
  private final int[] positions;

  /** Each kept weight's cluster, in kept order. */
  private final int[] keptClusters;

  /** Each weight's slot in {@link #bySlot}: 1 + its cluster, 0 if it is pruned. */
  private final int[] slots;

  /** Where each cluster's first member is, −1 for a cluster without members. */
  private final int[] firstMembers;

  /** A value per cluster at {@code 1 + cluster}, {@code +0.0} at 0 for pruned weights. */
  private final float[] bySlot;

  /** The bits of {@link #bySlot}'s values. */
  private final int[] bitsBySlot;

  private final float[] centroids;
  private final int[] sizes;
  private final double[] sums;
  private final float[] means;

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
    this.firstMembers = new int[centroids.length];
    Arrays.fill(firstMembers, -1);
    for (int j = positions.length - 1; j >= 0; j--) {
      slots[positions[j]] = 1 + clusters[j];
      sizes[clusters[j]]++;
      firstMembers[clusters[j]] = positions[j];
    }
    this.bySlot = new float[centroids.length + 1];
    this.bitsBySlot = new int[centroids.length + 1];
    this.sums = new double[centroids.length];
    this.means = new float[centroids.length];
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
    fill(weights, centroids);
  }

  /** Writes each weight's cluster's value into {@code tensor}, and {@code +0.0} where pruned. */
  private void fill(float[] tensor, float[] perCluster) {
    // A lookup, not a branch on whether a weight is pruned, which a mask makes unpredictable.
    System.arraycopy(perCluster, 0, bySlot, 1, perCluster.length);
    TrainingKernels.PREFERRED.fill(tensor, slots, bySlot);
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
  }

  @Override
  public void constrainGradient(float[] gradient) {
    sumByCluster(gradient);
    for (int k = 0; k < sums.length; k++) {
      double sum =
          step == QuantizerSpec.CentroidStep.MEAN ? sums[k] / Math.max(1, sizes[k]) : sums[k];
      means[k] = (float) sum;
    }
    fill(gradient, means);
  }

  /**
   * After an update from values, gradients and momentum that were alike within each cluster, the
   * members are alike again: then {@link #holdsClusterValues} says so in one pass that writes
   * nothing, and the centroid is any member's value. Otherwise (values set from outside) it is the
   * members' mean.
   */
  @Override
  public void constrainValues(float[] values) {
    if (holdsClusterValues(values)) {
      for (int k = 0; k < centroids.length; k++) {
        if (sizes[k] > 0) {
          centroids[k] = values[firstMembers[k]];
        }
      }
      return;
    }
    clusterMeans(values);
    for (int k = 0; k < centroids.length; k++) {
      // A cluster without members (k-means stopped before converging) keeps its centroid.
      if (sizes[k] > 0) {
        centroids[k] = means[k];
      }
    }
    quantize(values);
  }

  @Override
  public void constrainMomentum(float[] momentum) {
    if (!holdsClusterValues(momentum)) {
      clusterMeans(momentum);
      fill(momentum, means);
    }
  }

  /**
   * Whether {@code tensor} already holds its clusters' means: each member the same bits as its
   * cluster's first member, none of these −0.0 or NaN, and each pruned weight {@code +0.0}. The
   * mean of n copies of a float x is then x exactly, as {@link #clusterMeans} computes it: their
   * running sums in double, k·x for k ≤ n, are exact while n < 2^29 (x has 24 significant bits),
   * and so is n·x / n. (From +0.0, a sum of −0.0s is +0.0, hence that exception.)
   */
  private boolean holdsClusterValues(float[] tensor) {
    requireSize(tensor);
    if (positions.length >= 1 << 29) {
      return false;
    }
    for (int k = 0; k < firstMembers.length; k++) {
      float value = firstMembers[k] < 0 ? 0f : tensor[firstMembers[k]];
      if (Float.isNaN(value) || Float.floatToRawIntBits(value) == Integer.MIN_VALUE) {
        return false;
      }
      bitsBySlot[k + 1] = Float.floatToRawIntBits(value);
    }
    return TrainingKernels.PREFERRED.matches(tensor, slots, bitsBySlot);
  }

  private void clusterMeans(float[] tensor) {
    sumByCluster(tensor);
    for (int k = 0; k < means.length; k++) {
      means[k] = (float) (sums[k] / sizes[k]);
    }
  }

  /** Each cluster's sum in double, its members in position order. */
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
