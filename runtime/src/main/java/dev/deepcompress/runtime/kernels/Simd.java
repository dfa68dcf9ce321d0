package dev.deepcompress.runtime.kernels;

import java.io.PrintStream;

/**
 * Chooses between the Vector API kernels and their scalar fallbacks. Classes that reference {@code
 * jdk.incubator.vector} are loaded reflectively and only when that module is in the boot layer, so
 * the runtime also works without {@code --add-modules jdk.incubator.vector}.
 */
final class Simd {
  static final String MODULE = "jdk.incubator.vector";

  /** The kernels of one choice, made once so that the fallback is reported once. */
  record Kernels(BlockedGemm gemm, SparseKernel sparse) {}

  private static final Kernels KERNELS =
      kernels(ModuleLayer.boot().findModule(MODULE).isPresent(), System.err);

  static final BlockedGemm GEMM = KERNELS.gemm();
  static final SparseKernel SPARSE = KERNELS.sparse();

  private Simd() {}

  static Kernels kernels(boolean vectorModulePresent, PrintStream log) {
    if (!vectorModulePresent) {
      log.println(
          "deepcompress: SIMD kernels unavailable, using the scalar fallback"
              + " (run java with --add-modules "
              + MODULE
              + " for full speed)");
      return new Kernels(new ScalarGemm(), new ScalarSparseKernel());
    }
    return new Kernels(
        load("VectorGemm", BlockedGemm.class), load("VectorSparseKernel", SparseKernel.class));
  }

  private static <T> T load(String simpleName, Class<T> type) {
    try {
      return type.cast(
          Class.forName(Simd.class.getPackageName() + "." + simpleName)
              .getDeclaredConstructor()
              .newInstance());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot load the Vector API kernel " + simpleName, e);
    }
  }
}
