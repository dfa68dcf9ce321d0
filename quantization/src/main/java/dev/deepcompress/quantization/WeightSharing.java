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
  /** The cluster of a pruned weight. */
  private static final int PRUNED = -1;

  private final CompressedTensor pruned;
  private final int bits;
  private final QuantizerSpec.CentroidStep step;
  private final int[] positions;
  private final int[] assignments;
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
    this.assignments = new int[pruned.mask().size()];
    Arrays.fill(assignments, PRUNED);
    this.centroids = centroids;
    this.sizes = new int[centroids.length];
    for (int j = 0; j < positions.length; j++) {
      assignments[positions[j]] = clusters[j];
      sizes[clusters[j]]++;
    }
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
      indices[j] = assignments[positions[j]];
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
    for (int i = 0; i < weights.length; i++) {
      int a = assignments[i];
      weights[i] = a == PRUNED ? 0f : centroids[a];
    }
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
    if (step == QuantizerSpec.CentroidStep.MEAN) {
      for (int k = 0; k < sums.length; k++) {
        sums[k] /= Math.max(1, sizes[k]);
      }
    }
    for (int i = 0; i < gradient.length; i++) {
      int a = assignments[i];
      gradient[i] = a == PRUNED ? 0f : (float) sums[a];
    }
  }

  @Override
  public void constrainValues(float[] values) {
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
    clusterMeans(momentum);
    for (int i = 0; i < momentum.length; i++) {
      int a = assignments[i];
      momentum[i] = a == PRUNED ? 0f : means[a];
    }
  }

  private void clusterMeans(float[] tensor) {
    sumByCluster(tensor);
    for (int k = 0; k < means.length; k++) {
      means[k] = (float) (sums[k] / sizes[k]);
    }
  }

  private void sumByCluster(float[] tensor) {
    requireSize(tensor);
    Arrays.fill(sums, 0);
    for (int i = 0; i < tensor.length; i++) {
      int a = assignments[i];
      if (a != PRUNED) {
        sums[a] += tensor[i];
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
