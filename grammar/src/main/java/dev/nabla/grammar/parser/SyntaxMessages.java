package dev.nabla.grammar.parser;

import static dev.nabla.grammar.parser.NablaLexer.*;

import dev.nabla.grammar.diagnostic.Diagnostic;
import java.util.Map;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * Words for the parser's complaints. ANTLR knows which tokens it expected; this class turns that
 * set into what a person would say ("expected an expression after '+'"), never a token dump.
 */
final class SyntaxMessages {
  static final String STATEMENT_HINT =
      "a line is 'name = expression' or starts with model, input, label, target, param or def";
  static final String INIT_HINT =
      "one of: zeros, ones, constant(c), normal(mean, std), uniform(lo, hi), linear, xavier, kaiming";
  private static final Map<Integer, String> DECLARATION_EXAMPLES = Map.of(
      MODEL, "model FashionMlp",
      INPUT, "input X[784]",
      LABEL, "label y : 10",
      TARGET, "target t[2]",
      PARAM, "param W1[20, 784]");

  private final SourceSpans spans;
  private final TokenStream tokens;

  SyntaxMessages(SourceSpans spans, TokenStream tokens) {
    this.spans = spans;
    this.tokens = tokens;
  }

  /** The parser expected one of {@code expected} where {@code found} stands. */
  Diagnostic expected(Token found, IntervalSet expected, boolean inOneLiner) {
    Token previous = previousOnLine(found);
    String after = previous == null ? ", found " + TokenWords.describe(found) : " after " + TokenWords.describe(previous);
    int previousType = previous == null ? -1 : previous.getType();
    // Keywords may also be names, so an expression may start with one: a statement is expected
    // only where a number could not stand.
    if (expected.contains(PARAM) && !expected.contains(NUMBER) && previous == null) {
      return error(found, "expected a statement, found " + TokenWords.describe(found), STATEMENT_HINT);
    }
    if (expected.contains(NUMBER) && expected.contains(LPAREN)) {
      if (found.getType() == STAR && previousType == STAR) {
        return error(found, "expected an expression" + after, "a power is written x^2, not x**2");
      }
      return error(found, "expected an expression" + after);
    }
    if (previousType == INIT) {
      return error(found, "expected an initializer after 'init'", INIT_HINT);
    }
    if (previousType == DEF) {
      return error(found, "expected the def's name and parameters after 'def'", "def dense(W, b, x) = relu(W x + b)");
    }
    if (expected.contains(NUMBER) && expected.contains(NAME)) {
      return error(found, "expected a dimension (a whole number or a name)" + after);
    }
    if (expected.contains(NUMBER)) {
      return error(found, "expected a number" + after);
    }
    if (expected.contains(NAME) && DECLARATION_EXAMPLES.containsKey(previousType)) {
      return error(found, "expected a name" + after, "for example: " + DECLARATION_EXAMPLES.get(previousType));
    }
    if (expected.contains(NAME)) {
      return error(found, "expected a name" + after);
    }
    if (expected.contains(COLON)) {
      return error(found, "expected ':' and the number of classes" + after, "for example: label y : 10");
    }
    if (expected.contains(ASSIGN) && expected.size() == 1) {
      boolean inDef = firstOnLine(found).getType() == DEF;
      return error(found, "expected '='" + after, inDef ? "def dense(W, b, x) = relu(W x + b)" : STATEMENT_HINT);
    }
    if (found.getType() == COMMA && !expected.contains(COMMA)) {
      return error(found, "unexpected ',' outside the arguments of a call");
    }
    if (expected.contains(NEWLINE) || expected.contains(Token.EOF)) {
      String end = inOneLiner ? "the end of the expression" : "the end of the line";
      return error(found, "expected " + end + after + ", found " + TokenWords.describe(found));
    }
    return unexpected(found);
  }

  Diagnostic unexpected(Token found) {
    Token previous = previousOnLine(found);
    String after = previous == null ? "" : " after " + TokenWords.describe(previous);
    return error(found, "unexpected " + TokenWords.describe(found) + after);
  }

  private Diagnostic error(Token at, String message, String... hints) {
    return Diagnostic.error(spans.source(), spans.of(at), message, hints);
  }

  /** The token before {@code token} on the same line, or null at the start of a line. */
  private Token previousOnLine(Token token) {
    for (int i = token.getTokenIndex() - 1; i >= 0; i--) {
      Token candidate = tokens.get(i);
      if (candidate.getChannel() != Token.DEFAULT_CHANNEL) {
        continue;
      }
      return candidate.getType() == NEWLINE ? null : candidate;
    }
    return null;
  }

  private Token firstOnLine(Token token) {
    Token first = token;
    for (Token previous = previousOnLine(token); previous != null; previous = previousOnLine(previous)) {
      first = previous;
    }
    return first;
  }
}
