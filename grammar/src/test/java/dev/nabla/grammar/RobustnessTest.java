package dev.nabla.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.grammar.ast.Spec;
import dev.nabla.grammar.diagnostic.Diagnostic;
import dev.nabla.grammar.diagnostic.DiagnosticFormatter;
import dev.nabla.grammar.diagnostic.SourceFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile inputs: the answer is always an AST or diagnostics, quickly, and never an exception. */
class RobustnessTest {
  private static final int MEGABYTE = 1 << 20;

  @Test
  void tenThousandNestedParenthesesAreRefusedInWords() {
    String deep = "(".repeat(10_000) + "x" + ")".repeat(10_000);
    var result = quickly(() -> SpecParser.parseExpression(SourceFile.ofExpression(deep)));
    assertEquals(List.of("1:201: expression nested deeper than 200 levels"), described(result.diagnostics()));
  }

  @Test
  void tenThousandNestedCallsInASpecAreRefusedInWords() {
    String text = "model M\ninput X[4]\nloss = " + "relu(".repeat(10_000) + "X" + ")".repeat(10_000);
    var result = quickly(() -> SpecParser.parseSpec(new SourceFile("deep.nabla", text)));
    assertEquals(List.of("3:1008: expression nested deeper than 200 levels"), described(result.diagnostics()));
  }

  @Test
  void longChainsOfPrefixOperatorsAreRefusedToo() {
    for (String deep : List.of("-".repeat(10_000) + "x", "x" + "^-1".repeat(10_000))) {
      var result = quickly(() -> SpecParser.parseExpression(SourceFile.ofExpression(deep)));
      assertEquals("expression nested deeper than 200 levels", result.diagnostics().get(0).message());
    }
    for (String flat : List.of("x" + "'".repeat(10_000), "x" + " + x".repeat(10_000))) {
      var result = quickly(() -> SpecParser.parseExpression(SourceFile.ofExpression(flat)));
      assertEquals("expression too long: more than 400 operations in a chain", result.diagnostics().get(0).message());
    }
  }

  /** Issue 18: a flat sum of 199 terms (of losses, of penalties) was refused as "nested deeper than 200 levels". */
  @Test
  void aFlatSumOfAFewHundredTermsParses() {
    String penalties = "model M\ninput x[3]\nlabel y : 2\nparam W[2, 3]\nloss = cross_entropy(W x, y) + "
        + String.join(" + ", java.util.Collections.nCopies(199, "0.001 * sum(W * W)")) + "\n";
    assertFalse(SpecParser.parseSpec(new SourceFile("penalties.nabla", penalties)).hasErrors());
    assertFalse(SpecParser.parseExpression(SourceFile.ofExpression("x" + " + x".repeat(390))).hasErrors());
  }

  @Test
  void nestingWithinTheLimitParses() {
    String deep = "(".repeat(150) + "x" + ")".repeat(150);
    assertFalse(SpecParser.parseExpression(SourceFile.ofExpression(deep)).hasErrors());
  }

  @Test
  void aOneMegabyteLineIsHandled() {
    String longName = "x".repeat(MEGABYTE);
    assertFalse(quickly(() -> SpecParser.parseExpression(SourceFile.ofExpression(longName))).hasErrors());

    String longSum = "x" + " + x".repeat(MEGABYTE / 4);
    var sum = quickly(() -> SpecParser.parseExpression(SourceFile.ofExpression(longSum)));
    assertEquals(List.of("1:1: expression too long: more than 400 operations in a chain"), described(sum.diagnostics()));

    String comment = "model M\ninput X[4]\n# " + "#".repeat(MEGABYTE) + "\nloss = sum(X)\n";
    assertFalse(quickly(() -> SpecParser.parseSpec(new SourceFile("c.nabla", comment))).hasErrors());

    String garbage = "model M\ninput X[4]\nloss = " + "$".repeat(MEGABYTE);
    var bad = quickly(() -> SpecParser.parseSpec(new SourceFile("g.nabla", garbage)));
    assertEquals(List.of("3:8: unexpected character '$'"), described(bad.diagnostics()));
    assertTrue(DiagnosticFormatter.format(bad.diagnostics()).length() < 1000, "the excerpt is cut");
  }

  @Test
  void nulBytesAreReported() {
    String text = "model M\u0000\ninput X[4]\nloss = sum(X)\u0000\u0000";
    var result = SpecParser.parseSpec(new SourceFile("nul.nabla", text));
    assertEquals(List.of("1:8: unexpected character U+0000", "3:14: unexpected character U+0000"),
        described(result.diagnostics()));
    assertTrue(DiagnosticFormatter.format(result.diagnostics()).contains("  model M?\n"));
  }

  @Test
  void invalidUtf8IsReportedWhereItStands(@TempDir Path directory) throws IOException {
    Path file = directory.resolve("latin1.nabla");
    byte[] head = "model M\ninput X[4]\nloss = sum(X) ".getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[head.length + 2];
    System.arraycopy(head, 0, bytes, 0, head.length);
    bytes[head.length] = (byte) 0xE9; // 'é' in Latin-1, not UTF-8
    bytes[head.length + 1] = (byte) 0xFF;
    Files.write(file, bytes);
    var result = SpecParser.readSpec(file);
    assertEquals(List.of("3:15: unexpected character U+FFFD"), described(result.diagnostics()));
    assertEquals(List.of("U+FFFD stands for bytes that are not valid UTF-8; save the file as UTF-8"),
        result.diagnostics().get(0).hints());
  }

  @Test
  void aByteOrderMarkIsIgnored(@TempDir Path directory) throws IOException {
    Path file = directory.resolve("bom.nabla");
    Files.writeString(file, "\uFEFF" + Examples.LESSON_SPEC, StandardCharsets.UTF_8);
    assertFalse(SpecParser.readSpec(file).hasErrors());
  }

  @Test
  void windowsLineEndingsAreFine() {
    Spec spec = SpecParser.parseSpec(new SourceFile("crlf.nabla", Examples.LESSON_SPEC.replace("\n", "\r\n")))
        .orThrow();
    assertEquals(10, spec.statements().size());
  }

  @Test
  void emptyAndCommentOnlyFilesGiveOneDiagnostic() {
    for (String text : List.of("", "\n\n", "# nothing here\n   # still nothing")) {
      var result = SpecParser.parseSpec(new SourceFile("empty.nabla", text));
      assertEquals(1, result.diagnostics().size(), text);
      assertTrue(result.diagnostics().get(0).message().startsWith("empty spec"));
    }
  }

  @Test
  void manyBadLinesAreCappedAtAHundredDiagnostics() {
    String text = "x = +\n".repeat(500);
    var result = SpecParser.parseSpec(new SourceFile("many.nabla", text));
    assertEquals(101, result.diagnostics().size());
    assertEquals("too many errors: showing the first 100", result.diagnostics().get(100).message());
  }

  private static <T> T quickly(Supplier<T> parse) {
    return assertTimeoutPreemptively(Duration.ofSeconds(10), parse::get);
  }

  private static List<String> described(List<Diagnostic> diagnostics) {
    return diagnostics.stream().map(d -> d.span().position() + ": " + d.message()).toList();
  }
}
