package dev.deepcompress.runtime;

import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.format.ModelFormatException;
import dev.deepcompress.runtime.inference.Argmax;
import dev.deepcompress.runtime.inference.InferenceNetwork;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.runtime.model.Shape;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * A {@code .dcmodel} file ready to run inside a Java program: the entry point for applications that
 * ship a compressed model.
 *
 * <pre>{@code
 * CompressedModel model = CompressedModel.load(Path.of("lenet-5.dcmodel"));
 * int digit = model.classify(pixels); // pixels: 784 raw values, 0-255, row by row
 * }</pre>
 *
 * <p><b>Inputs.</b> Every method takes <em>raw</em> samples: values as the model's training data
 * held them (pixel values 0–255 for the LeNets), {@link #inputSize()} of them per sample, in the
 * row-major order of {@link #inputShape()} (for an image, channel after channel, each row by row).
 * The preprocessing the file records ({@link #preprocessing()}) turns them into the network's
 * input; a file that records none (format 1.0 and 1.1) gives them to the network unchanged, so its
 * caller must pass inputs already prepared as the network was trained.
 *
 * <p><b>Outputs.</b> {@link #predict} returns the last layer's {@link #outputSize()} values per
 * sample, as computed (logits for a classifier; no softmax is applied). {@link #classify} returns
 * the index of the largest, the lowest index on a tie.
 *
 * <p><b>Threads.</b> Immutable once loaded; each call allocates its own activations, so any number
 * of threads may call one instance at the same time, with results identical to calls made one at a
 * time. Kernels use the {@code jdk.incubator.vector} module when the JVM runs with {@code
 * --add-modules jdk.incubator.vector}; without it they fall back to scalar code (same results up to
 * floating-point rounding, slower) and say so once on standard error.
 *
 * <p>Needs only the {@code deepcompress-runtime} and {@code deepcompress-huffman} jars.
 */
public final class CompressedModel {
  /** Rows per forward pass of a large batch, which bounds the activations held at once. */
  private static final int CHUNK_ROWS = 256;

  private final Model model;
  private final InferenceNetwork network;
  private final Preprocessing preprocessing;
  private final int inputSize;
  private final int outputSize;

  private CompressedModel(Model model) {
    this.model = model;
    this.network = InferenceNetwork.of(model);
    this.preprocessing = model.preprocessing().orElse(Preprocessing.identity());
    this.inputSize = network.inputSize();
    this.outputSize = network.outputSize();
  }

  /**
   * Reads and validates a model file and builds its network.
   *
   * @throws NoSuchFileException if there is no such file
   * @throws ModelFormatException if the file is not a valid model file (names the section and byte
   *     offset)
   * @throws IOException if the file cannot be read
   */
  public static CompressedModel load(Path file) throws IOException {
    return new CompressedModel(ModelFile.read(file));
  }

  /** A model already in memory, e.g. one just compressed. */
  public static CompressedModel of(Model model) {
    return new CompressedModel(Objects.requireNonNull(model, "model"));
  }

  /** The shape of one raw sample (and of the network's input). */
  public Shape inputShape() {
    return model.architecture().inputShape();
  }

  /** Values per sample: the element count of {@link #inputShape()}. */
  public int inputSize() {
    return inputSize;
  }

  /** Values per output: the number of classes of a classifier. */
  public int outputSize() {
    return outputSize;
  }

  /**
   * What turns raw samples into network input: the file's recorded preprocessing, or {@link
   * Preprocessing#identity()} when it records none ({@link #preprocessingRecorded()}).
   */
  public Preprocessing preprocessing() {
    return preprocessing;
  }

  /** Whether the file records its preprocessing (files before format 1.2 do not). */
  public boolean preprocessingRecorded() {
    return model.preprocessing().isPresent();
  }

  /** The model as read: architecture, tensors and metadata. */
  public Model model() {
    return model;
  }

  /**
   * The network's outputs for one raw sample.
   *
   * @param sample {@link #inputSize()} raw values; not modified
   * @return {@link #outputSize()} values
   * @throws IllegalArgumentException if the sample has the wrong length
   */
  public float[] predict(float[] sample) {
    return network.forward(prepare(new float[][] {sample}, 0, 1), 1);
  }

  /**
   * The network's outputs for each raw sample, computed in batches: the values of {@link
   * #predict(float[])} on each, up to floating-point rounding (a batch may run through other
   * kernels, which sum in another order).
   *
   * @param samples each of {@link #inputSize()} raw values; not modified
   * @return one array of {@link #outputSize()} values per sample
   * @throws IllegalArgumentException if a sample is null or has the wrong length
   */
  public float[][] predict(float[][] samples) {
    float[][] outputs = new float[samples.length][];
    for (int from = 0; from < samples.length; from += CHUNK_ROWS) {
      int rows = Math.min(CHUNK_ROWS, samples.length - from);
      float[] out = network.forward(prepare(samples, from, rows), rows);
      for (int r = 0; r < rows; r++) {
        outputs[from + r] = Arrays.copyOfRange(out, r * outputSize, (r + 1) * outputSize);
      }
    }
    return outputs;
  }

  /**
   * The class of one raw sample: the index of its largest output, the lowest on a tie.
   *
   * @throws IllegalArgumentException if the sample has the wrong length
   */
  public int classify(float[] sample) {
    return Argmax.rows(predict(sample), 1, outputSize)[0];
  }

  /**
   * The class of each raw sample, computed in batches as by {@link #predict(float[][])}.
   *
   * @throws IllegalArgumentException if a sample is null or has the wrong length
   */
  public int[] classify(float[][] samples) {
    int[] classes = new int[samples.length];
    for (int from = 0; from < samples.length; from += CHUNK_ROWS) {
      int rows = Math.min(CHUNK_ROWS, samples.length - from);
      int[] chunk = network.predict(prepare(samples, from, rows), rows);
      System.arraycopy(chunk, 0, classes, from, rows);
    }
    return classes;
  }

  /** Rows {@code from … from + rows − 1} preprocessed into one batch. */
  private float[] prepare(float[][] samples, int from, int rows) {
    float[] batch = new float[rows * inputSize];
    for (int r = 0; r < rows; r++) {
      float[] sample = samples[from + r];
      if (sample == null || sample.length != inputSize) {
        throw new IllegalArgumentException(
            "sample "
                + (from + r)
                + (sample == null ? " is null" : " has " + sample.length + " values")
                + "; the model takes "
                + inputSize
                + " ("
                + inputShape()
                + ")");
      }
      preprocessing.apply(sample, 0, batch, r * inputSize, inputSize);
    }
    return batch;
  }

  @Override
  public String toString() {
    return "CompressedModel["
        + model.architecture().name()
        + ", input "
        + inputShape()
        + ", "
        + outputSize
        + " outputs]";
  }
}
