package dev.deepcompress.bench;

import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.compression.Mask;
import dev.deepcompress.quantization.Quantizer;
import dev.deepcompress.quantization.QuantizerSpec;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.Shape;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Post-training uniform quantization (calibration and the index of every weight) of one unpruned
 * tensor of 1,000-weight rows, at three sizes: time linear in the weights stays in proportion to
 * the size, from 340,000 to 3.4 million weights (AlexNet fc6's survivors).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class UniformCalibrationBenchmark {
  static final int ROW = 1_000;

  @Param({"340000", "1360000", "3400000"})
  public int size;

  @Param({
    "uniform:8,asym,per-tensor,minmax,post",
    "uniform:8,asym,per-tensor,percentile=99.9,post",
    "uniform:4,asym,per-tensor,mse,post",
    "uniform:4,sym,per-channel,mse,post"
  })
  public String spec;

  private CompressedTensor whole;
  private float[] weights;
  private Quantizer quantizer;

  @Setup
  public void generate() {
    weights = PrunedLayer.survivors(size, 1);
    whole =
        CompressedTensor.pruned(
            new ParameterSpec("fc.weight", ParameterSpec.Role.WEIGHT, Shape.of(size / ROW, ROW)),
            Mask.all(size));
    quantizer = QuantizerSpec.parse(spec).quantizer(1);
  }

  @Benchmark
  public CompressedTensor quantize() {
    return quantizer.quantize(whole, weights);
  }
}
