package dev.deepcompress.pipeline;

import dev.deepcompress.datasets.DatasetKind;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.training.ReferenceArchitectures;
import picocli.CommandLine;

/** Option values turned into domain types; a bad value becomes a usage error, not a crash. */
final class Converters {
  private Converters() {}

  static final class ArchitectureName implements CommandLine.ITypeConverter<Architecture> {
    @Override
    public Architecture convert(String value) {
      try {
        return ReferenceArchitectures.byName(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  static final class DatasetName implements CommandLine.ITypeConverter<DatasetKind> {
    @Override
    public DatasetKind convert(String value) {
      try {
        return DatasetKind.fromCliName(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** A count of at least 1. */
  static final class PositiveCount implements CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      return wholeNumber(value, 1);
    }
  }

  /** A count of at least 0. */
  static final class NonNegativeCount implements CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      return wholeNumber(value, 0);
    }
  }

  /** A finite number above 0. */
  static final class PositiveNumber implements CommandLine.ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      double number = number(value);
      if (!(number > 0) || Double.isInfinite(number)) {
        throw new CommandLine.TypeConversionException(
            "must be a finite number above 0, got " + value);
      }
      return number;
    }
  }

  private static double number(String value) {
    try {
      return Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      throw new CommandLine.TypeConversionException("'" + value + "' is not a number");
    }
  }

  private static int wholeNumber(String value, int least) {
    int count;
    try {
      count = Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new CommandLine.TypeConversionException("'" + value + "' is not a whole number");
    }
    if (count < least) {
      throw new CommandLine.TypeConversionException("must be at least " + least + ", got " + count);
    }
    return count;
  }
}
