package dev.nabla.print;

/** The three ways formulas are written: plain ASCII (which parses back), Unicode, and LaTeX. */
public enum Notation {
  /** ASCII that nabla itself parses: {@code W2' (Y2 - t) * step(Z1)}. */
  TEXT,
  /** As the lesson writes: {@code W2ᵀ (Y2 − t) ⊙ 1{Z1 ≥ 0}}. */
  UNICODE,
  /** For documents: {@code W_{2}^{\top} (Y_{2} - t) \odot \mathbb{1}\{Z_{1} \geq 0\}}. */
  LATEX;

  /** The minus sign: U+2212 in Unicode, a hyphen elsewhere. */
  public String minus() {
    return this == UNICODE ? "−" : "-";
  }

  /** A function's name as applied: {@code relu}, or {@code \operatorname{relu}} in LaTeX. */
  public String function(String name) {
    return this == LATEX ? "\\operatorname{" + name.replace("_", "\\_") + "}" : name;
  }

  /**
   * A value's name in LaTeX as a textbook sets it: one letter in italics with its number as a subscript
   * ({@code W_{2}}), a word upright ({@code \mathrm{logits}}), δ as {@code \delta}, and what follows an
   * underscore as a subscript too ({@code δ_scores} is {@code \delta_{\mathrm{scores}}}, {@code Y2_2} is
   * {@code Y_{2,2}}); {@code indices}, when not empty, close the subscript ({@code w_{2,ij}}).
   */
  public static String latexName(String name, String indices) {
    java.util.List<String> subscript = new java.util.ArrayList<>();
    String[] parts = name.split("_", -1);
    String head = parts[0];
    String base;
    if (head.startsWith("δ")) {
      base = "\\delta";
      if (head.length() > 1) {
        subscript.add(head.substring(1));
      }
    } else {
      java.util.regex.Matcher numbered = java.util.regex.Pattern.compile("^(.*?)(\\d+)$").matcher(head);
      String letters = numbered.matches() && !numbered.group(1).isEmpty() ? numbered.group(1) : head;
      base = word(letters);
      if (letters.length() < head.length()) {
        subscript.add(head.substring(letters.length()));
      }
    }
    for (int i = 1; i < parts.length; i++) {
      if (!parts[i].isEmpty()) {
        subscript.add(word(parts[i]));
      }
    }
    if (!indices.isEmpty()) {
      subscript.add(indices);
    }
    return subscript.isEmpty() ? base : base + "_{" + String.join(",", subscript) + "}";
  }

  /** One letter as it is (italic in math mode), digits as they are, a word upright. */
  private static String word(String text) {
    boolean digits = text.chars().allMatch(Character::isDigit);
    return text.codePointCount(0, text.length()) <= 1 || digits ? text : "\\mathrm{" + text + "}";
  }
}
