package dev.nabla.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.grammar.diagnostic.Diagnostic;
import dev.nabla.grammar.diagnostic.DiagnosticFormatter;
import dev.nabla.grammar.diagnostic.SourceFile;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever the text, the facade answers with an AST or with diagnostics that point inside the
 * text, never with an exception, and never in ANTLR's words.
 */
class ParserPropertiesTest {
  private static final List<String> SEEDS =
      List.of(Examples.LESSON_SPEC, Examples.BLOCK_GRAPH_SPEC, Examples.EXERCISE_4_SPEC);
  /** Pieces to insert: every token kind, plus characters the language does not know. */
  private static final List<String> PIECES = List.of("(", ")", "[", "]", ",", ":", "=", "+", "-", "−", "*", "/",
      "@", "·", "⊙", "^", "ᵀ", "'", "\n", " ", "relu(", "x", "W1", "2", "0.5", "1e-3", "model", "input", "label",
      "target", "param", "def", "init", "loss", "#", "$", "\u0000", "\uFFFD", "{", "𝐖", ".", "\t", "\r");
  private static final Pattern TOKEN = Pattern.compile("\\s+|[\\p{L}_][\\p{L}\\p{N}_]*\\(?|\\d+(\\.\\d+)?|.",
      Pattern.DOTALL);

  @Property(tries = 400)
  void randomTextIsAnsweredInWords(@ForAll("randomText") String text) {
    assertWellBehaved(text);
  }

  @Property(tries = 600)
  void mutatedSpecsAreAnsweredInWords(@ForAll("mutatedSpec") String text) {
    assertWellBehaved(text);
  }

  @Provide
  Arbitrary<String> randomText() {
    Arbitrary<String> fromPieces = Arbitraries.of(PIECES).list().ofMaxSize(40).map(p -> String.join("", p));
    Arbitrary<String> anyChars = Arbitraries.strings().all().ofMaxLength(60);
    return Arbitraries.oneOf(fromPieces, anyChars);
  }

  @Provide
  Arbitrary<String> mutatedSpec() {
    Arbitrary<List<String>> tokens = Arbitraries.of(SEEDS).map(ParserPropertiesTest::tokenize);
    Arbitrary<List<int[]>> edits = Combinators.combine(
        Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 10_000),
        Arbitraries.integers().between(0, 10_000)).as((kind, at, other) -> new int[] {kind, at, other})
        .list().ofMinSize(1).ofMaxSize(4);
    return Combinators.combine(tokens, edits).as(ParserPropertiesTest::mutate);
  }

  private static List<String> tokenize(String text) {
    List<String> tokens = new ArrayList<>();
    Matcher matcher = TOKEN.matcher(text);
    while (matcher.find()) {
      tokens.add(matcher.group());
    }
    return tokens;
  }

  /** Deletes, inserts or swaps tokens. */
  private static String mutate(List<String> original, List<int[]> edits) {
    List<String> tokens = new ArrayList<>(original);
    for (int[] edit : edits) {
      int at = edit[1] % tokens.size();
      switch (edit[0]) {
        case 0 -> tokens.remove(at);
        case 1 -> tokens.add(at, PIECES.get(edit[2] % PIECES.size()));
        default -> {
          int other = edit[2] % tokens.size();
          String swapped = tokens.get(at);
          tokens.set(at, tokens.get(other));
          tokens.set(other, swapped);
        }
      }
      if (tokens.isEmpty()) {
        tokens.add("x");
      }
    }
    return String.join("", tokens);
  }

  private static void assertWellBehaved(String text) {
    SourceFile source = new SourceFile("fuzz.nabla", text);
    for (ParseResult<?> result : List.of(SpecParser.parseSpec(source), SpecParser.parseExpression(source))) {
      assertEquals(result.hasErrors(), result.value().isEmpty(), "an AST exactly when there is no error");
      for (Diagnostic diagnostic : result.diagnostics()) {
        assertFalse(diagnostic.message().startsWith("internal error"), diagnostic.message());
        assertFalse(diagnostic.message().contains("expecting") || diagnostic.message().contains("extraneous")
            || diagnostic.message().contains("<missing"), diagnostic.message());
        if (diagnostic.message().startsWith("too many errors")) {
          continue;
        }
        int start = diagnostic.span().start();
        int end = diagnostic.span().end();
        assertTrue(0 <= start && start <= end && end <= text.length(), "span inside the text: " + diagnostic.span());
        assertEquals(source.lineOf(start), diagnostic.span().line());
        assertEquals(source.columnOf(start), diagnostic.span().column());
      }
      DiagnosticFormatter.format(result.diagnostics());
    }
  }
}
