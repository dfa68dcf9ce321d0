package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void writtenValuesParseBackToTheSameValues() {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("quote \" backslash \\ tab \t newline \n bell \u0007", "µs ×");
    inner.put("empty map", Map.of());
    inner.put("empty list", List.of());
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("int", 42);
    root.put("long", 1L << 40);
    root.put("negative", -3);
    root.put("double", 0.1);
    root.put("tiny", 1e-7);
    root.put("float", 2.5f);
    root.put("whole double", 3.0);
    root.put("nan", Double.NaN);
    root.put("null", null);
    root.put("flags", Arrays.asList(true, false, null));
    root.put("nested", inner);

    Map<String, Object> parsed = JsonReader.object(JsonReader.parse(Json.write(root)));

    Map<String, Object> expected = new LinkedHashMap<>(root);
    expected.put("int", 42.0);
    expected.put("long", (double) (1L << 40));
    expected.put("negative", -3.0);
    expected.put("float", 2.5);
    expected.put("nan", null);
    expected.put("nested", new LinkedHashMap<>(inner));
    assertEquals(expected, parsed);
    assertEquals(new ArrayList<>(root.keySet()), new ArrayList<>(parsed.keySet()), "key order");
  }

  @Test
  void theTestReaderRejectsWhatIsNotJson() {
    for (String bad : new String[] {"{\"a\": 1,}", "[1 2]", "{a: 1}", "\"\u0001\"", "1 2", "01"}) {
      assertThrows(IllegalArgumentException.class, () -> JsonReader.parse(bad), bad);
    }
  }
}
