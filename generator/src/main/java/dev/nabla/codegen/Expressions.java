package dev.nabla.codegen;

import dev.nabla.codegen.CodegenOptions.Precision;

/**
 * Java expressions as text with their precedence, so that composed expressions get exactly the
 * parentheses they need. Identifiers in them come from the writer's {@code NameAllocator}.
 */
final class Expressions {
  static final int CONDITIONAL = 0;
  static final int ADDITIVE = 1;
  static final int MULTIPLICATIVE = 2;
  static final int UNARY = 3;
  static final int ATOM = 4;

  record Ex(String code, int precedence) {
    String at(int minimum) {
      return precedence < minimum ? "(" + code + ")" : code;
    }

    @Override
    public String toString() {
      return code;
    }
  }

  private final Precision precision;
  /** {@code Math}, or {@code java.lang.Math} in a class that is itself named {@code Math}; the same for the boxes. */
  private final String math;
  private final String box;

  /** Expressions for a class named {@code className}, whose name the types they use must not collide with. */
  Expressions(Precision precision, String className) {
    this.precision = precision;
    this.math = className.equals("Math") ? "java.lang.Math" : "Math";
    String simpleBox = precision == Precision.FLOAT ? "Float" : "Double";
    this.box = className.equals(simpleBox) ? "java.lang." + simpleBox : simpleBox;
  }

  /** How the code names {@code java.lang.Math}. */
  String mathType() {
    return math;
  }

  boolean isFloat() {
    return precision == Precision.FLOAT;
  }

  String type() {
    return isFloat() ? "float" : "double";
  }

  static Ex atom(String code) {
    return new Ex(code, ATOM);
  }

  /** A literal of the model's precision: {@code 2f}, {@code 0.5f}; {@code 2.0}, {@code 0.5}. */
  Ex literal(double value) {
    if (Double.isNaN(value)) {
      return atom(box + ".NaN");
    }
    if (Double.isInfinite(value)) {
      return atom(box + (value < 0 ? ".NEGATIVE_INFINITY" : ".POSITIVE_INFINITY"));
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
    return new Ex(text, text.startsWith("-") ? UNARY : ATOM);
  }

  Ex add(Ex a, Ex b) {
    return new Ex(a.at(ADDITIVE) + " + " + b.at(MULTIPLICATIVE), ADDITIVE);
  }

  Ex sub(Ex a, Ex b) {
    return new Ex(a.at(ADDITIVE) + " - " + b.at(MULTIPLICATIVE), ADDITIVE);
  }

  Ex mul(Ex a, Ex b) {
    return new Ex(a.at(MULTIPLICATIVE) + " * " + b.at(UNARY), MULTIPLICATIVE);
  }

  Ex div(Ex a, Ex b) {
    return new Ex(a.at(MULTIPLICATIVE) + " / " + b.at(UNARY), MULTIPLICATIVE);
  }

  Ex neg(Ex a) {
    String inner = a.at(UNARY);
    return new Ex("-" + (inner.startsWith("-") ? "(" + inner + ")" : inner), UNARY);
  }

  /** {@code Math.name(args)}, cast back to float in a float model (Math's functions work in double). */
  Ex math(String name, Ex... args) {
    StringBuilder call = new StringBuilder(math).append('.').append(name).append('(');
    for (int i = 0; i < args.length; i++) {
      call.append(i > 0 ? ", " : "").append(args[i].code());
    }
    call.append(')');
    return isFloat() ? new Ex("(float) " + call, UNARY) : atom(call.toString());
  }

  /** {@code Math.max} and friends, which have float overloads and need no cast. */
  Ex exact(String name, Ex a, Ex b) {
    return atom(math + "." + name + "(" + a.code() + ", " + b.code() + ")");
  }

  Ex conditional(String condition, Ex then, Ex otherwise) {
    return new Ex(condition + " ? " + then.at(ADDITIVE) + " : " + otherwise.at(ADDITIVE), CONDITIONAL);
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
