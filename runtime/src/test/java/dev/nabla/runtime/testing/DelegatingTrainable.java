package dev.nabla.runtime.testing;

import dev.nabla.runtime.ModelInfo;
import dev.nabla.runtime.Trainable;

/**
 * A {@link Trainable} that forwards everything to another one, hiding whether it is a
 * {@code FloatTrainable}: optimizers then take their copying path, as for a double model. Tests
 * override single methods to break the model on purpose.
 */
public class DelegatingTrainable implements Trainable {

  protected final Trainable delegate;

  public DelegatingTrainable(Trainable delegate) {
    this.delegate = delegate;
  }

  @Override public ModelInfo info() { return delegate.info(); }
  @Override public int maxBatch() { return delegate.maxBatch(); }
  @Override public void predict(float[] x, int n, float[] out) { delegate.predict(x, n, out); }
  @Override public void initialize(long seed) { delegate.initialize(seed); }
  @Override public double[] parameter(String name) { return delegate.parameter(name); }
  @Override public void setParameter(String name, double[] values) { delegate.setParameter(name, values); }
  @Override public double trainStep(float[] x, int[] labels, int n, float lr) { return delegate.trainStep(x, labels, n, lr); }
  @Override public double trainStep(float[] x, float[] targets, int n, float lr) { return delegate.trainStep(x, targets, n, lr); }
  @Override public double computeGradients(float[] x, int[] labels, int n) { return delegate.computeGradients(x, labels, n); }
  @Override public double computeGradients(float[] x, float[] targets, int n) { return delegate.computeGradients(x, targets, n); }
  @Override public double loss(float[] x, int[] labels, int n) { return delegate.loss(x, labels, n); }
  @Override public double loss(float[] x, float[] targets, int n) { return delegate.loss(x, targets, n); }
  @Override public double[] gradient(String name) { return delegate.gradient(name); }
  @Override public void training(long seed, long step) { delegate.training(seed, step); }
  @Override public void predicting() { delegate.predicting(); }
  @Override public boolean isTraining() { return delegate.isTraining(); }
  @Override public long trainingStep() { return delegate.trainingStep(); }
}
