package dev.deepcompress.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One core's measured fp32 FMA peak, the denominator for {@link GemmBenchmark}'s fraction of peak.
 * A VM may hide the clock and the vector width the silicon has, so the peak is measured rather than
 * computed from a data sheet: twelve independent FMA chains in the preferred species are enough to
 * cover the latency of two FMA pipes, and nothing touches memory.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class FmaPeakBenchmark {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int ROUNDS = 1_000;
  private static final int CHAINS = 12;

  private float multiplier;
  private float addend;

  @Setup
  public void prepare() {
    // Values that stay finite and normal for every round: x ↦ 0.999x + 1e-3 converges to 1.
    multiplier = 0.999f;
    addend = 1e-3f;
  }

  @Benchmark
  public float fmaChains(GflopsCounter work) {
    // Built here from floats: vectors read from fields made C2 box them, at 1% of the speed.
    FloatVector m = FloatVector.broadcast(SPECIES, multiplier);
    FloatVector a = FloatVector.broadcast(SPECIES, addend);
    FloatVector c0 = a;
    FloatVector c1 = a.add(1f);
    FloatVector c2 = a.add(2f);
    FloatVector c3 = a.add(3f);
    FloatVector c4 = a.add(4f);
    FloatVector c5 = a.add(5f);
    FloatVector c6 = a.add(6f);
    FloatVector c7 = a.add(7f);
    FloatVector c8 = a.add(8f);
    FloatVector c9 = a.add(9f);
    FloatVector c10 = a.add(10f);
    FloatVector c11 = a.add(11f);
    for (int round = 0; round < ROUNDS; round++) {
      c0 = c0.fma(m, a);
      c1 = c1.fma(m, a);
      c2 = c2.fma(m, a);
      c3 = c3.fma(m, a);
      c4 = c4.fma(m, a);
      c5 = c5.fma(m, a);
      c6 = c6.fma(m, a);
      c7 = c7.fma(m, a);
      c8 = c8.fma(m, a);
      c9 = c9.fma(m, a);
      c10 = c10.fma(m, a);
      c11 = c11.fma(m, a);
    }
    work.gflops += 2e-9 * CHAINS * ROUNDS * SPECIES.length();
    return c0.add(c1)
        .add(c2)
        .add(c3)
        .add(c4)
        .add(c5)
        .add(c6)
        .add(c7)
        .add(c8)
        .add(c9)
        .add(c10)
        .add(c11)
        .reduceLanes(VectorOperators.ADD);
  }
}
