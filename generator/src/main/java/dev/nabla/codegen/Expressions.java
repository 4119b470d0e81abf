package dev.nabla.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.nabla.codegen.CodegenOptions.Precision;
import java.util.ArrayList;
import java.util.List;

/**
 * Java expressions as code blocks with their precedence, so that composed expressions get exactly the
 * parentheses they need. Types in them are {@code $T} (JavaPoet imports or qualifies them); identifiers
 * come from the writer's {@code NameAllocator}.
 */
final class Expressions {
  static final int CONDITIONAL = 0;
  static final int ADDITIVE = 1;
  static final int MULTIPLICATIVE = 2;
  static final int UNARY = 3;
  static final int ATOM = 4;

  static final ClassName MATH = ClassName.get(Math.class);

  record Ex(CodeBlock code, int precedence) {
    CodeBlock at(int minimum) {
      return precedence < minimum ? CodeBlock.of("($L)", code) : code;
    }

    @Override
    public String toString() {
      return code.toString();
    }
  }

  private final Precision precision;
  /** {@code Float} or {@code Double}: where {@code NaN} and the infinities of the class's arithmetic live. */
  private final ClassName box;

  Expressions(Precision precision) {
    this.precision = precision;
    this.box = ClassName.get(precision == Precision.FLOAT ? Float.class : Double.class);
  }

  boolean isFloat() {
    return precision == Precision.FLOAT;
  }

  String type() {
    return isFloat() ? "float" : "double";
  }

  static Ex atom(String code) {
    return new Ex(CodeBlock.of("$L", code), ATOM);
  }

  static Ex atom(CodeBlock code) {
    return new Ex(code, ATOM);
  }

  /** A literal of the model's precision: {@code 2f}, {@code 0.5f}; {@code 2.0}, {@code 0.5}. */
  Ex literal(double value) {
    if (Double.isNaN(value)) {
      return atom(CodeBlock.of("$T.NaN", box));
    }
    if (Double.isInfinite(value)) {
      return atom(CodeBlock.of("$T.$L", box, value < 0 ? "NEGATIVE_INFINITY" : "POSITIVE_INFINITY"));
    }
    String text;
    if (value == Math.rint(value) && Math.abs(value) < 1e15 && !(value == 0 && 1 / value < 0)) {
      text = (long) value + (isFloat() ? "f" : ".0");
    } else {
      text = isFloat() ? Float.toString((float) value) + "f" : Double.toString(value);
    }
    if (text.contains("Infinity") || text.contains("NaN")) {
      throw new IllegalStateException("a float literal for " + value + ": the writer checks the range of constants first");
    }
    return new Ex(CodeBlock.of("$L", text), text.startsWith("-") ? UNARY : ATOM);
  }

  Ex add(Ex a, Ex b) {
    return new Ex(CodeBlock.of("$L + $L", a.at(ADDITIVE), b.at(MULTIPLICATIVE)), ADDITIVE);
  }

  Ex sub(Ex a, Ex b) {
    return new Ex(CodeBlock.of("$L - $L", a.at(ADDITIVE), b.at(MULTIPLICATIVE)), ADDITIVE);
  }

  Ex mul(Ex a, Ex b) {
    return new Ex(CodeBlock.of("$L * $L", a.at(MULTIPLICATIVE), b.at(UNARY)), MULTIPLICATIVE);
  }

  Ex div(Ex a, Ex b) {
    return new Ex(CodeBlock.of("$L / $L", a.at(MULTIPLICATIVE), b.at(UNARY)), MULTIPLICATIVE);
  }

  Ex neg(Ex a) {
    CodeBlock inner = a.at(UNARY);
    return new Ex(inner.toString().startsWith("-") ? CodeBlock.of("-($L)", inner) : CodeBlock.of("-$L", inner), UNARY);
  }

  /** {@code Math.name(args)}, cast back to float in a float model (Math's functions work in double). */
  Ex math(String name, Ex... args) {
    CodeBlock call = call(name, args);
    return isFloat() ? new Ex(CodeBlock.of("(float) $L", call), UNARY) : atom(call);
  }

  /** {@code Math.max} and friends, which have float overloads and need no cast. */
  Ex exact(String name, Ex a, Ex b) {
    return atom(call(name, a, b));
  }

  private static CodeBlock call(String name, Ex... args) {
    List<CodeBlock> codes = new ArrayList<>();
    for (Ex arg : args) {
      codes.add(arg.code());
    }
    return CodeBlock.of("$T.$L($L)", MATH, name, CodeBlock.join(codes, ", "));
  }

  Ex conditional(CodeBlock condition, Ex then, Ex otherwise) {
    return new Ex(CodeBlock.of("$L ? $L : $L", condition, then.at(ADDITIVE), otherwise.at(ADDITIVE)), CONDITIONAL);
  }

  /** An index expression: the terms that are not 0, added; {@code 0} when none is left. */
  static String index(String... terms) {
    StringBuilder out = new StringBuilder();
    for (String term : terms) {
      if (term == null || term.equals("0")) {
        continue;
      }
      out.append(out.length() > 0 ? " + " : "").append(term);
    }
    return out.length() == 0 ? "0" : out.toString();
  }

  /** {@code variable * factor}, or {@code variable} for a factor of 1, or {@code 0} for the index 0. */
  static String times(String variable, long factor) {
    if (variable == null || variable.equals("0")) {
      return "0";
    }
    return factor == 1 ? variable : variable + " * " + factor;
  }
}
