package dev.nabla.grammar.parser;

import org.antlr.v4.runtime.Token;

/** How a token is named in a message: {@code '+'}, {@code 'relu('}, "the end of the line". */
final class TokenWords {
  private static final int LONGEST_QUOTE = 24;

  private TokenWords() {}

  static String describe(Token token) {
    return switch (token.getType()) {
      case Token.EOF -> "the end of the input";
      case NablaLexer.NEWLINE -> "the end of the line";
      default -> quote(token.getText());
    };
  }

  static boolean isEndOfLine(Token token) {
    return token.getType() == Token.EOF || token.getType() == NablaLexer.NEWLINE;
  }

  /** {@code 'text'}, cut when long; a single invisible character becomes {@code U+0000}. */
  static String quote(String text) {
    if (text.codePointCount(0, text.length()) == 1 && !isVisible(text.codePointAt(0))) {
      return codePoint(text.codePointAt(0));
    }
    if (text.length() > LONGEST_QUOTE) {
      return "'" + text.substring(0, text.offsetByCodePoints(0, Math.min(LONGEST_QUOTE, text.codePointCount(0, text.length())))) + "...'";
    }
    return "'" + text + "'";
  }

  static String codePoint(int codePoint) {
    return String.format("U+%04X", codePoint);
  }

  static boolean isVisible(int codePoint) {
    int type = Character.getType(codePoint);
    return !Character.isISOControl(codePoint)
        && !Character.isWhitespace(codePoint)
        && codePoint != 0xFFFD
        && type != Character.FORMAT
        && type != Character.UNASSIGNED
        && type != Character.SURROGATE
        && type != Character.PRIVATE_USE
        && type != Character.SPACE_SEPARATOR;
  }
}
