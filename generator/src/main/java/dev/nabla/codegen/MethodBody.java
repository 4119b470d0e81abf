package dev.nabla.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.NameAllocator;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A method body being written for one {@link Pass}: its code, its local names and what it reads from its caller.
 *
 * <p>Its names come from a clone of the class's {@link NameAllocator}, which holds every field: a local or a
 * parameter ({@code b}, {@code sum}, {@code x}) takes its name unless a field has it, and is renamed otherwise
 * ({@code sum_}), so that no local shadows a field.
 */
final class MethodBody {
  /**
   * What a body reads from its caller; the method declares what it reads, and nothing else. {@code X_ROWS}: the rows
   * of a shuffled batch's inputs where they lie, which only the products that take them read; {@code X_IN_ORDER}:
   * the inputs at {@code b · inputSize} (elementwise, or by a kernel without rows), so that the runtime copies a
   * shuffled batch for the class.
   */
  enum Read { X, X_ROWS, X_IN_ORDER, LABELS, TARGETS, INV_N }

  /** The parameters of the passes, named first and in this order, so that every body of a class names them alike. */
  private static final String[] PARAMETERS = {"x", "xOffset", "xRows", "labels", "targets", "lo", "hi", "n", "result"};

  final Pass pass;
  final CodeBlock.Builder code = CodeBlock.builder();
  private final NameAllocator names;
  private final Map<String, String> locals = new HashMap<>();
  private final Set<Read> reads = EnumSet.noneOf(Read.class);
  private final ArrayDeque<Boolean> scopes = new ArrayDeque<>();

  MethodBody(Pass pass, NameAllocator fields) {
    this.pass = pass;
    this.names = fields.clone();
    for (String parameter : PARAMETERS) {
      name(parameter);
    }
  }

  /** The name of the local or parameter this body calls {@code role} ({@code "i"}, {@code "sum"}): the same each time. */
  String name(String role) {
    return locals.computeIfAbsent(role, names::newName);
  }

  /** Records that the body reads {@code read}; returns the name it reads it by. */
  String read(Read read) {
    reads.add(read);
    return switch (read) {
      case X, X_IN_ORDER -> name("x");
      case X_ROWS -> name("xRows");
      case LABELS -> name("labels");
      case TARGETS -> name("targets");
      case INV_N -> name("invN");
    };
  }

  boolean reads(Read read) {
    return reads.contains(read);
  }

  /** Takes over what a part of this body, written as a method of its own, reads from the caller (its invN is its own). */
  void readsFromCaller(MethodBody part) {
    for (Read read : part.reads) {
      if (read != Read.INV_N) {
        reads.add(read);
      }
    }
  }

  /** The index variable {@code role} of a loop over {@code size}, or {@code 0} when there is no loop (a size of 1). */
  String index(String role, long size) {
    return size > 1 ? name(role) : "0";
  }

  void statement(CodeBlock statement) {
    code.addStatement("$L", statement);
  }

  void statement(String format, Object... args) {
    code.addStatement(format, args);
  }

  void open(String format, Object... args) {
    code.beginControlFlow(format, args);
  }

  void close() {
    code.endControlFlow();
  }

  void comment(String text) {
    code.add("// $L\n", Identifiers.comment(text));
  }

  /** {@code for (int v = 0; v < size; v++)} over the variable {@code role}, or nothing for a dimension of 1. */
  boolean loop(String role, long size) {
    if (size <= 1) {
      return false;
    }
    String variable = name(role);
    open("for (int $N = 0; $N < $L; $N++)", variable, variable, size, variable);
    return true;
  }

  void end(boolean opened) {
    if (opened) {
      close();
    }
  }

  /** {@code for (int b = lo; b < hi; b++)} over the lane's samples; returns {@code b}. */
  String openBatch() {
    String b = name("b");
    open("for (int $N = $N; $N < $N; $N++)", b, name("lo"), b, name("hi"), b);
    return b;
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
    return openBatch();
  }

  void endBatch() {
    if (scopes.pop()) {
      close();
    }
  }
}
