package dev.nabla.grammar.parser;

import static dev.nabla.grammar.parser.NablaLexer.*;

import dev.nabla.grammar.diagnostic.Diagnostic;
import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.grammar.diagnostic.Span;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.antlr.v4.runtime.Token;

/**
 * Checks on the token stream, line by line, before the parser runs: characters the language does
 * not know, brackets that do not pair up within their line, and nesting too deep to parse.
 *
 * <p>Unbalanced brackets are found here rather than by the parser because here the message can
 * name the bracket that is left open ("missing ')' to close '(' at 1:8"). The depth limit exists
 * because the parser, the AST builder and every later phase recurse once per level: bounding the
 * depth here is what guarantees that no input can overflow the stack. The depth counted is an
 * upper bound of the parser's recursion: one level per open bracket, and one per unary minus or
 * '^' in a chain of them (each parses its operand recursively).
 */
final class TokenChecks {
  /** Levels of nesting an expression may have; realistic networks use a few dozen. */
  static final int MAX_DEPTH = 200;

  static final String TOO_DEEP = "expression nested deeper than " + MAX_DEPTH + " levels";
  static final String TOO_DEEP_HINT = "give inner parts names, one per line: Y1 = ..., Y2 = ...";

  /**
   * Operations an expression's tree may have along one path. A flat sum of n terms is n levels
   * deep once parsed (brackets are counted by {@link #MAX_DEPTH}); every later phase is bounded by
   * this, and a few hundred terms are an ordinary sum (of losses, of penalties).
   */
  static final int MAX_TREE_DEPTH = 400;

  static final String TOO_LONG = "expression too long: more than " + MAX_TREE_DEPTH + " operations in a chain";
  static final String TOO_LONG_HINT = "split it into named parts, one per line: s1 = a + b + ..., s2 = ..., then s1 + s2";

  private final SourceSpans spans;
  private final SyntaxErrors errors;
  private boolean tooDeep;

  private TokenChecks(SourceSpans spans, SyntaxErrors errors) {
    this.spans = spans;
    this.errors = errors;
  }

  /**
   * Reports into {@code errors}; returns false when some line is nested too deep to be parsed
   * safely.
   */
  static boolean check(List<Token> tokens, SourceSpans spans, SyntaxErrors errors) {
    TokenChecks checks = new TokenChecks(spans, errors);
    int lineStart = 0;
    for (int i = 0; i < tokens.size(); i++) {
      int type = tokens.get(i).getType();
      // A NEWLINE off the default channel continues the statement (a bracket is open).
      if ((type == NEWLINE && tokens.get(i).getChannel() == Token.DEFAULT_CHANNEL) || type == Token.EOF) {
        checks.checkLine(tokens.subList(lineStart, i), tokens.get(i));
        lineStart = i + 1;
      }
    }
    return !checks.tooDeep;
  }

  private void checkLine(List<Token> line, Token end) {
    Deque<Token> open = new ArrayDeque<>();
    Deque<int[]> savedDepth = new ArrayDeque<>();
    int base = 0;
    int chain = 0;
    Token previous = null;
    for (Token token : line) {
      int type = token.getType();
      if (type == UNEXPECTED_CHAR) {
        report(unexpectedCharacter(token));
        continue;
      }
      if (startsOperand(type) && previous != null && endsOperand(previous.getType())) {
        chain = 0; // juxtaposition: a new operand of a product starts
      }
      switch (type) {
        case LPAREN, CALLEE, LBRACK -> {
          open.push(token);
          savedDepth.push(new int[] {base, chain});
          base = base + chain + 1;
          chain = 0;
        }
        case RPAREN, RBRACK -> {
          if (open.isEmpty()) {
            report(Diagnostic.error(source(), spans.of(token), "unbalanced " + TokenWords.quote(token.getText()),
                "there is no " + opening(type) + " before it on this line"));
          } else if (closing(open.peek().getType()) != type) {
            Token opener = open.peek();
            report(Diagnostic.error(source(), spans.of(token), "expected '" + (char) closingChar(opener.getType())
                + "' to close " + opening(opener.getType()) + " at " + openingPosition(opener) + ", found "
                + TokenWords.quote(token.getText())));
            open.pop();
            int[] saved = savedDepth.pop();
            base = saved[0];
            chain = saved[1];
          } else {
            open.pop();
            int[] saved = savedDepth.pop();
            base = saved[0];
            chain = saved[1];
          }
        }
        case MINUS -> chain = previous != null && endsOperand(previous.getType()) ? 0 : chain + 1;
        case POW -> chain++;
        case PLUS, STAR, SLASH, AT, DOT, ODOT, COMMA, ASSIGN, COLON -> chain = 0;
        default -> { }
      }
      if (base + chain > MAX_DEPTH && !tooDeep) {
        tooDeep = true;
        errors.report(Diagnostic.error(source(), spans.of(token), TOO_DEEP, TOO_DEEP_HINT));
      }
      previous = token;
    }
    if (!open.isEmpty()) {
      Token opener = open.peek();
      Span where = previous == null ? spans.of(end) : spans.after(previous);
      report(Diagnostic.error(source(), where,
          "missing '" + (char) closingChar(opener.getType()) + "' to close " + opening(opener.getType()) + " at "
              + openingPosition(opener)));
    }
  }

  private void report(Diagnostic diagnostic) {
    errors.report(diagnostic);
  }

  private SourceFile source() {
    return spans.source();
  }

  private Diagnostic unexpectedCharacter(Token token) {
    int codePoint = token.getText().codePointAt(0);
    Span span = spans.of(token);
    if (codePoint == 0xFFFD) {
      return Diagnostic.error(source(), span, "unexpected character U+FFFD",
          "U+FFFD stands for bytes that are not valid UTF-8; save the file as UTF-8");
    }
    String message = "unexpected character " + TokenWords.quote(token.getText());
    return switch (codePoint) {
      case '{', '}' -> Diagnostic.error(source(), span, message, "the indicator 1{x >= 0} is written step(x)");
      case '.' -> Diagnostic.error(source(), span, message, "a number has digits on both sides of its point: 0.5");
      case '\u00D7' -> Diagnostic.error(source(), span, message, "a matrix product is written 'A B', 'A @ B' or 'A \u00B7 B'");
      case ';' -> Diagnostic.error(source(), span, message, "statements end at the end of the line; no ';' is needed");
      default -> Diagnostic.error(source(), span, message);
    };
  }

  /** Where the '(' itself stands: for a {@code relu(} token, its last character. */
  private String openingPosition(Token opener) {
    int parenOffset = spans.charOffset(opener.getStopIndex());
    return source().lineOf(parenOffset) + ":" + source().columnOf(parenOffset);
  }

  private static String opening(int type) {
    return type == LBRACK || type == RBRACK ? "'['" : "'('";
  }

  private static int closing(int openType) {
    return openType == LBRACK ? RBRACK : RPAREN;
  }

  private static int closingChar(int openType) {
    return openType == LBRACK ? ']' : ')';
  }

  static boolean startsOperand(int type) {
    return type == NAME || type == NUMBER || type == CALLEE || type == LPAREN || isKeyword(type);
  }

  static boolean endsOperand(int type) {
    return type == NAME || type == NUMBER || type == RPAREN || type == TRANSPOSE || isKeyword(type);
  }

  static boolean isKeyword(int type) {
    return type == MODEL || type == INPUT || type == LABEL || type == TARGET || type == PARAM || type == DEF
        || type == INIT;
  }
}
