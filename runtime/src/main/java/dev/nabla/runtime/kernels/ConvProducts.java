package dev.nabla.runtime.kernels;

/**
 * The one matrix product the convolution kernels run on im2col columns: {@code c = a b} or
 * {@code c += a b}, all three row-major with row strides of their own, {@code a} of {@code m × k},
 * {@code b} of {@code k × n}, {@code c} of {@code m × n}. Two implementations, chosen with the dense
 * kernels (see {@link Kernels}): {@link ScalarConvProducts} in plain Java, and {@code PanamaConvProducts},
 * register-tiled with the Vector API, in the vector source set. They agree to rounding.
 */
interface ConvProducts {

  /** The products that go with {@link Kernels#get()}: the Vector API ones when it runs the vector kernels. */
  static ConvProducts get() {
    return Chosen.IMPL;
  }

  /** c[i, j] (+)= Σ_l a[i, l] b[l, j] for i < m, j < n; {@code add}: accumulate into c, else overwrite it. */
  void multiply(int m, int n, int k, float[] a, int aOffset, int aStride, float[] b, int bOffset, int bStride,
      float[] c, int cOffset, int cStride, boolean add);

  /** {@link #multiply(int, int, int, float[], int, int, float[], int, int, float[], int, int, boolean)} in double. */
  void multiply(int m, int n, int k, double[] a, int aOffset, int aStride, double[] b, int bOffset, int bStride,
      double[] c, int cOffset, int cStride, boolean add);

  /** The choice, made once when first asked, as {@link Kernels} makes its own. */
  final class Chosen {
    private Chosen() {}

    static final ConvProducts IMPL = lookup(Kernels.get().name());

    static ConvProducts lookup(String kernels) {
      if (kernels.equals("vector")) {
        try {
          return (ConvProducts) Class.forName("dev.nabla.runtime.kernels.PanamaConvProducts")
              .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
          // Kernels found the Vector API module readable, so this does not happen; the scalar products are right anyway.
          return new ScalarConvProducts();
        }
      }
      return new ScalarConvProducts();
    }
  }
}
