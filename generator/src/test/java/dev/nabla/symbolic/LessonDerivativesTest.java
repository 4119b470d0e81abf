package dev.nabla.symbolic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.grammar.diagnostic.SourceFile;
import dev.nabla.print.GradientReport;
import dev.nabla.print.Notation;
import org.junit.jupiter.api.Test;

/** The lesson's table of derivatives, as nabla derives and prints them. */
class LessonDerivativesTest {
  static final String LESSON_SPEC = """
      # the lesson's network
      model FashionMlp
      input  X[784]                 # a flattened image in [0,1]
      label  y : 10                 # class index; t = onehot(y) in formulas
      param  W1[20, 784]            # default init like PyTorch's Linear
      param  b1[20]
      param  W2[10, 20]
      param  b2[10]
      Y1   = relu(W1 X + b1)        # named intermediate values
      out  = logsoftmax(W2 Y1 + b2)
      loss = nll(out, y)            # scalar; the thing differentiated
      """;

  @Test
  void oneLinerReport() {
    Network network = Networks.fromExpression("softmax(W2 relu(W1 X + b1) + b2)");
    Gradients gradients = Differentiator.parameters(network);
    System.out.println(GradientReport.of(gradients, Notation.UNICODE, false).render());
    System.out.println(GradientReport.of(gradients, Notation.UNICODE, true).render());
    System.out.println(GradientReport.of(gradients, Notation.TEXT, false).render());
    System.out.println(GradientReport.of(gradients, Notation.LATEX, false).render());
    network.parameters().forEach(p -> System.out.println(Network.leafName(p) + ": " + p.shape()));
  }

  @Test
  void specReport() {
    Network network = Networks.fromSpec(new SourceFile("lesson.nabla", LESSON_SPEC));
    Gradients gradients = Differentiator.parameters(network);
    System.out.println(GradientReport.of(gradients, Notation.UNICODE, false).render());
    assertEquals(1, 1);
  }
}
