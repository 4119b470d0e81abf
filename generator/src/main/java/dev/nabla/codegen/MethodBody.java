package dev.nabla.codegen;

import com.palantir.javapoet.CodeBlock;

/** A method body being written, with what it reads from its caller. */
final class MethodBody {
  final CodeBlock.Builder code = CodeBlock.builder();
  boolean readsX;
  boolean readsLabels;
  boolean readsTargets;
  boolean readsInvN;
  final java.util.ArrayDeque<Boolean> scopes = new java.util.ArrayDeque<>();

  void statement(String text) {
    code.addStatement("$L", text);
  }

  void open(String text) {
    code.beginControlFlow("$L", text);
  }

  void close() {
    code.endControlFlow();
  }

  /** Ends the open {@code if} block and opens its {@code else}. */
  void otherwise() {
    code.nextControlFlow("else");
  }

  void comment(String text) {
    code.add("// $L\n", Identifiers.comment(text));
  }

  /** {@code for (int v = 0; v < size; v++)}, or nothing for a dimension of 1. */
  boolean loop(String variable, long size) {
    if (size <= 1) {
      return false;
    }
    open("for (int " + variable + " = 0; " + variable + " < " + size + "; " + variable + "++)");
    return true;
  }

  void end(boolean opened) {
    if (opened) {
      close();
    }
  }

  /** The batch loop around a per-sample value's code; {@code null} when the value is shared. */
  String batch(boolean perSample) {
    return batch(perSample, false);
  }

  /** As {@link #batch(boolean)}; a shared value whose code declares locals gets a block of its own. */
  String batch(boolean perSample, boolean scoped) {
    scopes.push(perSample || scoped);
    if (!perSample) {
      if (scoped) {
        code.add("{\n$>");
      }
      return null;
    }
    open("for (int b = lo; b < hi; b++)");
    return "b";
  }

  void endBatch() {
    if (scopes.pop()) {
      close();
    }
  }
}
