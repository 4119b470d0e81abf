package dev.nabla.grammar.ast;

import dev.nabla.grammar.diagnostic.Span;

/** One dimension of a declared shape: a size ({@code 784}) or a symbolic name ({@code n0}). */
public sealed interface Dim {

  Span span();

  record Fixed(long size, Span span) implements Dim {
    @Override
    public String toString() {
      return Long.toString(size);
    }
  }

  record Named(String name, Span span) implements Dim {
    @Override
    public String toString() {
      return name;
    }
  }
}
