package dev.deepcompress.quantization;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link TrainingKernels} on the Vector API, at the platform's preferred width: each lane computes
 * what the scalar loop computes for its element, with the same operations in the same order (IEEE
 * division, addition and multiplication round alike in a lane; {@code MIN}, {@code MAX} and the
 * float-to-int conversion are those of {@code Math.min}, {@code Math.max} and a cast). The tails
 * shorter than a vector run the scalar code.
 */
final class VectorTrainingKernels implements TrainingKernels {
  private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> INTS = FLOATS.withLanes(int.class);
  private static final int L = FLOATS.length();

  /** Four floats, and four doubles: the lanes of {@link BlockedSums}, on every machine. */
  private static final VectorSpecies<Float> FOUR_FLOATS = FloatVector.SPECIES_128;

  private static final VectorSpecies<Integer> FOUR_INTS = IntVector.SPECIES_128;
  private static final VectorSpecies<Double> FOUR_DOUBLES = DoubleVector.SPECIES_256;

  /**
   * The most cuts (level magnitudes per sign) for which the log kernel compares every weight with
   * every cut; beyond (6 bits and more) the scalar search by exponent is faster.
   */
  static final int MAX_LOG_CUTS = 15;

  /**
   * The shadow weights from {@code j} on, moved by their updates and stored if {@code updated} is
   * not null, as the scalar code does it: {@code shadow[j] + (updated[j] − quantized[j])}.
   */
  private static FloatVector moved(float[] shadow, float[] updated, float[] quantized, int j) {
    FloatVector w = FloatVector.fromArray(FLOATS, shadow, j);
    if (updated == null) {
      return w;
    }
    w =
        w.add(
            FloatVector.fromArray(FLOATS, updated, j)
                .sub(FloatVector.fromArray(FLOATS, quantized, j)));
    w.intoArray(shadow, j);
    return w;
  }

  @Override
  public int uniform(
      float[] shadow,
      float[] updated,
      float[] quantized,
      int[] indices,
      int from,
      int to,
      float scale,
      int zero,
      int top,
      float low,
      float high,
      int[] outside,
      int count) {
    int end = from + FLOATS.loopBound(to - from);
    float zeroFloat = zero;
    float topFloat = top;
    int j = from;
    for (; j < end; j += L) {
      FloatVector w = moved(shadow, updated, quantized, j);
      FloatVector x = w.div(scale);
      FloatVector rounded =
          x.add(ScalarTrainingKernels.ROUNDING).sub(ScalarTrainingKernels.ROUNDING);
      IntVector q =
          (IntVector) rounded.add(zeroFloat).min(topFloat).max(0f).convert(VectorOperators.F2I, 0);
      q.intoArray(indices, j);
      FloatVector level = ((FloatVector) q.sub(zero).convert(VectorOperators.I2F, 0)).mul(scale);
      level.intoArray(quantized, j);
      if (updated != null) {
        level.intoArray(updated, j);
      }
      VectorMask<Float> inside =
          w.compare(VectorOperators.GE, low).and(w.compare(VectorOperators.LE, high));
      if (!inside.allTrue()) {
        long lanes = inside.not().toLong();
        while (lanes != 0) {
          outside[count++] = j + Long.numberOfTrailingZeros(lanes);
          lanes &= lanes - 1;
        }
      }
    }
    return SCALAR.uniform(
        shadow, updated, quantized, indices, j, to, scale, zero, top, low, high, outside, count);
  }

  /**
   * Compares each magnitude's bits with every cut's (a magnitude exceeds a non-negative cut exactly
   * when its bits do) and keeps the level of the highest cut it exceeds: the same count of cuts
   * below it as the search by exponent gives, without looking anything up.
   */
  @Override
  public void log(
      LogQuantizer.Nearest nearest,
      float[] table,
      float[] shadow,
      float[] updated,
      float[] quantized,
      int[] indices) {
    int magnitudes = nearest.magnitudes();
    int n = shadow.length;
    int end = magnitudes <= MAX_LOG_CUTS ? FLOATS.loopBound(n) : 0;
    IntVector none = IntVector.zero(INTS);
    for (int j = 0; j < end; j += L) {
      FloatVector w = moved(shadow, updated, quantized, j);
      IntVector bits = (IntVector) w.viewAsIntegralLanes();
      IntVector magnitudeBits = bits.and(0x7FFFFFFF);
      IntVector index = none;
      IntVector levelBits = none;
      for (int cut = 0; cut < magnitudes; cut++) {
        // Past the cut-th cut (ascending) lies the (cut+1)-th smallest magnitude: its rank, 0 the
        // largest, is magnitudes − 1 − cut, its positive level index 2 rank + 1.
        int rank = magnitudes - 1 - cut;
        VectorMask<Integer> above = magnitudeBits.compare(VectorOperators.GT, nearest.cutBits(cut));
        index = index.blend(2 * rank + 1, above);
        levelBits = levelBits.blend(Float.floatToRawIntBits(table[2 * rank + 1]), above);
      }
      // Not a level: below the lowest cut (index still 0), or NaN.
      VectorMask<Integer> level =
          index
              .compare(VectorOperators.NE, 0)
              .and(magnitudeBits.compare(VectorOperators.LE, 0x7F800000));
      IntVector sign = bits.lanewise(VectorOperators.LSHR, 31);
      index.add(sign).blend(none, level.not()).intoArray(indices, j);
      // The level's value: its magnitude with the weight's sign, as the table holds it.
      FloatVector value =
          (FloatVector)
              levelBits.or(bits.and(0x80000000)).blend(none, level.not()).viewAsFloatingLanes();
      value.intoArray(quantized, j);
      if (updated != null) {
        value.intoArray(updated, j);
      }
    }
    ScalarTrainingKernels.log(nearest, table, shadow, updated, quantized, indices, end, n);
  }

  @Override
  public int moveLargestMagnitude(float[] shadow, float[] updated, float[] quantized) {
    int end = FLOATS.loopBound(shadow.length);
    IntVector largest = IntVector.zero(INTS);
    for (int j = 0; j < end; j += L) {
      FloatVector w = moved(shadow, updated, quantized, j);
      largest = largest.max(((IntVector) w.viewAsIntegralLanes()).and(0x7FFFFFFF));
    }
    // An integer maximum: the same in any order.
    int maxBits = largest.reduceLanes(VectorOperators.MAX);
    return ScalarTrainingKernels.moveLargestMagnitude(
        shadow, updated, quantized, end, shadow.length, maxBits);
  }

  @Override
  public void ternary(
      float[] shadow,
      float[] updated,
      float[] quantized,
      int[] indices,
      int deltaBits,
      int upBits,
      int downBits) {
    int end = FLOATS.loopBound(shadow.length);
    IntVector zero = IntVector.zero(INTS);
    for (int j = 0; j < end; j += L) {
      IntVector bits = (IntVector) FloatVector.fromArray(FLOATS, shadow, j).viewAsIntegralLanes();
      VectorMask<Integer> beyond = bits.and(0x7FFFFFFF).compare(VectorOperators.GT, deltaBits);
      VectorMask<Integer> negative = bits.compare(VectorOperators.LT, 0);
      VectorMask<Integer> above = beyond.andNot(negative);
      VectorMask<Integer> below = beyond.and(negative);
      IntVector.broadcast(INTS, TernaryQuantizer.ZERO)
          .blend(TernaryQuantizer.POSITIVE, above)
          .blend(TernaryQuantizer.NEGATIVE, below)
          .intoArray(indices, j);
      FloatVector level =
          (FloatVector) zero.blend(upBits, above).blend(downBits, below).viewAsFloatingLanes();
      level.intoArray(quantized, j);
      if (updated != null) {
        level.intoArray(updated, j);
      }
    }
    ScalarTrainingKernels.ternary(
        shadow, updated, quantized, indices, deltaBits, upBits, downBits, end, shadow.length);
  }

  @Override
  public void binarySigns(
      float[] shadow, float[] updated, float[] quantized, int[] indices, int from, int to) {
    int end = from + FLOATS.loopBound(to - from);
    IntVector zero = IntVector.zero(INTS);
    int j = from;
    for (; j < end; j += L) {
      FloatVector w = moved(shadow, updated, quantized, j);
      IntVector bits = (IntVector) w.viewAsIntegralLanes();
      IntVector magnitudeBits = bits.and(0x7FFFFFFF);
      // w >= 0: sign clear or ±0, and not NaN.
      VectorMask<Integer> nonNegative =
          bits.compare(VectorOperators.GE, 0)
              .or(magnitudeBits.compare(VectorOperators.EQ, 0))
              .and(magnitudeBits.compare(VectorOperators.LE, 0x7F800000));
      zero.blend(1, nonNegative).intoArray(indices, j);
    }
    SCALAR.binarySigns(shadow, updated, quantized, indices, j, to);
  }

  @Override
  public void binaryLevels(
      int[] indices,
      float[] quantized,
      float[] updated,
      int from,
      int to,
      int negativeBits,
      int flip) {
    int end = from + INTS.loopBound(to - from);
    int j = from;
    for (; j < end; j += L) {
      IntVector q = IntVector.fromArray(INTS, indices, j);
      FloatVector level =
          (FloatVector)
              q.neg().and(flip).lanewise(VectorOperators.XOR, negativeBits).viewAsFloatingLanes();
      level.intoArray(quantized, j);
      if (updated != null) {
        level.intoArray(updated, j);
      }
    }
    SCALAR.binaryLevels(indices, quantized, updated, j, to, negativeBits, flip);
  }

  @Override
  public double sumOfMagnitudes(float[] values, int from, int to) {
    DoubleVector sums = DoubleVector.zero(FOUR_DOUBLES);
    int j = from;
    for (; j + BlockedSums.LANES <= to; j += BlockedSums.LANES) {
      sums = sums.add(widen(FloatVector.fromArray(FOUR_FLOATS, values, j).abs()));
    }
    return ScalarTrainingKernels.sumOfMagnitudes(
        values, j, to, sums.lane(0), sums.lane(1), sums.lane(2), sums.lane(3));
  }

  private static DoubleVector widen(FloatVector four) {
    return (DoubleVector) four.convertShape(VectorOperators.F2D, FOUR_DOUBLES, 0);
  }

  /** Four lanes at a time throughout: the sums' width. */
  @Override
  public void ternaryGradients(
      float[] gradients, int[] indices, float negative, float positive, BlockedSums sums) {
    DoubleVector positiveSums = DoubleVector.zero(FOUR_DOUBLES);
    DoubleVector negativeSums = DoubleVector.zero(FOUR_DOUBLES);
    FloatVector none = FloatVector.zero(FOUR_FLOATS);
    FloatVector one = FloatVector.broadcast(FOUR_FLOATS, 1f);
    int positives = 0;
    int negatives = 0;
    int end = FOUR_FLOATS.loopBound(gradients.length);
    for (int j = 0; j < end; j += BlockedSums.LANES) {
      FloatVector g = FloatVector.fromArray(FOUR_FLOATS, gradients, j);
      IntVector q = IntVector.fromArray(FOUR_INTS, indices, j);
      VectorMask<Float> atPositive =
          q.compare(VectorOperators.EQ, TernaryQuantizer.POSITIVE).cast(FOUR_FLOATS);
      VectorMask<Float> atNegative =
          q.compare(VectorOperators.EQ, TernaryQuantizer.NEGATIVE).cast(FOUR_FLOATS);
      positiveSums = positiveSums.add(widen(none.blend(g, atPositive)));
      negativeSums = negativeSums.add(widen(none.blend(g, atNegative)));
      positives += atPositive.trueCount();
      negatives += atNegative.trueCount();
      g.mul(one.blend(positive, atPositive).blend(negative, atNegative)).intoArray(gradients, j);
    }
    positiveSums.intoArray(sums.positive, 0);
    negativeSums.intoArray(sums.negative, 0);
    sums.positives = positives;
    sums.negatives = negatives;
    ScalarTrainingKernels.ternaryGradients(gradients, indices, negative, positive, sums, end);
  }

  /** The table looked up by a gather. */
  @Override
  public void fill(float[] tensor, int[] slots, float[] table) {
    int end = FLOATS.loopBound(tensor.length);
    for (int i = 0; i < end; i += L) {
      FloatVector.fromArray(FLOATS, table, 0, slots, i).intoArray(tensor, i);
    }
    ScalarTrainingKernels.fill(tensor, slots, table, end);
  }
}
