package dev.nabla.grammar.diagnostic;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The text of one input (a spec file, or a one-liner from the command line) with its display name.
 * Knows where its lines start, so a {@link Span} can be turned into a line and a caret.
 */
public final class SourceFile {
  private final String name;
  private final String text;
  private final int[] lineStarts;

  public SourceFile(String name, String text) {
    this.name = name;
    this.text = text;
    this.lineStarts = findLineStarts(text);
  }

  /** A one-liner typed on the command line; diagnostics name it {@code <expr>}. */
  public static SourceFile ofExpression(String text) {
    return new SourceFile("<expr>", text);
  }

  /**
   * Reads a file as UTF-8. Bytes that are not valid UTF-8 become U+FFFD, which the parser reports
   * where it stands ("unexpected character U+FFFD", with a hint about the encoding): a person sees
   * the line and column of the bad bytes rather than a decoder's exception. A byte-order mark at
   * the start is dropped.
   */
  public static SourceFile read(Path path) throws IOException {
    return new SourceFile(path.toString(), decodeUtf8(Files.readAllBytes(path)));
  }

  static String decodeUtf8(byte[] bytes) {
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
      return text.startsWith("\uFEFF") ? text.substring(1) : text;
    } catch (CharacterCodingException cannotHappenWhenReplacing) {
      throw new IllegalStateException(cannotHappenWhenReplacing);
    }
  }

  public String name() {
    return name;
  }

  public String text() {
    return text;
  }

  /** 1-based line of a character offset (an offset at the very end belongs to the last line). */
  public int lineOf(int offset) {
    int index = Arrays.binarySearch(lineStarts, Math.max(0, Math.min(offset, text.length())));
    return index >= 0 ? index + 1 : -index - 1;
  }

  /** 1-based column of a character offset, counted in code points so that a caret lines up. */
  public int columnOf(int offset) {
    int clamped = Math.max(0, Math.min(offset, text.length()));
    int lineStart = lineStarts[lineOf(clamped) - 1];
    return text.codePointCount(lineStart, clamped) + 1;
  }

  /** The text of a 1-based line, without its line terminator. */
  public String line(int line) {
    int start = lineStarts[line - 1];
    int end = line < lineStarts.length ? lineStarts[line] : text.length();
    while (end > start && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
      end--;
    }
    return text.substring(start, end);
  }

  public int lineCount() {
    return lineStarts.length;
  }

  private static int[] findLineStarts(String text) {
    int count = 1;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        count++;
      }
    }
    int[] starts = new int[count];
    int line = 1;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        starts[line++] = i + 1;
      }
    }
    return starts;
  }

  @Override
  public String toString() {
    return name;
  }
}
