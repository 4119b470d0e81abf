package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The lesson's exercise 4 (c–e): loss and every gradient of the nn.Sequential network at the
 * values PyTorch initialized it with equal PyTorch autograd's, to 1e-9. The golden JSON was made by
 * src/test/python/exercise4_golden.py with Debian's python3-torch; this test needs only the JSON.
 */
class Exercise4GoldenTest {
  @TempDir
  Path directory;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"single", "batch"})
  void nablaGradEqualsPyTorch(String name) throws IOException {
    JsonObject golden = golden().getAsJsonObject(name);
    Path values = directory.resolve("values.json");
    Files.writeString(values, golden.get("values").toString());

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var command = Nabla.commandLine();
    command.setOut(new PrintWriter(out));
    command.setErr(new PrintWriter(err));
    int exit = command.execute("grad", Path.of("../examples/exercise4.nabla").toString(), "--values", values.toString());
    assertEquals(0, exit, err.toString());

    assertClose(golden.getAsJsonObject("expected"), JsonParser.parseString(out.toString()), "");
  }

  static JsonObject golden() throws IOException {
    try (InputStream in = Exercise4GoldenTest.class.getResourceAsStream("/golden/exercise4.json")) {
      return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
    }
  }

  /** Every number equal to 1e-9 (relative to 1 or to the value), every key and length the same. */
  static void assertClose(JsonElement expected, JsonElement actual, String where) {
    if (expected.isJsonObject()) {
      assertEquals(expected.getAsJsonObject().keySet(), actual.getAsJsonObject().keySet(), where);
      for (String key : expected.getAsJsonObject().keySet()) {
        assertClose(expected.getAsJsonObject().get(key), actual.getAsJsonObject().get(key), where + "." + key);
      }
    } else if (expected.isJsonArray()) {
      assertEquals(expected.getAsJsonArray().size(), actual.getAsJsonArray().size(), where);
      for (int i = 0; i < expected.getAsJsonArray().size(); i++) {
        assertClose(expected.getAsJsonArray().get(i), actual.getAsJsonArray().get(i), where + "[" + i + "]");
      }
    } else {
      double e = expected.getAsDouble();
      double a = actual.getAsDouble();
      assertEquals(e, a, 1e-9 * Math.max(1, Math.abs(e)), where);
    }
  }
}
