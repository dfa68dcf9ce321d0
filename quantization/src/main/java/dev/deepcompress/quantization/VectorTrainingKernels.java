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

  /** The running sums of {@link BlockedSums}: one vector of eight doubles at 16 lanes, else two. */
  private static final VectorSpecies<Double> FOUR_DOUBLES = DoubleVector.SPECIES_256;

  private static final VectorSpecies<Double> EIGHT_DOUBLES = DoubleVector.SPECIES_512;

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
      int[] indices,
      int from,
      int to) {
    int magnitudes = nearest.magnitudes();
    int end = magnitudes <= MAX_LOG_CUTS ? from + FLOATS.loopBound(to - from) : from;
    IntVector none = IntVector.zero(INTS);
    for (int j = from; j < end; j += L) {
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
    SCALAR.log(nearest, table, shadow, updated, quantized, indices, end, to);
  }

  @Override
  public int ternary(
      float[] shadow,
      float[] updated,
      float[] quantized,
      int[] indices,
      int deltaBits,
      int upBits,
      int downBits,
      int from,
      int to) {
    int end = from + FLOATS.loopBound(to - from);
    IntVector largest = IntVector.zero(INTS);
    for (int j = from; j < end; j += L) {
      FloatVector w = moved(shadow, updated, quantized, j);
      largest = largest.max(((IntVector) w.viewAsIntegralLanes()).and(0x7FFFFFFF));
      setTernary(shadow, updated, quantized, indices, deltaBits, upBits, downBits, j);
    }
    int maxBits = largest.reduceLanes(VectorOperators.MAX);
    return ScalarTrainingKernels.ternary(
        shadow, updated, quantized, indices, deltaBits, upBits, downBits, end, to, maxBits);
  }

  /** A vector with any weight in the range is assigned whole: the others keep their levels. */
  @Override
  public void ternaryWithin(
      float[] shadow,
      float[] updated,
      float[] quantized,
      int[] indices,
      int lowBits,
      int highBits,
      int deltaBits,
      int upBits,
      int downBits,
      int from,
      int to) {
    int end = from + FLOATS.loopBound(to - from);
    int j = from;
    for (; j < end; j += L) {
      IntVector bits = (IntVector) FloatVector.fromArray(FLOATS, shadow, j).viewAsIntegralLanes();
      IntVector magnitudeBits = bits.and(0x7FFFFFFF);
      if (magnitudeBits
          .compare(VectorOperators.GT, lowBits)
          .and(magnitudeBits.compare(VectorOperators.LE, highBits))
          .anyTrue()) {
        setTernary(shadow, updated, quantized, indices, deltaBits, upBits, downBits, j);
      }
    }
    SCALAR.ternaryWithin(
        shadow, updated, quantized, indices, lowBits, highBits, deltaBits, upBits, downBits, j, to);
  }

  /**
   * The ternary levels of the shadow weights from {@code j} on. It reads them itself: a helper that
   * takes vectors as arguments boxes them where the JIT does not inline it (a gigabyte a second in
   * training).
   */
  private static void setTernary(
      float[] shadow,
      float[] updated,
      float[] quantized,
      int[] indices,
      int deltaBits,
      int upBits,
      int downBits,
      int j) {
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
        (FloatVector)
            IntVector.zero(INTS).blend(upBits, above).blend(downBits, below).viewAsFloatingLanes();
    level.intoArray(quantized, j);
    if (updated != null) {
      level.intoArray(updated, j);
    }
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

  /** As the ternary gradient pass adds its sums. */
  @Override
  public double sumOfMagnitudes(float[] values, int from, int to) {
    int end = L == 8 || L == 16 ? from + FLOATS.loopBound(to - from) : from;
    DoubleVector low = DoubleVector.zero(L == 16 ? EIGHT_DOUBLES : FOUR_DOUBLES);
    DoubleVector high = DoubleVector.zero(FOUR_DOUBLES);
    for (int j = from; j < end; j += L) {
      FloatVector magnitudes = FloatVector.fromArray(FLOATS, values, j).abs();
      if (L == 16) {
        low = low.add(widen(magnitudes, EIGHT_DOUBLES, 0));
        low = low.add(widen(magnitudes, EIGHT_DOUBLES, 1));
      } else {
        low = low.add(widen(magnitudes, FOUR_DOUBLES, 0));
        high = high.add(widen(magnitudes, FOUR_DOUBLES, 1));
      }
    }
    double[] sums = new double[BlockedSums.LANES];
    if (end > from) {
      low.intoArray(sums, 0);
      if (L == 8) {
        high.intoArray(sums, FOUR_DOUBLES.length());
      }
    }
    return ScalarTrainingKernels.sumOfMagnitudes(values, from, end, to, sums);
  }

  /**
   * At full width, a chunk at a time. The 16 float partial sums are one vector at 16 lanes, two at
   * 8 ({@code first} holds partials 0–7, {@code second} 8–15); at the chunk's end they go into the
   * running sums as doubles: 16 lanes as two halves into one vector of eight running sums, 8 lanes
   * as quarters into the vectors of running sums 0–3 and 4–7, first's before second's. Other widths
   * run the scalar loop.
   */
  @Override
  public void ternaryGradients(
      float[] gradients, int[] indices, float negative, float positive, BlockedSums sums) {
    sums.clear();
    int n = gradients.length;
    int end = L == 8 || L == 16 ? n - n % BlockedSums.CHUNK : 0;
    // With 16 lanes the first of each pair holds all eight running sums; with 8, sums 0-3.
    DoubleVector positiveLow = DoubleVector.zero(L == 16 ? EIGHT_DOUBLES : FOUR_DOUBLES);
    DoubleVector positiveHigh = DoubleVector.zero(FOUR_DOUBLES);
    DoubleVector negativeLow = positiveLow;
    DoubleVector negativeHigh = positiveHigh;
    IntVector positives = IntVector.zero(INTS);
    IntVector negatives = positives;
    FloatVector none = FloatVector.zero(FLOATS);
    FloatVector one = FloatVector.broadcast(FLOATS, 1f);
    for (int chunk = 0; chunk < end; chunk += BlockedSums.CHUNK) {
      FloatVector positiveFirst = none;
      FloatVector negativeFirst = none;
      FloatVector positiveSecond = none;
      FloatVector negativeSecond = none;
      for (int j = chunk; j < chunk + BlockedSums.CHUNK; j += L) {
        FloatVector g = FloatVector.fromArray(FLOATS, gradients, j);
        IntVector q = IntVector.fromArray(INTS, indices, j);
        VectorMask<Integer> atPositive = q.compare(VectorOperators.EQ, TernaryQuantizer.POSITIVE);
        VectorMask<Integer> atNegative = q.compare(VectorOperators.EQ, TernaryQuantizer.NEGATIVE);
        // A true lane is −1 as an integer.
        positives = positives.sub((IntVector) atPositive.toVector());
        negatives = negatives.sub((IntVector) atNegative.toVector());
        VectorMask<Float> positiveLanes = atPositive.cast(FLOATS);
        VectorMask<Float> negativeLanes = atNegative.cast(FLOATS);
        // A chunk starts at a multiple of 16: at 8 lanes, bit 3 of j tells partials 8-15.
        if (L == 16 || (j & 8) == 0) {
          positiveFirst = positiveFirst.add(g, positiveLanes);
          negativeFirst = negativeFirst.add(g, negativeLanes);
        } else {
          positiveSecond = positiveSecond.add(g, positiveLanes);
          negativeSecond = negativeSecond.add(g, negativeLanes);
        }
        g.mul(one.blend(positive, positiveLanes).blend(negative, negativeLanes))
            .intoArray(gradients, j);
      }
      // Halves or quarters as constants: the conversion compiles to one instruction only then.
      if (L == 16) {
        positiveLow = positiveLow.add(widen(positiveFirst, EIGHT_DOUBLES, 0));
        negativeLow = negativeLow.add(widen(negativeFirst, EIGHT_DOUBLES, 0));
        positiveLow = positiveLow.add(widen(positiveFirst, EIGHT_DOUBLES, 1));
        negativeLow = negativeLow.add(widen(negativeFirst, EIGHT_DOUBLES, 1));
      } else {
        positiveLow = positiveLow.add(widen(positiveFirst, FOUR_DOUBLES, 0));
        negativeLow = negativeLow.add(widen(negativeFirst, FOUR_DOUBLES, 0));
        positiveHigh = positiveHigh.add(widen(positiveFirst, FOUR_DOUBLES, 1));
        negativeHigh = negativeHigh.add(widen(negativeFirst, FOUR_DOUBLES, 1));
        positiveLow = positiveLow.add(widen(positiveSecond, FOUR_DOUBLES, 0));
        negativeLow = negativeLow.add(widen(negativeSecond, FOUR_DOUBLES, 0));
        positiveHigh = positiveHigh.add(widen(positiveSecond, FOUR_DOUBLES, 1));
        negativeHigh = negativeHigh.add(widen(negativeSecond, FOUR_DOUBLES, 1));
      }
    }
    if (end > 0) {
      positiveLow.intoArray(sums.positive, 0);
      negativeLow.intoArray(sums.negative, 0);
      if (L == 8) {
        positiveHigh.intoArray(sums.positive, FOUR_DOUBLES.length());
        negativeHigh.intoArray(sums.negative, FOUR_DOUBLES.length());
      }
      // Integer counts: the same in any order.
      sums.positives = positives.reduceLanes(VectorOperators.ADD);
      sums.negatives = negatives.reduceLanes(VectorOperators.ADD);
    }
    ScalarTrainingKernels.ternaryGradients(gradients, indices, negative, positive, sums, end);
  }

  /** Part {@code part} of {@code floats} as doubles of {@code species}. */
  private static DoubleVector widen(FloatVector floats, VectorSpecies<Double> species, int part) {
    return (DoubleVector) floats.convertShape(VectorOperators.F2D, species, part);
  }

  /** The table looked up by a gather. */
  @Override
  public void fill(float[] tensor, int[] slots, float[] table, int from, int to) {
    int end = from + FLOATS.loopBound(to - from);
    int i = from;
    for (; i < end; i += L) {
      FloatVector.fromArray(FLOATS, table, 0, slots, i).intoArray(tensor, i);
    }
    SCALAR.fill(tensor, slots, table, i, to);
  }
}
