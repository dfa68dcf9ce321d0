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
}
