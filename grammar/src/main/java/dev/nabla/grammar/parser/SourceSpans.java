package dev.nabla.grammar.parser;

import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.grammar.diagnostic.Span;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;

/**
 * Turns ANTLR's positions into {@link Span}s. ANTLR counts code points while {@link Span} counts
 * Java chars, which differ as soon as the text holds a character outside the BMP (𝐖, an emoji):
 * this class keeps the mapping, built only when such a character is present.
 */
final class SourceSpans {
  private final SourceFile source;
  /** char offset of each code point index, plus one entry for the end; null when they agree. */
  private final int[] charOffsets;

  SourceSpans(SourceFile source) {
    this.source = source;
    this.charOffsets = mapCodePointsToChars(source.text());
  }

  SourceFile source() {
    return source;
  }

  int charOffset(int codePointIndex) {
    int clamped = Math.max(0, codePointIndex);
    if (charOffsets == null) {
      return Math.min(clamped, source.text().length());
    }
    return charOffsets[Math.min(clamped, charOffsets.length - 1)];
  }

  /** The span of {@code [startChar, endChar)} in char offsets. */
  Span ofChars(int startChar, int endChar) {
    return new Span(startChar, Math.max(startChar, endChar), source.lineOf(startChar), source.columnOf(startChar));
  }

  Span of(Token token) {
    if (token.getType() == Token.EOF) {
      return at(charOffset(token.getStartIndex()));
    }
    return ofChars(charOffset(token.getStartIndex()), charOffset(token.getStopIndex() + 1));
  }

  Span of(Token first, Token last) {
    if (first.getType() == Token.EOF) {
      return of(first);
    }
    int start = charOffset(first.getStartIndex());
    int end = last.getType() == Token.EOF ? start : charOffset(last.getStopIndex() + 1);
    return ofChars(start, end);
  }

  Span of(ParserRuleContext context) {
    return of(context.getStart(), context.getStop() == null ? context.getStart() : context.getStop());
  }

  /** An empty span, for "something is missing here". */
  Span at(int charOffset) {
    return ofChars(charOffset, charOffset);
  }

  /** Right after a token: where a missing ')' belongs. */
  Span after(Token token) {
    return at(token.getType() == Token.EOF ? charOffset(token.getStartIndex()) : charOffset(token.getStopIndex() + 1));
  }

  private static int[] mapCodePointsToChars(String text) {
    int codePoints = text.codePointCount(0, text.length());
    if (codePoints == text.length()) {
      return null;
    }
    int[] offsets = new int[codePoints + 1];
    int charIndex = 0;
    for (int i = 0; i < codePoints; i++) {
      offsets[i] = charIndex;
      charIndex += Character.charCount(text.codePointAt(charIndex));
    }
    offsets[codePoints] = text.length();
    return offsets;
  }
}
