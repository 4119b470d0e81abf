package dev.nabla.grammar.parser;

import java.util.ArrayDeque;
import java.util.Deque;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.tree.ParseTree;

/**
 * The depth of an expression's parse tree, counted in {@code expr} nodes, without recursion. A
 * long chain {@code a + b + c + ...} parses without deep recursion (ANTLR loops over it) but gives
 * a tree as deep as the chain is long; the AST builder and every later phase would recurse that
 * deep, so such an expression is refused before it is built.
 */
final class ExpressionDepth {
  private ExpressionDepth() {}

  /** The first {@code expr} node deeper than {@code limit}, or null if there is none. */
  static ParserRuleContext firstTooDeep(NablaParser.ExprContext root, int limit) {
    record Visit(ParseTree node, int depth) {}
    Deque<Visit> pending = new ArrayDeque<>();
    pending.push(new Visit(root, 1));
    while (!pending.isEmpty()) {
      Visit visit = pending.pop();
      if (visit.depth() > limit) {
        return (ParserRuleContext) visit.node();
      }
      for (int i = visit.node().getChildCount() - 1; i >= 0; i--) {
        ParseTree child = visit.node().getChild(i);
        if (child instanceof ParserRuleContext) {
          pending.push(new Visit(child, visit.depth() + (child instanceof NablaParser.ExprContext ? 1 : 0)));
        }
      }
    }
    return null;
  }
}
