package dev.deepcompress.quantization;

import dev.deepcompress.compression.Quantized;
import java.util.List;

/**
 * Which quantizer one tensor gets, with its settings: a value that the command line, a plan file
 * and a search all write the same way. The text form is {@code KIND[:BITS][,OPTION]...}, e.g.
 * {@code kmeans:5}, {@code uniform:4,asym,per-channel,mse}, {@code log:4,sqrt2}, {@code ternary} or
 * {@code binary,post}; {@link #toString()} gives the canonical text (every option spelt out) and
 * {@link #parse} reads any spelling back.
 *
 * <p>Every kind has a {@link Mode}: post-training (calibration on the weights only, no retraining)
 * or trained (quantization-aware retraining through the training hook). Options not given take the
 * defaults documented on each kind.
 */
public sealed interface QuantizerSpec {

  /** How a quantizer meets the training data. */
  enum Mode {
    /** Calibration only: the weights are quantized once and never retrained. */
    POST_TRAINING("post"),
    /** Quantization-aware retraining after calibration. */
    TRAINED("trained");

    private final String word;

    Mode(String word) {
      this.word = word;
    }

    public String word() {
      return word;
    }
  }

  /** Index bits per kept weight. */
  int bits();

  Mode mode();

  /** This spec in the other mode, every other setting the same. */
  QuantizerSpec withMode(Mode mode);

  /**
   * The kind's word: {@code kmeans}, {@code uniform}, {@code log}, {@code ternary}, {@code binary}.
   */
  String kind();

  /** The quantizer this spec describes; {@code seed} matters only for random initialisations. */
  Quantizer quantizer(long seed);

  /**
   * How far a trained k-means centroid moves for the gradients of its cluster's weights.
   *
   * <p>The centroid {@code c} of a cluster of {@code n} weights has the gradient {@code Σ g}, the
   * sum of its members' gradients (Han et al., Eq. 3), and a curvature up to {@code n} times the
   * largest a single weight has: a learning rate stable for the weights can throw a centroid of a
   * large cluster far out (unpruned LeNet-300-100 at 4 bits, about 15,000 weights per centroid,
   * ended at 89% test error). Dividing by {@code n} makes the step the one plain SGD gives each
   * weight followed by the projection back onto tied weights (their mean), which is stable whenever
   * the rate is stable for the weights themselves.
   */
  enum CentroidStep {
    /** {@code Σ g}: the paper's step, as its LeNet and AlexNet results were retrained with. */
    SUM("sum"),
    /** {@code Σ g / n}: the weights' own step, projected onto the tied weights. */
    MEAN("mean");

    private final String word;

    CentroidStep(String word) {
      this.word = word;
    }

    /** The value of the spec option {@code step=}. */
    public String word() {
      return word;
    }
  }

  /**
   * Weight sharing: 1-D k-means on the kept weights into {@code 2^bits} centroids. Options: the
   * initialisation ({@code linear} (default), {@code density}, {@code random}, {@code kmeans++})
   * and, for trained mode, the {@link CentroidStep} ({@code step=mean} (default) or {@code
   * step=sum}, the paper's). Trained mode retrains the centroids with the grouped gradient of Han
   * et al. (Eq. 3), the assignments fixed.
   */
  record KMeans(int bits, KMeans1D.Init init, CentroidStep step, Mode mode)
      implements QuantizerSpec {
    public static final CentroidStep DEFAULT_STEP = CentroidStep.MEAN;

    public KMeans {
      Quantized.requireBits(bits);
      SpecText.requireNonNull(init, step, mode);
    }

    /** With the default centroid step. */
    public KMeans(int bits, KMeans1D.Init init, Mode mode) {
      this(bits, init, DEFAULT_STEP, mode);
    }

    /** The paper's weight sharing: a linear initialisation, trained with the summed step. */
    public static KMeans paper(int bits) {
      return new KMeans(bits, KMeans1D.Init.LINEAR, CentroidStep.SUM, Mode.TRAINED);
    }

    @Override
    public String kind() {
      return "kmeans";
    }

    @Override
    public QuantizerSpec withMode(Mode mode) {
      return new KMeans(bits, init, step, mode);
    }

    @Override
    public Quantizer quantizer(long seed) {
      return new KMeansQuantizer(this, seed);
    }

    @Override
    public String toString() {
      return String.join(
          ",", kind() + ":" + bits, SpecText.initWord(init), "step=" + step.word(), mode.word());
    }
  }

  /** Whether an affine quantizer's scale is shared by the whole tensor, a channel or a group. */
  enum Scope {
    TENSOR,
    CHANNEL,
    GROUP
  }

  /** How the clipping range of an affine quantizer is chosen from the weights. */
  enum Clipping {
    /** From the smallest to the largest weight. */
    MIN_MAX,
    /** The given percentile of the weights (of their magnitudes, when symmetric). */
    PERCENTILE,
    /** The range, shrunk from min–max, that minimises the squared quantization error. */
    MSE
  }

  /**
   * Uniform affine quantization: {@code value = S (q − Z)}. Symmetric ({@code sym}) fixes {@code Z
   * = 2^(bits−1)} and a range of ±α; asymmetric ({@code asym}, default) fits {@code [lo, hi]} with
   * zero inside it. The scale is per tensor ({@code per-tensor}, default), per output channel
   * ({@code per-channel}), or per group of G consecutive weights of a channel ({@code group=G}).
   * The clipping range is calibrated by {@code minmax} (default), {@code percentile=P} (e.g. 99.9)
   * or {@code mse}. Bits 2–8 (default 8). Trained mode keeps full-precision shadow weights under
   * fixed scales with a straight-through gradient.
   *
   * @param groupSize weights per group for {@link Scope#GROUP}, else 0
   * @param percentile for {@link Clipping#PERCENTILE}, in (50, 100]; else 0
   */
  record Uniform(
      int bits,
      boolean symmetric,
      Scope scope,
      int groupSize,
      Clipping clipping,
      double percentile,
      Mode mode)
      implements QuantizerSpec {
    public Uniform {
      SpecText.requireBits("uniform", bits, 2, Quantized.MAX_BITS);
      SpecText.requireNonNull(scope, clipping, mode);
      if (scope == Scope.GROUP ? groupSize < 1 : groupSize != 0) {
        throw new IllegalArgumentException(
            "uniform: a group size is given exactly for group=G, G ≥ 1; got "
                + groupSize
                + " with "
                + scope);
      }
      if (clipping == Clipping.PERCENTILE
          ? !(percentile > 50 && percentile <= 100)
          : percentile != 0) {
        throw new IllegalArgumentException(
            "uniform: percentile=P needs P in (50, 100], got " + percentile);
      }
    }

    @Override
    public String kind() {
      return "uniform";
    }

    @Override
    public QuantizerSpec withMode(Mode mode) {
      return new Uniform(bits, symmetric, scope, groupSize, clipping, percentile, mode);
    }

    @Override
    public Quantizer quantizer(long seed) {
      return new UniformQuantizer(this);
    }

    @Override
    public String toString() {
      String scopeWord =
          switch (scope) {
            case TENSOR -> "per-tensor";
            case CHANNEL -> "per-channel";
            case GROUP -> "group=" + groupSize;
          };
      String clippingWord =
          switch (clipping) {
            case MIN_MAX -> "minmax";
            case PERCENTILE -> "percentile=" + SpecText.plain(percentile);
            case MSE -> "mse";
          };
      return String.join(
          ",",
          kind() + ":" + bits,
          symmetric ? "sym" : "asym",
          scopeWord,
          clippingWord,
          mode.word());
    }
  }

  /**
   * Logarithmic quantization: a zero level and {@code ±2^(e−k)} for {@code k = 0 … 2^(bits−1) − 2}
   * ({@code ±2^(e−k/2)} with {@code sqrt2}, a base of √2), {@code e} chosen from the largest kept
   * magnitude. Bits 2–8 (default 4). Trained mode keeps full-precision shadow weights with a
   * straight-through gradient.
   */
  record Log(int bits, boolean sqrt2, Mode mode) implements QuantizerSpec {
    public Log {
      SpecText.requireBits("log", bits, 2, Quantized.MAX_BITS);
      SpecText.requireNonNull(mode);
    }

    @Override
    public String kind() {
      return "log";
    }

    @Override
    public QuantizerSpec withMode(Mode mode) {
      return new Log(bits, sqrt2, mode);
    }

    @Override
    public Quantizer quantizer(long seed) {
      return new LogQuantizer(this);
    }

    @Override
    public String toString() {
      return kind() + ":" + bits + "," + (sqrt2 ? "sqrt2" : "base2") + "," + mode.word();
    }
  }

  /**
   * Trained ternary quantization (Zhu et al. 2017): levels {@code {−Wn, 0, +Wp}}; a weight within
   * {@code threshold × max|w|} of zero goes to 0 (option {@code threshold=T}, default 0.05). Two
   * bits. Trained mode trains the two scales and full-precision shadow weights as that paper does.
   */
  record Ternary(double threshold, Mode mode) implements QuantizerSpec {
    public static final double DEFAULT_THRESHOLD = 0.05;

    public Ternary {
      if (!(threshold >= 0 && threshold < 1)) {
        throw new IllegalArgumentException(
            "ternary: threshold=T needs T in [0, 1), got " + threshold);
      }
      SpecText.requireNonNull(mode);
    }

    @Override
    public int bits() {
      return 2;
    }

    @Override
    public String kind() {
      return "ternary";
    }

    @Override
    public QuantizerSpec withMode(Mode mode) {
      return new Ternary(threshold, mode);
    }

    @Override
    public Quantizer quantizer(long seed) {
      return new TernaryQuantizer(this);
    }

    @Override
    public String toString() {
      return kind() + ":2,threshold=" + SpecText.plain(threshold) + "," + mode.word();
    }
  }

  /**
   * Binary weights: the sign of each weight times a per-output-channel scale (the mean magnitude of
   * the channel's kept weights, as in XNOR-Net). One bit. Trained mode keeps full-precision shadow
   * weights with a straight-through gradient and re-derives the scales after each step.
   */
  record Binary(Mode mode) implements QuantizerSpec {
    public Binary {
      SpecText.requireNonNull(mode);
    }

    @Override
    public int bits() {
      return 1;
    }

    @Override
    public String kind() {
      return "binary";
    }

    @Override
    public QuantizerSpec withMode(Mode mode) {
      return new Binary(mode);
    }

    @Override
    public Quantizer quantizer(long seed) {
      return new BinaryQuantizer(this);
    }

    @Override
    public String toString() {
      return kind() + ":1," + mode.word();
    }
  }

  /** The kinds, as {@link #parse} knows them. */
  List<String> KINDS = List.of("kmeans", "uniform", "log", "ternary", "binary");

  /** k-means with {@code bits} and {@code init}, trained with the default centroid step. */
  static QuantizerSpec kmeans(int bits, KMeans1D.Init init) {
    return new KMeans(bits, init, Mode.TRAINED);
  }

  /**
   * Reads {@code KIND[:BITS][,OPTION]...} (see the kinds for their options). Words are case
   * insensitive; an option given twice, or one the kind does not know, is an error.
   *
   * @throws IllegalArgumentException naming what is wrong and what would be right
   */
  static QuantizerSpec parse(String text) {
    return SpecText.parse(text);
  }
}
