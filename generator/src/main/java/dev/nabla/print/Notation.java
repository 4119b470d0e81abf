package dev.nabla.print;

/** The three ways formulas are written: plain ASCII (which parses back), Unicode, and LaTeX. */
public enum Notation {
  /** ASCII that nabla itself parses: {@code W2' (Y2 - t) * step(Z1)}. */
  TEXT,
  /** As the lesson writes: {@code W2ᵀ (Y2 − t) ⊙ 1{Z1 ≥ 0}}. */
  UNICODE,
  /** For documents: {@code W_{2}^{\top} (Y_{2} - t) \odot \mathbb{1}\{Z_{1} \geq 0\}}. */
  LATEX
}
