package dev.nabla.fuzz;

import dev.nabla.grammar.check.ReservedWords;
import dev.nabla.grammar.ast.Spec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renames a spec the way users name things (issue 18): every declaration, value, block and block
 * parameter gets a name from a pool that holds what people write ({@code pred}, {@code probs},
 * {@code logits}, {@code θ1}), names that look like nabla's own ({@code t}, {@code H}, {@code out},
 * {@code δ1}, {@code Z1}, {@code Y2}), the generated class's field and local names ({@code gradW1},
 * {@code w1}, {@code i}, {@code n}, {@code result}), Java keywords and restricted identifiers
 * ({@code class}, {@code int}, {@code var}, {@code record}, {@code yield}), and pairs that differ only
 * in case ({@code W}/{@code w}, {@code H}/{@code h}). The value named {@code out} may lose its name
 * (then the loss function's prediction is the output) and another value may get it (then that one
 * is). {@code loss} keeps its name: it is what a spec differentiates.
 */
final class UserNames {
  private UserNames() {}

  /** Names people (and nabla itself, and Java) use. */
  static final List<String> POOL = List.of(
      "W", "w", "b", "B", "x", "X", "y", "Y", "t", "T", "H", "h", "out", "Out", "pred", "probs", "logits", "scores", "yhat",
      "hidden", "z", "Z", "Z1", "z1", "Y1", "Y2", "y2", "δ", "δ1", "δ2", "θ", "θ1", "θ2", "α", "β", "λ", "σ", "μ", "Ω", "ω",
      "W_out", "b_out", "W1", "w1", "gradW1", "gradw1", "dW1", "grad", "delta", "deltaZ1", "i", "j", "k", "n", "m", "lr",
      "result", "sum_", "max_", "seed", "labels", "targets", "name", "values", "length", "lane", "step", "INFO", "SPEC_HASH",
      "class", "int", "new", "this", "null", "true", "for", "if", "var", "record", "yield", "sealed", "permits", "enum",
      "_x", "x_", "__", "weights", "bias", "encoder", "decoder", "gate", "layer", "mix", "dense", "E", "e", "a", "A",
      "ß", "é", "Ж", "名前");

  /** Class names people give models: valid Java class names that the generated class can carry. */
  static final List<String> MODELS = List.of("Net", "MyNet", "net", "Mlp2", "Classifier", "TinyNet", "Model_", "DeepNet",
      "Regressor", "Autoencoder", "N", "Fuzz", "Logistic", "SoftmaxRegression", "Gru", "Perceptron");

  /** A name as the grammar reads it: letters but not modifier letters (so {@code hᵀ} is h transposed), digits, _. */
  private static final Pattern IDENTIFIER = Pattern.compile(
      "(?<![\\p{Lu}\\p{Ll}\\p{Lt}\\p{Lo}_0-9.])[\\p{Lu}\\p{Ll}\\p{Lt}\\p{Lo}_][\\p{Lu}\\p{Ll}\\p{Lt}\\p{Lo}_0-9]*");

  /** {@code spec} with its names replaced; the same seed gives the same names. */
  static String rename(String spec, long seed) {
    Random random = new Random(seed * 7919 + 17);
    Set<String> original = new java.util.LinkedHashSet<>();
    for (String line : spec.split("\n")) {
      Matcher names = IDENTIFIER.matcher(line);
      while (!line.startsWith("model ") && names.find()) {
        if (!keeps(names.group())) {
          original.add(names.group());
        }
      }
    }
    List<String> pool = new ArrayList<>(POOL);
    java.util.Collections.shuffle(pool, random);
    Map<String, String> renamed = new HashMap<>();
    Set<String> taken = new HashSet<>();
    int next = 0;
    for (String name : original) {
      // A few keep their names, as a spec's author reuses the usual ones.
      String chosen = random.nextInt(6) == 0 ? name : null;
      while (chosen == null && next < pool.size()) {
        String candidate = pool.get(next++);
        if (!taken.contains(candidate) && !original.contains(candidate) && !keeps(candidate)) {
          chosen = candidate;
        }
      }
      chosen = chosen == null || taken.contains(chosen) ? name + "_" + renamed.size() : chosen;
      taken.add(chosen);
      renamed.put(name, chosen);
    }
    StringBuilder out = new StringBuilder();
    for (String line : spec.split("\n", -1)) {
      if (line.startsWith("model ")) {
        out.append("model ").append(MODELS.get(random.nextInt(MODELS.size())));
      } else {
        Matcher matcher = IDENTIFIER.matcher(line);
        int last = 0;
        while (matcher.find()) {
          out.append(line, last, matcher.start()).append(renamed.getOrDefault(matcher.group(), matcher.group()));
          last = matcher.end();
        }
        out.append(line.substring(last));
      }
      out.append('\n');
    }
    return out.substring(0, out.length() - 1);
  }

  /** The words a spec's author cannot rename: nabla's keywords, its functions, {@code loss}, the init kinds. */
  private static boolean keeps(String name) {
    return ReservedWords.whyReserved(name).isPresent() || name.equals(Spec.LOSS) || name.equals("d_in")
        || name.equals("stride") || name.equals("padding") // the names of conv2d's and pooling's arguments
        || Set.of("linear", "zeros", "ones", "constant", "normal", "uniform", "xavier", "kaiming").contains(name);
  }
}
