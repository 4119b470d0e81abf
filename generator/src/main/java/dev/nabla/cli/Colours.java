package dev.nabla.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Colours for diagnostics, only on a terminal (and never with {@code NO_COLOR} set): "error:" in
 * red, the caret in green, "hint:" in cyan. Pipes and files get the plain text.
 */
final class Colours {
  private static final String RED = "\u001b[1;31m";
  private static final String GREEN = "\u001b[1;32m";
  private static final String CYAN = "\u001b[36m";
  private static final String RESET = "\u001b[0m";
  private static final Pattern CARET = Pattern.compile("(?m)^(\\s+)(\\^~*)$");

  private Colours() {}

  static boolean enabled() {
    return System.console() != null && System.getenv("NO_COLOR") == null;
  }

  static String diagnostics(String text) {
    return diagnostics(text, enabled());
  }

  static String diagnostics(String text, boolean colour) {
    if (!colour) {
      return text;
    }
    String coloured = text.replace(": error: ", ": " + RED + "error:" + RESET + " ")
        .replace(": warning: ", ": " + RED + "warning:" + RESET + " ")
        .replace("  hint: ", "  " + CYAN + "hint:" + RESET + " ");
    return CARET.matcher(coloured).replaceAll("$1" + Matcher.quoteReplacement(GREEN) + "$2" + Matcher.quoteReplacement(RESET));
  }
}
