package dev.nabla.grammar.check;

import java.util.Collection;
import java.util.Optional;

/**
 * "Did you mean" for misspelled names: the closest candidate within a small edit distance, where
 * swapping two neighbouring letters counts as one edit ({@code reul} is one edit from {@code relu}).
 * Short names get less slack, so that {@code x} is never "corrected" to {@code exp}.
 */
public final class Suggestions {
  private Suggestions() {}

  /** The closest candidate, the first one listed on a tie; empty when none is close enough. */
  public static Optional<String> closest(String name, Collection<String> candidates) {
    int allowed = name.length() <= 3 ? 1 : 2;
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      if (candidate.equals(name) || Math.abs(candidate.length() - name.length()) > allowed) {
        continue;
      }
      int distance = distance(name, candidate);
      if (distance <= allowed && distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
