package dev.nabla.runtime;

/**
 * A trained model's prediction pass for one thread, made by the model's {@code predictor()}: it shares
 * the model's parameters (read, never written) and owns the buffers of its pass and its kernels'
 * workspace. Threads that each hold a predictor of their own predict at the same time, and each gets
 * exactly the values the model's own {@link Model#predict} gives for the same inputs.
 *
 * <pre>{@code
 * ThreadLocal<Predictor> predictors = ThreadLocal.withInitial(model::predictor);
 * // in any request thread:
 * int label = Models.classify(predictors.get(), image);
 * }</pre>
 *
 * <p>One predictor is not for two threads at once. It sees the parameters live, as the model holds them:
 * what training, {@link Models#load} or {@link Model#setParameter} on the model write, its predictors
 * predict with next; change the parameters only while no predictor runs. A predictor is a {@link Model}
 * for {@link Models#predict} and {@link Models#classify}; it cannot be trained, initialized or given
 * parameters (those belong to the model it was made from). It runs on the calling thread alone.
 */
public final class Predictor implements Model {
  private final BaseNetwork network;

  Predictor(BaseNetwork network) {
    this.network = network;
  }

  @Override
  public ModelInfo info() {
    return network.info();
  }

  @Override
  public int maxBatch() {
    return network.maxBatch();
  }

  /** The model's output for {@code n} samples, written to {@code out}: what the model's own {@code predict} writes. */
  @Override
  public void predict(float[] x, int n, float[] out) {
    network.predict(x, n, out);
  }

  /**
   * {@link #predict(float[], int, float[])} in double, for a model generated with {@code --precision double}:
   * see {@link DoubleNetwork#predict(double[], int, double[])}.
   *
   * @throws IllegalStateException for a model computed in float
   */
  public void predict(double[] x, int n, double[] out) {
    if (!(network instanceof DoubleNetwork doubles)) {
      throw new IllegalStateException(info().name() + " computes in float: predict with float[] inputs");
    }
    doubles.predict(x, n, out);
  }

  /** Refused: a predictor's parameters are its model's; initialize the model. */
  @Override
  public void initialize(long seed) {
    throw new IllegalStateException("a predictor shares the parameters of its model: initialize the model");
  }

  @Override
  public double[] parameter(String name) {
    return network.parameter(name);
  }

  /** Refused: a predictor's parameters are its model's; set them on the model. */
  @Override
  public void setParameter(String name, double[] values) {
    throw new IllegalStateException("a predictor shares the parameters of its model: set " + name + " on the model");
  }
}
