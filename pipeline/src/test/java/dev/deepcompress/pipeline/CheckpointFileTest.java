package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class CheckpointFileTest {
  private static final String SETTINGS = "plan: sha256:00ff\nseed: 3\n";

  private static Checkpoint sample() {
    return new Checkpoint()
        .putLong("epochs.done", 7)
        .putDouble("error", 1.25)
        .putString("where", "pruning iteration 2, epoch 3/10 — ünïcode")
        .putFloats("trainer/parameter/ip1.weight", new float[] {1f, -0f, Float.NaN, 3.5e-8f})
        .putInts("mask/ip1.weight/kept", new int[] {0, 5, 9})
        .putDoubles("epochs.losses", new double[] {2.5, 0.125});
  }

  @Test
  void everyKindOfValueReadsBackExactly() throws Exception {
    byte[] bytes = CheckpointFile.encode("pruning", SETTINGS, sample());
    CheckpointFile.Contents read = CheckpointFile.decode(bytes, "x.state");
    assertEquals("pruning", read.stage());
    assertEquals(SETTINGS, read.settings());
    Checkpoint c = read.checkpoint();
    assertEquals(7, c.getLong("epochs.done"));
    assertEquals(1.25, c.getDouble("error"));
    assertEquals("pruning iteration 2, epoch 3/10 — ünïcode", c.getString("where"));
    float[] floats = c.getFloats("trainer/parameter/ip1.weight");
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(floats[1]));
    assertTrue(Float.isNaN(floats[2]));
    assertEquals(3.5e-8f, floats[3]);
    assertArrayEquals(new int[] {0, 5, 9}, c.getInts("mask/ip1.weight/kept"));
    assertArrayEquals(new double[] {2.5, 0.125}, c.getDoubles("epochs.losses"));
    assertEquals(List.of("ip1.weight"), List.copyOf(c.keysUnder("trainer/parameter/")));
    assertArrayEquals(
        bytes, CheckpointFile.encode("pruning", SETTINGS, c), "the same values, the same bytes");
  }

  @Test
  void missingValuesAndValuesOfAnotherKindAreNamed() {
    Checkpoint c = sample();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> c.getLong("epochs.missing"));
    assertTrue(e.getMessage().contains("epochs.missing"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> c.getFloats("epochs.done"));
    assertTrue(e.getMessage().contains("not an fp32 array"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> c.getInt("epochs.done", 1, 5));
    assertTrue(e.getMessage().contains("not within 1..5"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> c.putLong("epochs.done", 1));
    assertThrows(IllegalArgumentException.class, () -> c.putLong("with space", 1));
    assertThrows(IllegalArgumentException.class, () -> c.putLong("", 1));
  }

  /** Every truncation and every flipped byte is a FormatException: never another exception. */
  @Test
  void damageOfAnyKindIsOneClearError() {
    byte[] bytes = CheckpointFile.encode("pruning", SETTINGS, sample());
    for (int length = 0; length < bytes.length; length++) {
      byte[] cut = Arrays.copyOf(bytes, length);
      CheckpointFile.FormatException e =
          assertThrows(
              CheckpointFile.FormatException.class,
              () -> CheckpointFile.decode(cut, "cut.state"),
              "cut at " + length);
      assertTrue(e.getMessage().startsWith("cut.state: byte "), e.getMessage());
    }
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < bytes.length; i++) {
      byte[] damaged = bytes.clone();
      damaged[i] ^= (byte) (1 + random.nextInt(255));
      assertThrows(
          CheckpointFile.FormatException.class,
          () -> CheckpointFile.decode(damaged, "damaged.state"),
          "byte " + i);
    }
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    assertThrows(CheckpointFile.FormatException.class, () -> CheckpointFile.decode(longer, "x"));
  }

  /** A count that claims more than the file holds is refused before anything is allocated. */
  @Test
  void aLyingCountIsRefusedBeforeAllocation() {
    Checkpoint c = new Checkpoint().putFloats("w", new float[4]);
    byte[] bytes = CheckpointFile.encode("s", SETTINGS, c);
    // The one value: name length, name, kind, count, payload, CRC; set the count to 2^31 - 1 and
    // give it a valid CRC, so only the size check can catch it.
    int entry = bytes.length - (1 + 1 + 1 + 4 + 16 + 4);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(entry + 3, Integer.MAX_VALUE);
    CRC32C crc = new CRC32C();
    crc.update(bytes, entry, bytes.length - 4 - entry);
    b.putInt(bytes.length - 4, (int) crc.getValue());
    CheckpointFile.FormatException e =
        assertThrows(CheckpointFile.FormatException.class, () -> CheckpointFile.decode(bytes, "x"));
    assertTrue(e.getMessage().contains("needs 8589934588 bytes"), e.getMessage());
  }

  @Test
  void anotherFileOrVersionIsNamedAsSuch() {
    CheckpointFile.FormatException e =
        assertThrows(
            CheckpointFile.FormatException.class,
            () -> CheckpointFile.decode("{\"json\": true}".getBytes(), "plan.json"));
    assertTrue(e.getMessage().contains("not a deepcompress checkpoint"), e.getMessage());
    byte[] bytes = CheckpointFile.encode("s", SETTINGS, sample());
    bytes[8] = 2;
    e =
        assertThrows(
            CheckpointFile.FormatException.class, () -> CheckpointFile.decode(bytes, "new.state"));
    assertTrue(e.getMessage().contains("version 2.0"), e.getMessage());
  }
}
