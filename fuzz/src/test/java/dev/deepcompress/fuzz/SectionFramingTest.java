package dev.deepcompress.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.deepcompress.runtime.format.ModelFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The CRC fix-up layer turns each framed seed back into exactly the model file it came from, so the
 * framed target starts from real files and its mutations reach past the CRCs.
 */
class SectionFramingTest {
  private static final Path INPUTS = Path.of("src/test/resources/dev/deepcompress/fuzz");

  private static List<Path> files(String directory) throws IOException {
    try (Stream<Path> files = Files.list(INPUTS.resolve(directory))) {
      // Findings and the hostile files of issues are not valid models.
      return files
          .filter(f -> !f.getFileName().toString().matches("(crash|timeout|oom)-.*|issue.*"))
          .sorted()
          .toList();
    }
  }

  @Test
  void everyFramedSeedFramesToItsModelFile() throws IOException {
    List<Path> models = files("ModelFileFuzzTestInputs/raw");
    assertFalse(models.isEmpty());
    for (Path model : models) {
      byte[] file = Files.readAllBytes(model);
      ModelFile.fromBytes(file, model.toString(), ModelFileFuzzTest.LIMITS);
      Path framed = INPUTS.resolve("ModelFileFuzzTestInputs/framed").resolve(model.getFileName());
      assertArrayEquals(file, SectionFraming.frame(Files.readAllBytes(framed)), model.toString());
    }
  }

  @Test
  void aTruncatedRecordBecomesAShorterSection() {
    // Minor version 1, then a record "ABCD" (optional) declaring 9 payload bytes of which 2 remain.
    byte[] input = {1, 0, 'A', 'B', 'C', 'D', 1, 9, 0, 0, 0, 'x', 'y'};
    byte[] file = SectionFraming.frame(input);
    assertEquals(16 + 16 + 2 + 4, file.length);
    assertEquals(2, file[16 + 8]);
    byte[] declaringWhatRemains = input.clone();
    declaringWhatRemains[7] = 2;
    assertArrayEquals(declaringWhatRemains, SectionFraming.unframe(file));
  }
}
