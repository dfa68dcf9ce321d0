package dev.deepcompress.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.deepcompress.runtime.kernels.Gemm;
import dev.deepcompress.runtime.kernels.KernelThreads;
import dev.deepcompress.runtime.kernels.QuantizedSparseMatrix;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The fully connected layers of AlexNet and VGG-16 as Deep Compression leaves them (Han et al.
 * 2016, Tables 4 and 5: kept fraction per layer), {@code y = W·x} for each row of a batch, on
 * synthetic pruned and weight-shared weights ({@link PrunedLayer#weightShared}). The compressed
 * kernels ({@link Compressed}) run on the weight as it is; peers work on the same weight decoded to
 * dense fp32: our {@link Gemm#sgemm} and ONNX Runtime's CPU Gemm.
 *
 * <p>Every benchmark method sees the same {@link #weight}, its {@link #denseWeight} decoding, the
 * {@link #input} rows and an {@link #output} buffer; a peer that needs its own preparation gets a
 * {@link State} class set up from this one, as {@link OnnxRuntimeSession} is.
 *
 * <p>Example: {@code java -jar bench/target/benchmarks.jar SparseFcBenchmark -p layer=ALEXNET_FC6
 * -p batch=1 -p threads=1,2}. {@link #compressedRows} and {@link #compressedColumns} are batch-1
 * products and fail at other batch sizes: select them with a pattern only together with {@code -p
 * batch=1}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// VGG-16 fc6 is 103 M weights: 411 MB dense, and setup briefly holds a few copies of that. ONNX
// Runtime loads its native library.
@Fork(
    value = 1,
    jvmArgsAppend = {
      "--add-modules",
      "jdk.incubator.vector",
      "-Xmx6g",
      "--enable-native-access=ALL-UNNAMED"
    })
public class SparseFcBenchmark {
  /** Shape {@code outputs × inputs} and the fraction of weights kept. */
  public enum Layer {
    ALEXNET_FC6(4096, 9216, 0.09),
    ALEXNET_FC7(4096, 4096, 0.09),
    ALEXNET_FC8(1000, 4096, 0.25),
    VGG16_FC6(4096, 25088, 0.04),
    VGG16_FC7(4096, 4096, 0.04),
    VGG16_FC8(1000, 4096, 0.23);

    final int outputs;
    final int inputs;
    final double kept;

    Layer(int outputs, int inputs, double kept) {
      this.outputs = outputs;
      this.inputs = inputs;
      this.kept = kept;
    }
  }

  /** What the layer is fed. */
  public enum Input {
    /** Activations after a ReLU: non-negative, about half of them exactly zero. */
    RELU,
    /** No zeros (with probability 1): Gaussian values. */
    DENSE;

    float[] sample(int count, long seed) {
      SplittableRandom random = new SplittableRandom(seed);
      float[] values = new float[count];
      for (int i = 0; i < count; i++) {
        double v = random.nextGaussian();
        values[i] = (float) (this == RELU ? Math.max(v, 0) : v);
      }
      return values;
    }
  }

  @Param public Layer layer;

  /** Codebook index width; the dense peers do not depend on it. Also try 4 and 8. */
  @Param({"5"})
  public int indexBits;

  @Param({"1", "64"})
  public int batch;

  @Param public Input inputKind;

  @Param({"1", "2"})
  public int threads;

  SparseQuantizedTensor weight;
  float[] denseWeight;

  /** {@link #batch} rows of {@code layer.inputs} values. */
  float[] input;

  /** {@link #batch} rows of {@code layer.outputs} values. */
  float[] output;

  @Setup
  public void generate() {
    weight = PrunedLayer.weightShared(layer.outputs, layer.inputs, layer.kept, indexBits, 1);
    denseWeight = weight.toDense();
    input = inputKind.sample(batch * layer.inputs, 2);
    output = new float[batch * layer.outputs];
    KernelThreads.setThreads(threads);
  }

  @Benchmark
  public float[] denseGemm() {
    Gemm.sgemm(
        false,
        true,
        batch,
        layer.outputs,
        layer.inputs,
        input,
        0,
        layer.inputs,
        denseWeight,
        0,
        layer.inputs,
        0f,
        output,
        0,
        layer.outputs);
    return output;
  }

  /** The dense layer in ONNX Runtime, reading and writing direct buffers it uses without copies. */
  @State(Scope.Benchmark)
  public static class OnnxRuntimeSession {
    private OrtSession session;
    private Map<String, OnnxTensor> inputs;
    private Map<String, OnnxTensor> outputs;
    private FloatBuffer outputValues;

    @Setup
    public void open(SparseFcBenchmark fc) throws OrtException {
      OrtEnvironment environment = OrtEnvironment.getEnvironment();
      session =
          OnnxFullyConnected.open(
              environment,
              OnnxFullyConnected.model(fc.denseWeight, fc.layer.outputs, fc.layer.inputs, fc.batch),
              fc.threads);
      FloatBuffer inputValues = directFloats(fc.input.length).put(fc.input).flip();
      inputs =
          Map.of(
              OnnxFullyConnected.INPUT,
              OnnxTensor.createTensor(
                  environment, inputValues, new long[] {fc.batch, fc.layer.inputs}));
      outputValues = directFloats(fc.output.length);
      outputs =
          Map.of(
              OnnxFullyConnected.OUTPUT,
              OnnxTensor.createTensor(
                  environment, outputValues, new long[] {fc.batch, fc.layer.outputs}));
    }

    private static FloatBuffer directFloats(int count) {
      return ByteBuffer.allocateDirect(4 * count).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    @TearDown
    public void close() throws OrtException {
      inputs.values().forEach(OnnxTensor::close);
      outputs.values().forEach(OnnxTensor::close);
      session.close();
    }
  }

  /** The weight in compressed form, as {@code InferenceNetwork} runs a fully connected layer. */
  @State(Scope.Benchmark)
  public static class Compressed {
    QuantizedSparseMatrix matrix;
    float[] bias;

    @Setup
    public void decode(SparseFcBenchmark fc) {
      matrix = QuantizedSparseMatrix.of(fc.weight, fc.layer.outputs, fc.layer.inputs);
      bias = new float[fc.layer.outputs];
      if (fc.batch == 1) {
        // Builds the column-major copy outside the measurement.
        matrix.multiplyVectorSkippingZeros(fc.input, bias, fc.output);
      }
    }
  }

  /**
   * What {@code InferenceNetwork} runs: zero-skipping columns for a sparse enough row, else rows.
   */
  @Benchmark
  public float[] compressed(Compressed w) {
    if (batch == 1 && w.matrix.skippingZerosPays(input)) {
      w.matrix.multiplyVectorSkippingZeros(input, w.bias, output);
    } else {
      w.matrix.multiplyBatch(input, batch, w.bias, output);
    }
    return output;
  }

  /** Batch 1 row by row (compressed sparse rows), whatever the input's zeros. */
  @Benchmark
  public float[] compressedRows(Compressed w) {
    requireBatch1();
    w.matrix.multiplyVector(input, w.bias, output);
    return output;
  }

  /** Batch 1 column by column, skipping zero inputs, whatever their number. */
  @Benchmark
  public float[] compressedColumns(Compressed w) {
    requireBatch1();
    w.matrix.multiplyVectorSkippingZeros(input, w.bias, output);
    return output;
  }

  private void requireBatch1() {
    if (batch != 1) {
      throw new UnsupportedOperationException("a batch-1 kernel; run with -p batch=1");
    }
  }

  @Benchmark
  public FloatBuffer onnxRuntime(OnnxRuntimeSession ort) throws OrtException {
    // The output is pinned: the result does not own it, so closing the result leaves it intact.
    ort.session.run(ort.inputs, ort.outputs).close();
    return ort.outputValues;
  }
}
