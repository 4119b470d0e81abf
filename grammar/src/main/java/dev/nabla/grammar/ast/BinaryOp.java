package dev.nabla.grammar.ast;

/** The binary operators of the language, with the symbol the canonical printer uses. */
public enum BinaryOp {
  ADD("+"),
  SUB("-"),
  /** Matrix product: juxtaposition {@code W X}, {@code @} or {@code ·}. */
  MATMUL("·"),
  /** Elementwise product: {@code *} or {@code ⊙}. */
  MUL("*"),
  /** Elementwise quotient. */
  DIV("/");

  private final String symbol;

  BinaryOp(String symbol) {
    this.symbol = symbol;
  }

  public String symbol() {
    return symbol;
  }
}
