package dev.deepcompress.quantization;

import dev.deepcompress.quantization.QuantizerSpec.Binary;
import dev.deepcompress.quantization.QuantizerSpec.Clipping;
import dev.deepcompress.quantization.QuantizerSpec.KMeans;
import dev.deepcompress.quantization.QuantizerSpec.Log;
import dev.deepcompress.quantization.QuantizerSpec.Mode;
import dev.deepcompress.quantization.QuantizerSpec.Scope;
import dev.deepcompress.quantization.QuantizerSpec.Ternary;
import dev.deepcompress.quantization.QuantizerSpec.Uniform;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The text form of a {@link QuantizerSpec}: its parser and the words both directions share. */
final class SpecText {
  private SpecText() {}

  static QuantizerSpec parse(String text) {
    String[] parts = text.strip().toLowerCase(Locale.ROOT).split(",", -1);
    String head = parts[0].strip();
    int colon = head.indexOf(':');
    String kind = colon < 0 ? head : head.substring(0, colon);
    Integer bits = colon < 0 ? null : integer("bits", head.substring(colon + 1));
    Options options = new Options(text, kind);
    for (int i = 1; i < parts.length; i++) {
      options.add(parts[i].strip());
    }
    Mode mode = options.mode();
    QuantizerSpec spec =
        switch (kind) {
          case "kmeans" -> {
            KMeans1D.Init init = KMeans1D.Init.LINEAR;
            String word = options.oneOf("linear", "density", "random", "kmeans++");
            if (word != null) {
              init = initOf(word);
            }
            QuantizerSpec.CentroidStep step = KMeans.DEFAULT_STEP;
            if (options.oneOf("step=") != null) {
              step = stepOf(options.value("step="));
            }
            yield new KMeans(bits == null ? 5 : bits, init, step, mode);
          }
          case "uniform" -> {
            String sym = options.oneOf("sym", "asym");
            Scope scope = Scope.TENSOR;
            int groupSize = 0;
            String scopeWord = options.oneOf("per-tensor", "per-channel", "group=");
            if ("per-channel".equals(scopeWord)) {
              scope = Scope.CHANNEL;
            } else if ("group=".equals(scopeWord)) {
              scope = Scope.GROUP;
              groupSize = integer("group size", options.value("group="));
            }
            Clipping clipping = Clipping.MIN_MAX;
            double percentile = 0;
            String clip = options.oneOf("minmax", "percentile=", "mse");
            if ("mse".equals(clip)) {
              clipping = Clipping.MSE;
            } else if ("percentile=".equals(clip)) {
              clipping = Clipping.PERCENTILE;
              percentile = number("percentile", options.value("percentile="));
            }
            yield new Uniform(
                bits == null ? 8 : bits,
                "sym".equals(sym),
                scope,
                groupSize,
                clipping,
                percentile,
                mode);
          }
          case "log" -> {
            String base = options.oneOf("base2", "sqrt2");
            yield new Log(bits == null ? 4 : bits, "sqrt2".equals(base), mode);
          }
          case "ternary" -> {
            requireFixedBits(kind, bits, 2);
            double threshold = Ternary.DEFAULT_THRESHOLD;
            if (options.oneOf("threshold=") != null) {
              threshold = number("threshold", options.value("threshold="));
            }
            yield new Ternary(threshold, mode);
          }
          case "binary" -> {
            requireFixedBits(kind, bits, 1);
            yield new Binary(mode);
          }
          default ->
              throw new IllegalArgumentException(
                  "unknown quantizer '"
                      + kind
                      + "' in '"
                      + text
                      + "'; known: "
                      + QuantizerSpec.KINDS);
        };
    options.requireAllUsed();
    return spec;
  }

  private static void requireFixedBits(String kind, Integer bits, int fixed) {
    if (bits != null && bits != fixed) {
      throw new IllegalArgumentException(kind + " quantization has " + fixed + "-bit indices");
    }
  }

  static void requireBits(String kind, int bits, int min, int max) {
    if (bits < min || bits > max) {
      throw new IllegalArgumentException(
          kind + " quantization takes " + min + "-" + max + " bits, got " + bits);
    }
  }

  static void requireNonNull(Object... values) {
    for (Object value : values) {
      if (value == null) {
        throw new NullPointerException();
      }
    }
  }

  static String initWord(KMeans1D.Init init) {
    return switch (init) {
      case LINEAR -> "linear";
      case DENSITY -> "density";
      case RANDOM -> "random";
      case KMEANS_PLUS_PLUS -> "kmeans++";
    };
  }

  private static KMeans1D.Init initOf(String word) {
    for (KMeans1D.Init init : KMeans1D.Init.values()) {
      if (initWord(init).equals(word)) {
        return init;
      }
    }
    throw new IllegalArgumentException("unknown k-means initialisation '" + word + "'");
  }

  private static QuantizerSpec.CentroidStep stepOf(String word) {
    for (QuantizerSpec.CentroidStep step : QuantizerSpec.CentroidStep.values()) {
      if (step.word().equals(word.strip())) {
        return step;
      }
    }
    throw new IllegalArgumentException(
        "k-means centroid step '" + word + "' is neither sum nor mean");
  }

  private static int integer(String what, String text) {
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " '" + text + "' is not a whole number");
    }
  }

  private static double number(String what, String text) {
    try {
      double value = Double.parseDouble(text.strip());
      if (Double.isFinite(value)) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(what + " '" + text + "' is not a number");
  }

  /** A number as short as Java prints it, without a trailing ".0". */
  static String plain(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }

  /** The options of one spec, each to be used exactly once by its kind. */
  private static final class Options {
    private final String text;
    private final String kind;
    private final List<String> given = new ArrayList<>();
    private final List<String> used = new ArrayList<>();

    private Options(String text, String kind) {
      this.text = text;
      this.kind = kind;
    }

    private void add(String option) {
      if (option.isEmpty()) {
        throw new IllegalArgumentException("empty option in quantizer '" + text + "'");
      }
      given.add(option);
    }

    /** The mode option, default trained. */
    private Mode mode() {
      String word = oneOf("post", "trained");
      return "post".equals(word) ? Mode.POST_TRAINING : Mode.TRAINED;
    }

    /**
     * Which of {@code choices} is given (a choice ending in '=' matches an option with that
     * prefix), or null; two of them given is an error.
     */
    private String oneOf(String... choices) {
      String found = null;
      for (String option : given) {
        for (String choice : choices) {
          if (choice.endsWith("=") ? option.startsWith(choice) : option.equals(choice)) {
            if (found != null) {
              throw new IllegalArgumentException(
                  "quantizer '" + text + "' says both " + found + " and " + option);
            }
            found = option;
            used.add(option);
          }
        }
      }
      if (found == null) {
        return null;
      }
      for (String choice : choices) {
        if (choice.endsWith("=") && found.startsWith(choice)) {
          return choice;
        }
      }
      return found;
    }

    /** The value of a {@code name=} option that {@link #oneOf} found. */
    private String value(String prefix) {
      for (String option : given) {
        if (option.startsWith(prefix)) {
          return option.substring(prefix.length());
        }
      }
      throw new IllegalStateException(prefix);
    }

    private void requireAllUsed() {
      for (String option : given) {
        if (!used.contains(option)) {
          throw new IllegalArgumentException(
              "quantizer '"
                  + text
                  + "': "
                  + kind
                  + " has no option '"
                  + option
                  + "'; see docs/quantizers.md for each kind's options");
        }
      }
    }
  }
}
