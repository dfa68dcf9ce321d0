package dev.deepcompress.pruning;

/**
 * Zhu and Gupta's gradual pruning schedule (2017): a layer's sparsity goes from {@code initial} to
 * {@code target} in {@code steps} pruning steps, one every {@code interval} training steps from
 * step {@code start}, as s_t = s_f + (s_i − s_f)(1 − (t − t0)/(nΔ))³. It prunes fast while many
 * redundant weights are left and slowly as few remain. Any quantity that is affine in the sparsity
 * (the kept fraction, 1 − s) follows the same formula between its own two ends.
 *
 * @param initial the value at and before {@code start}
 * @param target the value from the last pruning step on, exactly
 * @param start the training step of the first pruning step
 * @param steps the pruning steps after the first one; 0 reaches the target at {@code start}
 * @param interval training steps between two pruning steps
 */
public record CubicRamp(double initial, double target, long start, int steps, long interval) {
  public CubicRamp {
    if (steps < 0 || interval < 1 || start < 0) {
      throw new IllegalArgumentException(
          "a ramp needs a start ≥ 0, steps ≥ 0 and an interval ≥ 1, got start "
              + start
              + ", "
              + steps
              + " steps, interval "
              + interval);
    }
  }

  /** The training step at which the ramp reaches its target. */
  public long end() {
    return start + steps * interval;
  }

  /** The value at training step {@code t}. */
  public double valueAt(long t) {
    if (t >= end()) {
      return target;
    }
    if (t <= start) {
      return initial;
    }
    double remaining = 1 - (double) (t - start) / (steps * interval);
    return target + (initial - target) * remaining * remaining * remaining;
  }

  /** Whether the masks are recomputed at training step {@code t}: start, start + Δ, …, end. */
  public boolean isPruningStep(long t) {
    return t >= start && t <= end() && (t - start) % interval == 0;
  }

  /** The first pruning step at or after training step {@code t}, or Long.MAX_VALUE if none is. */
  public long nextPruningStep(long t) {
    long next = t <= start ? start : start + Math.ceilDiv(t - start, interval) * interval;
    return next <= end() ? next : Long.MAX_VALUE;
  }
}
