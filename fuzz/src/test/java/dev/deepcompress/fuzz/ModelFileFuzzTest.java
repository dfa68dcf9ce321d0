package dev.deepcompress.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.deepcompress.runtime.format.FileLayout;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.format.ModelFormatException;
import dev.deepcompress.runtime.format.ReadLimits;
import dev.deepcompress.runtime.model.DenseTensor;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Tensor;
import java.util.Arrays;

/**
 * The {@code .dcmodel} reader: {@link #framed} through the CRC fix-up layer ({@link
 * SectionFraming}), which reaches the section parsers; {@link #raw} on the bytes as they come,
 * which exercises the header and the framing itself.
 */
class ModelFileFuzzTest {
  /**
   * 2²⁰ elements (4 MiB as fp32): within the 256 MiB heap these tests run in, a model at the limit
   * can be read, decoded and run. The default limit is checked the same way, scaled.
   */
  static final ReadLimits LIMITS = new ReadLimits(1 << 20);

  private static final Untrusted.Rejection<ModelFormatException> REJECTION =
      new Untrusted.Rejection<>(ModelFormatException.class, ModelFormatException::offset);

  @FuzzTest
  void framed(byte[] input) throws Exception {
    load(SectionFraming.frame(input));
  }

  @FuzzTest
  void raw(byte[] input) throws Exception {
    load(input);
  }

  /**
   * Reads the file; if it is valid, also its layout, a round trip through the writer, and a run.
   */
  static void load(byte[] file) throws Exception {
    Model model = Untrusted.load(file, REJECTION, () -> ModelFile.fromBytes(file, "fuzz", LIMITS));
    if (model == null) {
      return;
    }
    FileLayout layout = ModelFile.inspect(file, "fuzz", LIMITS);
    long attributed = layout.components().values().stream().mapToLong(Long::longValue).sum();
    if (attributed != file.length) {
      throw new AssertionError(attributed + " bytes attributed in a " + file.length + "-byte file");
    }
    // Whatever the reader accepts, the writer writes, and it reads back the same.
    Model again = ModelFile.fromBytes(ModelFile.toBytes(model), "fuzz (rewritten)", LIMITS);
    if (!again.architecture().equals(model.architecture())
        || !again.metadata().equals(model.metadata())
        || !again.preprocessing().equals(model.preprocessing())) {
      throw new AssertionError("the model changed through the writer and back");
    }
    for (String name : model.tensors().keySet()) {
      if (!sameValues(model.tensor(name), again.tensor(name))) {
        throw new AssertionError("tensor " + name + " changed through the writer and back");
      }
    }
    Inference.runOnce(model);
  }

  /** Dense values compared bit for bit; sparse tensors by their own equality. */
  static boolean sameValues(Tensor a, Tensor b) {
    return a instanceof DenseTensor x && b instanceof DenseTensor y
        ? x.shape().equals(y.shape()) && Arrays.equals(x.values(), y.values())
        : a.equals(b);
  }
}
