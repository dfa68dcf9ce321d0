package dev.deepcompress.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Floating-point work done, which JMH reports per second beside the call rate: a benchmark adds its
 * GFLOP per call to {@link #gflops}.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class GflopsCounter {
  public double gflops;

  @Setup(Level.Iteration)
  public void reset() {
    gflops = 0;
  }
}
