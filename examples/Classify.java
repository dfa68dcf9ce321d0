import dev.deepcompress.runtime.CompressedModel;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Classifies a hand-drawn digit with a compressed LeNet. Needs only the runtime and huffman jars:
 *
 * <pre>
 * java -cp runtime/target/classes:huffman/target/classes examples/Classify.java runs/lenet-5/lenet-5.dcmodel
 * </pre>
 *
 * The lines between the markers are the README's Java example, word for word.
 */
public class Classify {
  public static void main(String[] args) throws Exception {
    // README example begins
    CompressedModel model = CompressedModel.load(Path.of(args[0]));

    // A raw 28×28 image as the training data held it: pixel values 0-255, row by row.
    float[] pixels = new float[model.inputSize()];
    for (int row = 5; row < 23; row++) {
      pixels[row * 28 + 14] = 255; // a vertical stroke: a one
    }

    int digit = model.classify(pixels); // applies the file's preprocessing (pixels / 256)
    float[] scores = model.predict(pixels); // one score per class
    System.out.println("digit " + digit + ", scores " + Arrays.toString(scores));
    // README example ends
  }
}
