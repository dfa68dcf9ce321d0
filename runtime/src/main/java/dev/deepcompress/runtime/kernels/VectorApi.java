package dev.deepcompress.runtime.kernels;

/**
 * Whether the Vector API ({@code jdk.incubator.vector}) can be used, and the loading of classes
 * that use it: they are loaded reflectively and only when that module is in the boot layer, so that
 * code choosing between them and a scalar fallback also works without {@code --add-modules
 * jdk.incubator.vector}. Shared by the runtime's kernels and those of the training stages.
 */
public final class VectorApi {
  public static final String MODULE = "jdk.incubator.vector";

  private VectorApi() {}

  /** Whether {@link #MODULE} is in the boot layer. */
  public static boolean present() {
    return ModuleLayer.boot().findModule(MODULE).isPresent();
  }

  /**
   * A new instance of the class {@code className} (with a no-argument constructor, which may be
   * package-private), as a {@code type}. Call it only if {@link #present}.
   *
   * @throws IllegalStateException if the class cannot be loaded or made
   */
  public static <T> T load(String className, Class<T> type) {
    try {
      var constructor = Class.forName(className).asSubclass(type).getDeclaredConstructor();
      constructor.setAccessible(true);
      return constructor.newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot load the Vector API kernel " + className, e);
    }
  }
}
