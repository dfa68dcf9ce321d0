package dev.deepcompress.training;

/**
 * Grows a per-layer work array to the largest batch seen, so steady-state training allocates
 * nothing.
 */
final class BatchBuffers {
  private BatchBuffers() {}

  static float[] ensure(float[] buffer, int length) {
    return buffer != null && buffer.length >= length ? buffer : new float[length];
  }

  static int[] ensure(int[] buffer, int length) {
    return buffer != null && buffer.length >= length ? buffer : new int[length];
  }
}
