package dev.deepcompress.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.datasets.numpy.NumpyData;
import dev.deepcompress.datasets.numpy.NumpyFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The NumPy reader: an {@code .npz} archive holding samples {@code x} and labels {@code y}, and a
 * pair of {@code .npy} files. Sample sets that load are batched as training batches them.
 */
class NumpyFuzzTest {
  private static final Path SAMPLES = ScratchFiles.file("samples.npy");
  private static final Path LABELS = ScratchFiles.file("labels.npy");
  private static final Path ARCHIVE = ScratchFiles.file("data.npz");

  // Its messages name offsets where there are any.
  private static final Untrusted.Rejection<NumpyFormatException> REJECTION =
      Untrusted.Rejection.of(NumpyFormatException.class);

  @FuzzTest
  void npz(byte[] input) throws Exception {
    Files.write(ARCHIVE, input);
    batch(Untrusted.load(input, REJECTION, () -> NumpyData.readNpz(ARCHIVE)));
  }

  /** Input: a {@code u32} length of the samples file, its bytes, then the labels file's. */
  @FuzzTest
  void pair(byte[] input) throws Exception {
    int length =
        input.length < 4
            ? 0
            : (int)
                Math.min(
                    Integer.toUnsignedLong(
                        ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN).getInt()),
                    input.length - 4);
    int split = Math.min(4, input.length) + length;
    Files.write(SAMPLES, Arrays.copyOfRange(input, Math.min(4, input.length), split));
    Files.write(LABELS, Arrays.copyOfRange(input, split, input.length));
    batch(Untrusted.load(input, REJECTION, () -> NumpyData.readPair(SAMPLES, LABELS)));
  }

  /** The input of {@link #pair} for two {@code .npy} files. */
  static byte[] pairInput(byte[] samples, byte[] labels) {
    return ByteBuffer.allocate(4 + samples.length + labels.length)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putInt(samples.length)
        .put(samples)
        .put(labels)
        .array();
  }

  private static void batch(SampleSet set) {
    if (set != null) {
      Batching.firstBatch(set);
    }
  }
}
