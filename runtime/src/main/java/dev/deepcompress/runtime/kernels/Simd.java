package dev.deepcompress.runtime.kernels;

import java.io.PrintStream;

/**
 * Chooses between the Vector API kernels and their scalar fallbacks. Classes that reference {@code
 * jdk.incubator.vector} are loaded reflectively and only when that module is in the boot layer, so
 * the runtime also works without {@code --add-modules jdk.incubator.vector}.
 */
final class Simd {
  static final String MODULE = "jdk.incubator.vector";

  static final BlockedGemm GEMM =
      gemm(ModuleLayer.boot().findModule(MODULE).isPresent(), System.err);

  private Simd() {}

  static BlockedGemm gemm(boolean vectorModulePresent, PrintStream log) {
    if (!vectorModulePresent) {
      log.println(
          "deepcompress: SIMD kernels unavailable, using the scalar fallback"
              + " (run java with --add-modules "
              + MODULE
              + " for full speed)");
      return new ScalarGemm();
    }
    try {
      return (BlockedGemm)
          Class.forName(Simd.class.getPackageName() + ".VectorGemm")
              .getDeclaredConstructor()
              .newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot load the Vector API GEMM kernel", e);
    }
  }
}
