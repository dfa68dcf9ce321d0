package dev.deepcompress.quantization;

import dev.deepcompress.training.ParameterConstraint;
import java.util.Arrays;

/**
 * One layer's weights tied to a codebook during retraining (trained quantization, Han et al. 2016,
 * Eq. 3). Each non-zero weight belongs to one cluster for good; weights that are exactly zero are
 * pruned and stay exactly {@code +0.0f}.
 *
 * <p>As a {@link ParameterConstraint}: the gradient of every member becomes the sum of its
 * cluster's gradients, which is the gradient of the shared centroid. Given identical values,
 * gradients and momentum, the optimizer then moves all members alike; after each update the
 * centroid is re-read as the members' mean and written back to all of them, and their momentum is
 * equalised the same way, so rounding can never let members drift apart.
 */
public final class WeightSharing implements ParameterConstraint {
  private final int bits;
  private final int[] assignments;
  private final float[] centroids;
  private final int[] sizes;
  private final double[] sums;
  private final float[] means;

  private WeightSharing(int bits, int[] assignments, float[] centroids) {
    this.bits = bits;
    this.assignments = assignments;
    this.centroids = centroids;
    this.sizes = new int[centroids.length];
    for (int a : assignments) {
      if (a != Codebook.PRUNED) {
        sizes[a]++;
      }
    }
    this.sums = new double[centroids.length];
    this.means = new float[centroids.length];
  }

  /**
   * Clusters the non-zero entries of {@code weights} into at most {@code 2^bits} clusters (fewer
   * only if there are fewer distinct non-zero values). {@code weights} is not changed; see {@link
   * #quantize}.
   */
  public static WeightSharing cluster(float[] weights, int bits, KMeans1D.Init init, long seed) {
    if (bits < 1 || bits > Codebook.MAX_BITS) {
      throw new IllegalArgumentException(
          "bits must be in 1.." + Codebook.MAX_BITS + ", got " + bits);
    }
    int[] assignments = new int[weights.length];
    Arrays.fill(assignments, Codebook.PRUNED);
    int count = 0;
    for (float w : weights) {
      if (w != 0f) {
        count++;
      }
    }
    if (count == 0) {
      return new WeightSharing(bits, assignments, new float[0]);
    }
    float[] kept = new float[count];
    int[] positions = new int[count];
    for (int i = 0, j = 0; i < weights.length; i++) {
      if (weights[i] != 0f) {
        kept[j] = weights[i];
        positions[j++] = i;
      }
    }
    KMeans1D.Result result =
        KMeans1D.fit(kept, 1 << bits, init, seed, KMeans1D.DEFAULT_MAX_ITERATIONS);
    for (int j = 0; j < count; j++) {
      assignments[positions[j]] = result.assignments()[j];
    }
    return new WeightSharing(bits, assignments, result.centroids());
  }

  public int bits() {
    return bits;
  }

  /** The current centroids: ascending after clustering, then moved freely by retraining. */
  public float[] centroids() {
    return centroids.clone();
  }

  /** For each weight its cluster, or {@link Codebook#PRUNED}; fixed for the life of this object. */
  public int[] assignments() {
    return assignments.clone();
  }

  /** A snapshot of the current state, for the file writer. */
  public Codebook codebook() {
    return new Codebook(bits, centroids, assignments);
  }

  /** Writes each weight's current centroid into {@code weights}, and zero where pruned. */
  public void quantize(float[] weights) {
    requireSize(weights);
    for (int i = 0; i < weights.length; i++) {
      int a = assignments[i];
      weights[i] = a == Codebook.PRUNED ? 0f : centroids[a];
    }
  }

  @Override
  public void constrainGradient(float[] gradient) {
    sumByCluster(gradient);
    for (int i = 0; i < gradient.length; i++) {
      int a = assignments[i];
      gradient[i] = a == Codebook.PRUNED ? 0f : (float) sums[a];
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
      momentum[i] = a == Codebook.PRUNED ? 0f : means[a];
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
      if (a != Codebook.PRUNED) {
        sums[a] += tensor[i];
      }
    }
  }

  private void requireSize(float[] tensor) {
    if (tensor.length != assignments.length) {
      throw new IllegalArgumentException(
          "weight sharing for "
              + assignments.length
              + " weights applied to a tensor of "
              + tensor.length);
    }
  }
}
