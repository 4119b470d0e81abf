package dev.nabla.symbolic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.print.Notation;
import org.junit.jupiter.api.Test;

/** How the constants and names of formulas are written: as a person writes them. */
class NumbersTest {
  @Test
  void aLongDecimalThatIsASmallFractionIsThatFraction() {
    assertEquals("1/3", Numbers.fraction(1.0 / 3).orElseThrow().toString());
    assertEquals("1/392", Numbers.fraction(2.0 / 784).orElseThrow().toString());
    assertEquals("-2/3", Numbers.fraction(0.5 * (-4.0 / 3)).orElseThrow().toString());
    // the engine's arithmetic may leave a unit in the last place: 0.1 · (10/3)
    assertEquals("1/3", Numbers.fraction(0.1 * (10.0 / 3)).orElseThrow().toString());
  }

  @Test
  void integersShortDecimalsAndIrrationalsStayDecimals() {
    for (double value : new double[] {2, 0.5, 0.1, 0.002, 1e-4, 2.5e-7, Math.PI, Math.sqrt(2), Double.NaN}) {
      assertTrue(Numbers.fraction(value).isEmpty(), value + " is " + Numbers.fraction(value));
    }
  }

  @Test
  void latexSetsWordsUprightAndWhatFollowsAnUnderscoreAsASubscript() {
    assertEquals("W_{2}", Notation.latexName("W2", ""));
    assertEquals("\\mathrm{logits}", Notation.latexName("logits", ""));
    assertEquals("\\mathrm{conv}_{1}", Notation.latexName("conv1", ""));
    assertEquals("\\delta_{1}", Notation.latexName("δ1", ""));
    assertEquals("\\delta_{\\mathrm{scores}}", Notation.latexName("δ_scores", ""));
    assertEquals("Y_{2,2}", Notation.latexName("Y2_2", ""));
    assertEquals("w_{2,ij}", Notation.latexName("w2", "ij"));
    assertEquals("\\delta_{\\mathrm{logits},k}", Notation.latexName("δ_logits", "k"));
  }
}
