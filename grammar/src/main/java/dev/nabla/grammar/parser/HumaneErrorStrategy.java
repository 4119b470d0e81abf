package dev.nabla.grammar.parser;

import static dev.nabla.grammar.parser.NablaLexer.NEWLINE;

import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.atn.ATNState;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * ANTLR's default error strategy with two changes: errors are worded by {@link SyntaxMessages}
 * and collected in {@link SyntaxErrors} instead of printed, and recovery skips to the end of the
 * line. A statement is one line, so the next line is the natural place to start again, and every
 * bad line of a file gets its own report.
 */
final class HumaneErrorStrategy extends DefaultErrorStrategy {
  private final SyntaxMessages messages;
  private final SyntaxErrors errors;
  private final boolean oneLiner;

  HumaneErrorStrategy(SyntaxMessages messages, SyntaxErrors errors, boolean oneLiner) {
    this.messages = messages;
    this.errors = errors;
    this.oneLiner = oneLiner;
  }

  @Override
  public void reportError(Parser parser, RecognitionException e) {
    if (inErrorRecoveryMode(parser)) {
      return;
    }
    beginErrorCondition(parser);
    Token found = e.getOffendingToken() != null ? e.getOffendingToken() : parser.getCurrentToken();
    errors.report(messages.expected(found, expectedTokens(parser, e), oneLiner));
  }

  @Override
  protected void reportUnwantedToken(Parser parser) {
    if (inErrorRecoveryMode(parser)) {
      return;
    }
    beginErrorCondition(parser);
    errors.report(messages.unexpected(parser.getCurrentToken()));
  }

  @Override
  protected void reportMissingToken(Parser parser) {
    if (inErrorRecoveryMode(parser)) {
      return;
    }
    beginErrorCondition(parser);
    errors.report(messages.expected(parser.getCurrentToken(), parser.getExpectedTokens(), oneLiner));
  }

  @Override
  public void recover(Parser parser, RecognitionException e) {
    skipToEndOfLine(parser);
  }

  /**
   * Called before loops and optional parts. Where the default strategy would throw (and end the
   * whole spec rule), this one reports the stray token and skips the rest of its line.
   */
  @Override
  public void sync(Parser parser) {
    if (inErrorRecoveryMode(parser)) {
      return;
    }
    ATNState state = parser.getInterpreter().atn.states.get(parser.getState());
    int next = parser.getInputStream().LA(1);
    IntervalSet possible = parser.getATN().nextTokens(state);
    if (possible.contains(next) || possible.contains(Token.EPSILON)) {
      return;
    }
    beginErrorCondition(parser);
    errors.report(messages.expected(parser.getCurrentToken(), parser.getExpectedTokens(), oneLiner));
    skipToEndOfLine(parser);
  }

  private static IntervalSet expectedTokens(Parser parser, RecognitionException e) {
    IntervalSet expected = e.getExpectedTokens();
    return expected != null ? expected : parser.getExpectedTokens();
  }

  private static void skipToEndOfLine(Parser parser) {
    TokenStream input = parser.getInputStream();
    while (input.LA(1) != NEWLINE && input.LA(1) != Token.EOF) {
      parser.consume();
    }
  }
}
