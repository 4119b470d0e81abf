package demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.acme.nets.Classifier;
import org.example.Regressor;
import org.junit.jupiter.api.Test;

class TwoPackagesTest {

  @Test
  void bothClassesAreGeneratedInTheirFoldersPackages() {
    Classifier classifier = new Classifier();
    classifier.initialize(3);
    float[] logProbabilities = new float[2];
    classifier.predict(new float[] {0.1f, 0.2f, 0.3f}, 1, logProbabilities);
    assertEquals(1.0, Math.exp(logProbabilities[0]) + Math.exp(logProbabilities[1]), 1e-5);

    Regressor regressor = new Regressor();
    regressor.setParameter("w", new double[] {2, -1});
    regressor.setParameter("c", new double[] {0.5});
    float[] y = new float[1];
    regressor.predict(new float[] {3, 1}, 1, y);
    assertEquals(5.5, y[0], 1e-6);
  }
}
