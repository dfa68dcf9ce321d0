package dev.deepcompress.runtime.kernels;

import jdk.incubator.vector.FloatVector;

/** Lane reductions whose result does not depend on how the JVM happens to run them. */
final class Lanes {
  private Lanes() {}

  /**
   * The sum of the lanes, first to last. {@code reduceLanes(ADD)} may associate differently in
   * compiled and interpreted code, so two threads at different stages of JIT compilation could give
   * results a bit apart.
   */
  static float sumInOrder(FloatVector vector) {
    float sum = 0f;
    for (int lane = 0; lane < vector.length(); lane++) {
      sum += vector.lane(lane);
    }
    return sum;
  }
}
