package dev.deepcompress.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Shape;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

class NpzWriterTest {

  /** The header NumPy 1.24 writes for {@code numpy.save} of a float32 array of this shape. */
  private static String numpyHeader(String shape, int spaces) {
    return "{'descr': '<f4', 'fortran_order': False, 'shape': "
        + shape
        + ", }"
        + " ".repeat(spaces)
        + "\n";
  }

  @Test
  void eachArrayIsWhatNumpySaveWrites() {
    // Headers as numpy.save(np.arange(n, dtype='<f4').reshape(shape)) wrote them.
    Object[][] cases = {
      {Shape.of(2, 3), numpyHeader("(2, 3)", 58)},
      {Shape.of(5), numpyHeader("(5,)", 60)},
      {Shape.of(20, 1, 5, 5), numpyHeader("(20, 1, 5, 5)", 51)},
    };
    for (Object[] c : cases) {
      Shape shape = (Shape) c[0];
      byte[] header = ((String) c[1]).getBytes(StandardCharsets.US_ASCII);
      float[] values = new float[shape.elementCount()];
      for (int i = 0; i < values.length; i++) {
        values[i] = i;
      }
      ByteBuffer expected =
          ByteBuffer.allocate(10 + header.length + 4 * values.length)
              .order(ByteOrder.LITTLE_ENDIAN);
      expected.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
      expected.putShort((short) header.length).put(header);
      expected.asFloatBuffer().put(values);
      assertEquals(128, 10 + header.length, "numpy aligns the data to 64 bytes");
      assertArrayEquals(expected.array(), NpzWriter.npy(shape, values), shape.toString());
    }
  }

  @Test
  void theArchiveHoldsEveryParameterByNameAndIsTheSameOnEveryRun() throws Exception {
    Model model = OnnxExportTest.gaussian(OnnxExportTest.CONVOLUTIONAL, 8, Map.of());
    byte[] archive = NpzWriter.toBytes(model);
    assertArrayEquals(archive, NpzWriter.toBytes(model));
    List<String> names = new ArrayList<>();
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(archive))) {
      for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
        assertEquals(ZipEntry.STORED, entry.getMethod(), "numpy.savez stores, it does not deflate");
        String name = entry.getName().substring(0, entry.getName().length() - ".npy".length());
        names.add(name);
        byte[] npy = zip.readAllBytes();
        float[] values = model.parameter(name);
        assertArrayEquals(NpzWriter.npy(model.tensor(name).shape(), values), npy, entry.getName());
      }
    }
    assertEquals(List.copyOf(model.tensors().keySet()), names);
    assertEquals(
        Arrays.asList("conv1.weight", "conv1.bias"), names.subList(0, 2), "architecture order");
  }
}
