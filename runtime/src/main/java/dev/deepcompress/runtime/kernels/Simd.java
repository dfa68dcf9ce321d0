package dev.deepcompress.runtime.kernels;

import java.io.PrintStream;

/**
 * Chooses between the Vector API kernels and their scalar fallbacks. Classes that reference {@code
 * jdk.incubator.vector} are loaded reflectively and only when that module is in the boot layer, so
 * the runtime also works without {@code --add-modules jdk.incubator.vector}.
 */
final class Simd {
  /** The kernels of one choice, made once so that the fallback is reported once. */
  record Kernels(BlockedGemm gemm, SparseKernel sparse) {}

  private static final Kernels KERNELS = kernels(VectorApi.present(), System.err);

  static final BlockedGemm GEMM = KERNELS.gemm();
  static final SparseKernel SPARSE = KERNELS.sparse();

  private Simd() {}

  static Kernels kernels(boolean vectorModulePresent, PrintStream log) {
    if (!vectorModulePresent) {
      log.println(
          "deepcompress: SIMD kernels unavailable, using the scalar fallback"
              + " (run java with --add-modules "
              + VectorApi.MODULE
              + " for full speed)");
      return new Kernels(new ScalarGemm(), new ScalarSparseKernel());
    }
    return new Kernels(
        load("VectorGemm", BlockedGemm.class), load("VectorSparseKernel", SparseKernel.class));
  }

  private static <T> T load(String simpleName, Class<T> type) {
    return VectorApi.load(Simd.class.getPackageName() + "." + simpleName, type);
  }
}
