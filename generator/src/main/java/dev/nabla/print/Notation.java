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
}
