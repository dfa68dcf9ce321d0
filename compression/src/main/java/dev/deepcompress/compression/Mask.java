package dev.deepcompress.compression;

import java.util.Arrays;
import java.util.BitSet;
import java.util.function.IntPredicate;

/**
 * Which elements of one weight tensor survive pruning. Immutable: narrowing (or widening, when
 * pruning backs off) gives a new mask. The kept elements are the ones the later stages quantize and
 * the file stores, in ascending flat position order; nothing downstream tells a pruned weight from
 * a kept one by its value.
 */
public final class Mask {
  private final int size;
  private final BitSet kept;

  /** {@link #kept} as 64-bit words, for {@link #zeroPruned}, which runs on every training step. */
  private final long[] keptWords;

  private Mask(int size, BitSet kept) {
    this.size = size;
    this.kept = kept;
    this.keptWords = kept.toLongArray();
  }

  /** Everything kept: an unpruned tensor of {@code size} elements. */
  public static Mask all(int size) {
    if (size < 0) {
      throw new IllegalArgumentException("a mask cannot have " + size + " elements");
    }
    BitSet kept = new BitSet(size);
    kept.set(0, size);
    return new Mask(size, kept);
  }

  /**
   * The mask of {@code size} elements that keeps exactly {@code keptPositions}: the inverse of
   * {@link #keptPositions()}, for masks read back from a saved run.
   *
   * @throws IllegalArgumentException unless the positions ascend strictly within {@code [0, size)}
   */
  public static Mask of(int size, int[] keptPositions) {
    if (size < 0) {
      throw new IllegalArgumentException("a mask cannot have " + size + " elements");
    }
    BitSet kept = new BitSet(size);
    int previous = -1;
    for (int position : keptPositions) {
      if (position <= previous || position >= size) {
        throw new IllegalArgumentException(
            "kept position "
                + position
                + (position >= size ? " is outside a mask of " + size : " does not ascend"));
      }
      kept.set(position);
      previous = position;
    }
    return new Mask(size, kept);
  }

  /**
   * Keeps the entries of {@code weights} whose magnitude is above {@code threshold} and that this
   * mask keeps already: pruning only ever removes.
   */
  public Mask narrowedTo(float[] weights, double threshold) {
    requireSize(weights);
    BitSet next = new BitSet(size);
    for (int i = kept.nextSetBit(0); i >= 0; i = kept.nextSetBit(i + 1)) {
      if (Math.abs(weights[i]) > threshold) {
        next.set(i);
      }
    }
    return new Mask(size, next);
  }

  /** Keeps the entries this mask keeps for which {@code keep} holds: pruning only ever removes. */
  public Mask narrowedTo(IntPredicate keep) {
    BitSet next = new BitSet(size);
    for (int i = kept.nextSetBit(0); i >= 0; i = kept.nextSetBit(i + 1)) {
      if (keep.test(i)) {
        next.set(i);
      }
    }
    return new Mask(size, next);
  }

  /**
   * Keeps what this mask keeps and, of the entries it prunes, the ones with the largest {@code
   * |scores|} (the earliest first among equal ones) until {@code keptCount} are kept: the weights
   * to revive when pruning backs off.
   *
   * @throws IllegalArgumentException if {@code keptCount} is below this mask's count or above its
   *     size
   */
  public Mask widenedTo(float[] scores, int keptCount) {
    requireSize(scores);
    int now = keptCount();
    if (keptCount < now || keptCount > size) {
      throw new IllegalArgumentException(
          "cannot widen a mask keeping " + now + " of " + size + " to " + keptCount);
    }
    int[] pruned = new int[size - now];
    int n = 0;
    for (int i = kept.nextClearBit(0); i < size; i = kept.nextClearBit(i + 1)) {
      pruned[n++] = i;
    }
    Integer[] order = new Integer[n];
    for (int j = 0; j < n; j++) {
      order[j] = pruned[j];
    }
    Arrays.sort(order, (a, b) -> Float.compare(Math.abs(scores[b]), Math.abs(scores[a])));
    BitSet next = (BitSet) kept.clone();
    for (int j = 0; j < keptCount - now; j++) {
      next.set(order[j]);
    }
    return new Mask(size, next);
  }

  public int size() {
    return size;
  }

  public boolean isKept(int index) {
    return kept.get(index);
  }

  public int keptCount() {
    return kept.cardinality();
  }

  public double keptFraction() {
    return (double) keptCount() / size;
  }

  /** The flat positions of the kept elements, ascending. */
  public int[] keptPositions() {
    return kept.stream().toArray();
  }

  /** Zeroes every pruned entry of {@code values} (to +0.0). */
  public void zeroPruned(float[] values) {
    requireSize(values);
    // A word at a time: a mostly pruned tensor is mostly whole words of zeros to fill, where a
    // search for each clear bit cost more than the training step's arithmetic.
    for (int w = 0, base = 0; base < size; w++, base += Long.SIZE) {
      long word = w < keptWords.length ? keptWords[w] : 0L;
      int end = Math.min(base + Long.SIZE, size);
      if (word == 0L) {
        Arrays.fill(values, base, end, 0f);
      } else if (word != -1L) {
        for (long pruned = ~word; pruned != 0; pruned &= pruned - 1) {
          int i = base + Long.numberOfTrailingZeros(pruned);
          if (i >= end) {
            break;
          }
          values[i] = 0f;
        }
      }
    }
  }

  private void requireSize(float[] values) {
    if (values.length != size) {
      throw new IllegalArgumentException(
          "mask of " + size + " entries applied to a tensor of " + values.length);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Mask m && size == m.size && kept.equals(m.kept);
  }

  @Override
  public int hashCode() {
    return 31 * size + kept.hashCode();
  }

  @Override
  public String toString() {
    return "Mask[" + keptCount() + " of " + size + " kept]";
  }
}
