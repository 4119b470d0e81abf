package dev.nabla.print.index;

import dev.nabla.print.Notation;
import dev.nabla.symbolic.Differentiator;
import dev.nabla.symbolic.Gradients;
import dev.nabla.symbolic.Network;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScratchTest {
  @Test
  void dump() {
    Network wx = Networks.lower("W x", Networks.matmul(Networks.name("W"), Networks.name("x")), Map.of("W", List.of(2L, 3L), "x", List.of(3L)));
    JacobianPrinter j = JacobianPrinter.of(wx, wx.leaf("x").orElseThrow(), Notation.UNICODE);
    System.out.println(j.entry() + " " + j.definitions());
    System.out.println(j.matrix());
    var e = Networks.call("sigmoid", Networks.add(Networks.matmul(Networks.name("W3"), Networks.call("relu",
        Networks.add(Networks.matmul(Networks.name("W2"), Networks.call("relu", Networks.add(Networks.matmul(Networks.name("W1"), Networks.name("X")), Networks.name("b1")))), Networks.name("b2")))), Networks.name("b3")));
    Network n = Networks.lower("ex4", e, Map.of("X", List.of(2L), "W1", List.of(1L, 2L), "b1", List.of(1L), "W2", List.of(2L, 1L), "b2", List.of(2L), "W3", List.of(1L, 2L), "b3", List.of(1L)));
    Gradients g = Differentiator.parameters(n);
    System.out.println(n.rewrites());
    IndexPrinter.of(g, Notation.UNICODE, false).all().forEach(System.out::println);
    IndexPrinter.of(g, Notation.UNICODE, true).all().forEach(System.out::println);
    Network sym = Networks.lower("ex4", e, Map.of());
    IndexPrinter.of(Differentiator.parameters(sym), Notation.UNICODE, false).all().forEach(System.out::println);
    Network mse = Networks.lower("tanh(W x) mean", Networks.call("mean", Networks.call("tanh", Networks.matmul(Networks.name("W"), Networks.name("x")))), Map.of());
    IndexPrinter.of(Differentiator.parameters(mse), Notation.UNICODE, false).all().forEach(System.out::println);
  }
}
