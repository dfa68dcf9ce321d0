package dev.deepcompress.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SimdTest {
  @Test
  void fallsBackToScalarKernelsWithOneLineWhenVectorModuleIsMissing() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream log = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Simd.Kernels scalar = Simd.kernels(false, log);
    assertInstanceOf(ScalarGemm.class, scalar.gemm());
    assertInstanceOf(ScalarSparseKernel.class, scalar.sparse());
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(1, printed.lines().count(), printed);
    assertTrue(printed.contains("--add-modules jdk.incubator.vector"), printed);

    bytes.reset();
    Simd.Kernels vector = Simd.kernels(true, log);
    assertInstanceOf(VectorGemm.class, vector.gemm());
    assertInstanceOf(VectorSparseKernel.class, vector.sparse());
    assertEquals("", bytes.toString(StandardCharsets.UTF_8));
    // The tests run with the module, so the shared kernels are the vector ones.
    assertInstanceOf(VectorGemm.class, Simd.GEMM);
    assertInstanceOf(VectorSparseKernel.class, Simd.SPARSE);
  }
}
