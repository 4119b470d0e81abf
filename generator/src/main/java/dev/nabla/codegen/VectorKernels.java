package dev.nabla.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import dev.nabla.codegen.CodegenOptions.Precision;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The matrix kernels of {@link CodegenOptions.Backend#VECTOR}, written with {@code jdk.incubator.vector}:
 * the static helpers a generated class calls where the scalar backend transposes a block of inputs and
 * relies on C2 to vectorize its loops.
 *
 * <p>What explicit vectors buy is partial sums kept in registers, which C2 does not do by itself: it
 * vectorizes no float reduction and no loop that writes two arrays. So each kernel is a register tile
 * whose loads each serve several fused multiply-adds:
 *
 * <ul>
 *   <li>the forward product {@code W x} of a narrow layer: dot products of 4 weight rows with 4 samples'
 *       inputs where they lie (16 accumulators, 8 loads per 16 multiply-adds), reduced across the vector once;
 *   <li>that of a wide layer (64 rows or more): 4 rows by 4 vectors of samples over the transposed inputs,
 *       whose transposition is then a small part of the work and which needs no reduction;
 *   <li>a weight gradient {@code Σ_b δ_b x_bᵀ}: one product over the lane's samples, 4 rows by 4 (then 2)
 *       vectors of columns summed over 128 samples in registers before each is added to the gradient;
 *   <li>the backward product {@code Wᵀ δ}: the rows of W scaled by 4 samples' entries, 2 vectors at a time.
 * </ul>
 *
 * <p>Every kernel also handles what its tiles leave over (rows, samples, the columns past the last whole
 * vector), which {@code VectorBackendTest} runs at batch sizes and widths chosen for it.
 */
final class VectorKernels {
  private static final String PACKAGE = "jdk.incubator.vector";
  private static final ClassName OPERATORS = ClassName.get(PACKAGE, "VectorOperators");
  private static final ClassName ARRAYS = ClassName.get("java.util", "Arrays");
  /** Panel rows a tile of {@link #rowsTimesPanelTiles()} runs over before the next tile. */
  static final int PANEL_TILE_ROWS = 128;
  /** Samples a weight-gradient tile sums over before the next tile: 128 samples of 4 vectors of inputs are 32 KiB of floats (L1). */
  static final int SAMPLE_CHUNK = 128;

  private final TypeName scalar;
  private final TypeName row;
  private final ClassName vector;
  private final String species;

  /** Kernels for {@code precision}, naming the species constant {@code species}. */
  VectorKernels(Precision precision, String species) {
    boolean isFloat = precision == Precision.FLOAT;
    this.scalar = isFloat ? TypeName.FLOAT : TypeName.DOUBLE;
    this.row = ArrayTypeName.of(scalar);
    this.vector = ClassName.get(PACKAGE, isFloat ? "FloatVector" : "DoubleVector");
    this.species = species;
  }

  /** {@code SPECIES}: the widest vectors of the machine the class runs on. */
  FieldSpec speciesField() {
    TypeName type = ParameterizedTypeName.get(ClassName.get(PACKAGE, "VectorSpecies"), scalar.box());
    return FieldSpec.builder(type, species, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("The widest vectors of this machine: what the kernels' loops step by\n")
        .initializer("$T.SPECIES_PREFERRED", vector).build();
  }

  /** The forward kernels: the tiled product and the dot products of its remainders. */
  List<MethodSpec> forwardMethods() {
    return List.of(rowsTimesSamples(), dot(), dotTail());
  }

  /** The weight-gradient kernels that take δ entry by entry, for 4 samples and for 1. */
  List<MethodSpec> gradientMethods() {
    return List.of(addOuterProducts(4), addOuterProducts(1));
  }

  /** The forward product of a wide layer: register tiles over the transposed inputs (the panel). */
  MethodSpec rowsTimesPanelTiles() {
    CodeBlock.Builder code = CodeBlock.builder()
        .addStatement("int step = $L.length()", species)
        .beginControlFlow("for (int i = 0; i < count; i++)")
        .addStatement("$T.fill(sums[i], 0, blockSize, 0)", ARRAYS)
        .endControlFlow()
        .beginControlFlow("for (int kStart = 0; kStart < length; kStart += $L)", PANEL_TILE_ROWS)
        .addStatement("int kEnd = Math.min(length, kStart + $L)", PANEL_TILE_ROWS)
        .addStatement("int col = 0")
        .beginControlFlow("for (; col + 4 * step <= blockSize; col += 4 * step)")
        .addStatement("int i = 0")
        .beginControlFlow("for (; i + 4 <= count; i += 4)")
        .addStatement("$T[] r0 = sums[i], r1 = sums[i + 1], r2 = sums[i + 2], r3 = sums[i + 3]", scalar)
        .addStatement("int w0 = i * length")
        .addStatement("int w1 = w0 + length, w2 = w1 + length, w3 = w2 + length");
    for (int r = 0; r < 4; r++) {
      for (int c = 0; c < 4; c++) {
        code.addStatement("$T a$L$L = $T.fromArray($L, r$L, col$L)", vector, r, c, vector, species, r, vectorOffset(c));
      }
    }
    code.beginControlFlow("for (int k = kStart; k < kEnd; k++)")
        .addStatement("$T[] p = panel[k]", scalar);
    for (int c = 0; c < 4; c++) {
      code.addStatement("$T x$L = $T.fromArray($L, p, col$L)", vector, c, vector, species, vectorOffset(c));
    }
    for (int r = 0; r < 4; r++) {
      code.addStatement(r == 0 ? "$T v = $T.broadcast($L, w[w0 + k])" : "v = $T.broadcast($L, w[w" + r + " + k])",
          r == 0 ? new Object[] {vector, vector, species} : new Object[] {vector, species});
      for (int c = 0; c < 4; c++) {
        code.addStatement("a$L$L = v.fma(x$L, a$L$L)", r, c, c, r, c);
      }
    }
    code.endControlFlow();
    for (int r = 0; r < 4; r++) {
      for (int c = 0; c < 4; c++) {
        code.addStatement("a$L$L.intoArray(r$L, col$L)", r, c, r, vectorOffset(c));
      }
    }
    code.endControlFlow()
        .beginControlFlow("for (; i < count; i++)")
        .addStatement("panelColumns(w, i * length, kStart, kEnd, panel, col, col + 4 * step, sums[i])")
        .endControlFlow()
        .endControlFlow()
        .beginControlFlow("for (int i = 0; i < count; i++)")
        .addStatement("panelColumns(w, i * length, kStart, kEnd, panel, col, blockSize, sums[i])")
        .endControlFlow()
        .endControlFlow();
    return MethodSpec.methodBuilder("rowsTimesPanelTiles").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("sums[i][col] = Σ_k w[i * length + k] panel[k][col] for the block's columns and each of the {@code count} rows:\n"
            + "tiles of 4 rows of w by 4 vectors of columns in 16 accumulators, over $L panel rows (in the L1 cache) at a time\n",
            PANEL_TILE_ROWS)
        .addParameter(row, "w").addParameter(int.class, "count").addParameter(int.class, "length")
        .addParameter(ArrayTypeName.of(row), "panel").addParameter(int.class, "blockSize").addParameter(ArrayTypeName.of(row), "sums")
        .addCode(code.build()).build();
  }

  /** One row's columns left over by {@link #rowsTimesPanelTiles()}. */
  MethodSpec panelColumns() {
    return MethodSpec.methodBuilder("panelColumns").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("sums[col] += Σ_k w[wStart + k] panel[k][col] for k in [kStart, kEnd) and col in [from, to): a vector of columns at\n"
            + "a time, then one column at a time\n")
        .addParameter(row, "w").addParameter(int.class, "wStart").addParameter(int.class, "kStart").addParameter(int.class, "kEnd")
        .addParameter(ArrayTypeName.of(row), "panel").addParameter(int.class, "from").addParameter(int.class, "to")
        .addParameter(row, "sums")
        .addStatement("int step = $L.length()", species)
        .addStatement("int col = from")
        .beginControlFlow("for (; col + step <= to; col += step)")
        .addStatement("$T sum = $T.fromArray($L, sums, col)", vector, vector, species)
        .beginControlFlow("for (int k = kStart; k < kEnd; k++)")
        .addStatement("sum = $T.broadcast($L, w[wStart + k]).fma($T.fromArray($L, panel[k], col), sum)", vector, species, vector, species)
        .endControlFlow()
        .addStatement("sum.intoArray(sums, col)")
        .endControlFlow()
        .beginControlFlow("for (; col < to; col++)")
        .addStatement("$T sum = sums[col]", scalar)
        .beginControlFlow("for (int k = kStart; k < kEnd; k++)")
        .addStatement("sum = Math.fma(w[wStart + k], panel[k][col], sum)")
        .endControlFlow()
        .addStatement("sums[col] = sum")
        .endControlFlow()
        .build();
  }

  /** The weight-gradient kernel that reads δ where it lies: a product summed over the samples in registers. */
  MethodSpec addSampleProducts() {
    CodeBlock.Builder code = CodeBlock.builder()
        .addStatement("int step = $L.length()", species)
        .addStatement("$T factor = $T.broadcast($L, scale)", vector, vector, species)
        .beginControlFlow("for (int from = lo; from < hi; from += $L)", SAMPLE_CHUNK)
        .addStatement("int to = Math.min(hi, from + $L)", SAMPLE_CHUNK)
        .addStatement("int j = 0");
    sampleProductTiles(code, 4);
    sampleProductTiles(code, 2);
    code.beginControlFlow("for (int i = 0; i < count; i++)")
        .addStatement("addSampleProductsColumns(g, i, length, j, length, delta, deltaOffset, deltaStride, values, offset, stride, from, to,"
            + " scale)")
        .endControlFlow()
        .endControlFlow();
    return MethodSpec.methodBuilder("addSampleProducts").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("g[i * length + j] += scale Σ_b delta[b * deltaStride + deltaOffset + i] values[b * stride + offset + j] over\n"
            + "the samples b in [lo, hi): tiles of 4 rows of g by 4 vectors of j (then 2), each summed over $L samples at a time\n"
            + "in 16 (8) vector accumulators before it is added to g\n", SAMPLE_CHUNK)
        .addParameter(row, "g").addParameter(int.class, "count").addParameter(int.class, "length")
        .addParameter(row, "delta").addParameter(int.class, "deltaOffset").addParameter(int.class, "deltaStride")
        .addParameter(row, "values").addParameter(int.class, "offset").addParameter(int.class, "stride")
        .addParameter(int.class, "lo").addParameter(int.class, "hi").addParameter(scalar, "scale")
        .addCode(code.build()).build();
  }

  /** {@code ""}, {@code " + step"}, {@code " + 2 * step"}…: where the {@code c}-th vector of a tile starts. */
  private static String vectorOffset(int c) {
    return c == 0 ? "" : c == 1 ? " + step" : " + " + c + " * step";
  }

  /** The loop over {@code j} of {@link #addSampleProducts()} in tiles of 4 rows by {@code vectors} vectors. */
  private void sampleProductTiles(CodeBlock.Builder code, int vectors) {
    code.beginControlFlow("for (; j + $L * step <= length; j += $L * step)", vectors, vectors)
        .addStatement("int i = 0")
        .beginControlFlow("for (; i + 4 <= count; i += 4)");
    for (int r = 0; r < 4; r++) {
      StringBuilder names = new StringBuilder();
      for (int c = 0; c < vectors; c++) {
        names.append(c == 0 ? "" : ", ").append("a").append(r).append(c).append(r == 0 && c == 0 ? " = " + vector.simpleName() + ".zero(" + species + ")" : " = a00");
      }
      code.addStatement("$T $L", vector, names);
    }
    code.beginControlFlow("for (int b = from; b < to; b++)")
        .addStatement("int s = b * stride + offset + j")
        .addStatement("int d = b * deltaStride + deltaOffset + i");
    for (int c = 0; c < vectors; c++) {
      code.addStatement("$T x$L = $T.fromArray($L, values, s$L)", vector, c, vector, species, vectorOffset(c));
    }
    for (int r = 0; r < 4; r++) {
      code.addStatement(r == 0 ? "$T c = $T.broadcast($L, delta[d])" : "c = $T.broadcast($L, delta[d + " + r + "])",
          r == 0 ? new Object[] {vector, vector, species} : new Object[] {vector, species});
      for (int c = 0; c < vectors; c++) {
        code.addStatement("a$L$L = c.fma(x$L, a$L$L)", r, c, c, r, c);
      }
    }
    code.endControlFlow();
    for (int r = 0; r < 4; r++) {
      String row = r == 0 ? "i * length + j" : "(i + " + r + ") * length + j";
      for (int c = 0; c < vectors; c++) {
        String at = row + (vectorOffset(c));
        code.addStatement("a$L$L.fma(factor, $T.fromArray($L, g, $L)).intoArray(g, $L)", r, c, vector, species, at, at);
      }
    }
    code.endControlFlow()
        .beginControlFlow("for (; i < count; i++)")
        .addStatement("addSampleProductsColumns(g, i, length, j, j + $L * step, delta, deltaOffset, deltaStride, values, offset, stride,"
            + " from, to, scale)", vectors)
        .endControlFlow()
        .endControlFlow();
  }

  /** The rows left over by {@link #addSampleProducts()}'s tiles, and its columns past the last pair of vectors. */
  MethodSpec addSampleProductsColumns() {
    return MethodSpec.methodBuilder("addSampleProductsColumns").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("g[i * length + j] += scale Σ_b delta[b * deltaStride + deltaOffset + i] values[b * stride + offset + j] for\n"
            + "one row i and j in [from, to): a vector of j at a time, then one j at a time\n")
        .addParameter(row, "g").addParameter(int.class, "i").addParameter(int.class, "length")
        .addParameter(int.class, "from").addParameter(int.class, "to")
        .addParameter(row, "delta").addParameter(int.class, "deltaOffset").addParameter(int.class, "deltaStride")
        .addParameter(row, "values").addParameter(int.class, "offset").addParameter(int.class, "stride")
        .addParameter(int.class, "lo").addParameter(int.class, "hi").addParameter(scalar, "scale")
        .addStatement("int step = $L.length()", species)
        .addStatement("int j = from")
        .beginControlFlow("for (; j + step <= to; j += step)")
        .addStatement("$T sum = $T.zero($L)", vector, vector, species)
        .beginControlFlow("for (int b = lo; b < hi; b++)")
        .addStatement("sum = $T.broadcast($L, delta[b * deltaStride + deltaOffset + i]).fma($T.fromArray($L, values, b * stride + offset + j), sum)",
            vector, species, vector, species)
        .endControlFlow()
        .addStatement("sum.fma($T.broadcast($L, scale), $T.fromArray($L, g, i * length + j)).intoArray(g, i * length + j)",
            vector, species, vector, species)
        .endControlFlow()
        .beginControlFlow("for (; j < to; j++)")
        .addStatement("$T sum = 0", scalar)
        .beginControlFlow("for (int b = lo; b < hi; b++)")
        .addStatement("sum = Math.fma(delta[b * deltaStride + deltaOffset + i], values[b * stride + offset + j], sum)")
        .endControlFlow()
        .addStatement("g[i * length + j] = Math.fma(sum, scale, g[i * length + j])")
        .endControlFlow()
        .build();
  }

  /** The product with a transposed weight matrix, {@code Wᵀ δ} for every sample (the backward pass's). */
  MethodSpec rowsTransposedTimesSamples() {
    CodeBlock.Builder code = CodeBlock.builder()
        .addStatement("int step = $L.length()", species)
        .addStatement("int b = lo")
        .beginControlFlow("for (; b + 4 <= hi; b += 4)")
        .addStatement("int s0 = b * stride + offset")
        .addStatement("int s1 = s0 + stride, s2 = s1 + stride, s3 = s2 + stride")
        .addStatement("int j = 0")
        .beginControlFlow("for (; j + 2 * step <= length; j += 2 * step)");
    code.addStatement("$T a00 = $T.zero($L), a01 = a00", vector, vector, species);
    for (int s = 1; s < 4; s++) {
      code.addStatement("$T a$L0 = a00, a$L1 = a00", vector, s, s);
    }
    code.beginControlFlow("for (int i = 0; i < count; i++)")
        .addStatement("$T v0 = $T.fromArray($L, w, i * length + j)", vector, vector, species)
        .addStatement("$T v1 = $T.fromArray($L, w, i * length + j + step)", vector, vector, species);
    for (int s = 0; s < 4; s++) {
      code.addStatement(s == 0 ? "$T c = $T.broadcast($L, values[s0 + i])" : "c = $T.broadcast($L, values[s" + s + " + i])",
          s == 0 ? new Object[] {vector, vector, species} : new Object[] {vector, species});
      code.addStatement("a$L0 = v0.fma(c, a$L0)", s, s);
      code.addStatement("a$L1 = v1.fma(c, a$L1)", s, s);
    }
    code.endControlFlow();
    for (int s = 0; s < 4; s++) {
      String at = s == 0 ? "b * length + j" : "(b + " + s + ") * length + j";
      code.addStatement("a$L0.intoArray(out, $L)", s, at);
      code.addStatement("a$L1.intoArray(out, $L + step)", s, at);
    }
    code.endControlFlow();
    for (int s = 0; s < 4; s++) {
      code.addStatement("transposedColumns(w, count, length, j, values, s$L, out, $L)", s, s == 0 ? "b * length" : "(b + " + s + ") * length");
    }
    code.endControlFlow()
        .beginControlFlow("for (; b < hi; b++)")
        .addStatement("transposedColumns(w, count, length, 0, values, b * stride + offset, out, b * length)")
        .endControlFlow();
    return MethodSpec.methodBuilder("rowsTransposedTimesSamples").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("out[b * length + j] = Σ_i w[i * length + j] values[b * stride + offset + i] for the samples b in [lo, hi): the\n"
            + "rows of w scaled by each sample's entries and summed, 2 vectors of j for 4 samples at a time in 8 accumulators\n")
        .addParameter(row, "w").addParameter(int.class, "count").addParameter(int.class, "length")
        .addParameter(row, "values").addParameter(int.class, "offset").addParameter(int.class, "stride")
        .addParameter(int.class, "lo").addParameter(int.class, "hi").addParameter(row, "out")
        .addCode(code.build()).build();
  }

  /** One sample's columns left over by {@link #rowsTransposedTimesSamples()}, or all of them. */
  MethodSpec transposedColumns() {
    return MethodSpec.methodBuilder("transposedColumns").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("out[start + j] = Σ_i w[i * length + j] values[sample + i] for j in [from, length): a vector of j at a time, then\n"
            + "one j at a time\n")
        .addParameter(row, "w").addParameter(int.class, "count").addParameter(int.class, "length").addParameter(int.class, "from")
        .addParameter(row, "values").addParameter(int.class, "sample").addParameter(row, "out").addParameter(int.class, "start")
        .addStatement("int step = $L.length()", species)
        .addStatement("int j = from")
        .beginControlFlow("for (; j + step <= length; j += step)")
        .addStatement("$T sum = $T.zero($L)", vector, vector, species)
        .beginControlFlow("for (int i = 0; i < count; i++)")
        .addStatement("sum = $T.fromArray($L, w, i * length + j).fma($T.broadcast($L, values[sample + i]), sum)",
            vector, species, vector, species)
        .endControlFlow()
        .addStatement("sum.intoArray(out, start + j)")
        .endControlFlow()
        .beginControlFlow("for (; j < length; j++)")
        .addStatement("$T sum = 0", scalar)
        .beginControlFlow("for (int i = 0; i < count; i++)")
        .addStatement("sum = Math.fma(w[i * length + j], values[sample + i], sum)")
        .endControlFlow()
        .addStatement("out[start + j] = sum")
        .endControlFlow()
        .build();
  }

  private MethodSpec rowsTimesSamples() {
    CodeBlock.Builder code = CodeBlock.builder()
        .addStatement("int step = $L.length()", species)
        .addStatement("int upper = $L.loopBound(length)", species)
        .addStatement("int col = 0")
        .beginControlFlow("for (; col + 4 <= blockSize; col += 4)")
        .addStatement("int s0 = (blockStart + col) * stride + offset")
        .addStatement("int s1 = s0 + stride, s2 = s1 + stride, s3 = s2 + stride")
        .addStatement("int i = 0")
        .beginControlFlow("for (; i + 4 <= count; i += 4)")
        .addStatement("int w0 = i * length")
        .addStatement("int w1 = w0 + length, w2 = w1 + length, w3 = w2 + length");
    code.addStatement("$T a00 = $T.zero($L), a01 = a00, a02 = a00, a03 = a00", vector, vector, species);
    for (int r = 1; r < 4; r++) {
      code.addStatement("$T a$L0 = a00, a$L1 = a00, a$L2 = a00, a$L3 = a00", vector, r, r, r, r);
    }
    code.addStatement("int k = 0").beginControlFlow("for (; k < upper; k += step)");
    for (int s = 0; s < 4; s++) {
      code.addStatement("$T x$L = $T.fromArray($L, values, s$L + k)", vector, s, vector, species, s);
    }
    for (int r = 0; r < 4; r++) {
      code.addStatement(r == 0 ? "$T v = $T.fromArray($L, w, w$L + k)" : "v = $T.fromArray($L, w, w$L + k)",
          r == 0 ? new Object[] {vector, vector, species, r} : new Object[] {vector, species, r});
      for (int s = 0; s < 4; s++) {
        code.addStatement("a$L$L = v.fma(x$L, a$L$L)", r, s, s, r, s);
      }
    }
    code.endControlFlow();
    for (int r = 0; r < 4; r++) {
      for (int s = 0; s < 4; s++) {
        code.addStatement("sums[i$L][col$L] = a$L$L.reduceLanes($T.ADD) + dotTail(w, w$L, values, s$L, upper, length)",
            r == 0 ? "" : " + " + r, s == 0 ? "" : " + " + s, r, s, OPERATORS, r, s);
      }
    }
    code.endControlFlow()
        .beginControlFlow("for (; i < count; i++)");
    for (int s = 0; s < 4; s++) {
      code.addStatement("sums[i][col$L] = dot(w, i * length, values, s$L, length)", s == 0 ? "" : " + " + s, s);
    }
    code.endControlFlow()
        .endControlFlow()
        .beginControlFlow("for (; col < blockSize; col++)")
        .addStatement("int s0 = (blockStart + col) * stride + offset")
        .beginControlFlow("for (int i = 0; i < count; i++)")
        .addStatement("sums[i][col] = dot(w, i * length, values, s0, length)")
        .endControlFlow()
        .endControlFlow();
    return MethodSpec.methodBuilder("rowsTimesSamples").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("sums[i][col] = Σ_k w[i * length + k] values[(blockStart + col) * stride + offset + k] for the block's\n"
            + "samples and each of the {@code count} rows of w: dot products, 4 rows by 4 samples at a time in 16 vector\n"
            + "accumulators, so that each vector loaded serves 4 of them\n")
        .addParameter(row, "w").addParameter(int.class, "count").addParameter(int.class, "length")
        .addParameter(row, "values").addParameter(int.class, "offset").addParameter(int.class, "stride")
        .addParameter(int.class, "blockStart").addParameter(int.class, "blockSize")
        .addParameter(ArrayTypeName.of(row), "sums")
        .addCode(code.build()).build();
  }

  private MethodSpec dot() {
    return MethodSpec.methodBuilder("dot").addModifiers(Modifier.PRIVATE, Modifier.STATIC).returns(scalar)
        .addJavadoc("Σ_k w[wStart + k] values[vStart + k] for k < length\n")
        .addParameter(row, "w").addParameter(int.class, "wStart").addParameter(row, "values").addParameter(int.class, "vStart")
        .addParameter(int.class, "length")
        .addStatement("int upper = $L.loopBound(length)", species)
        .addStatement("$T sum = $T.zero($L)", vector, vector, species)
        .beginControlFlow("for (int k = 0; k < upper; k += $L.length())", species)
        .addStatement("sum = $T.fromArray($L, w, wStart + k).fma($T.fromArray($L, values, vStart + k), sum)",
            vector, species, vector, species)
        .endControlFlow()
        .addStatement("return sum.reduceLanes($T.ADD) + dotTail(w, wStart, values, vStart, upper, length)", OPERATORS)
        .build();
  }

  private MethodSpec dotTail() {
    return MethodSpec.methodBuilder("dotTail").addModifiers(Modifier.PRIVATE, Modifier.STATIC).returns(scalar)
        .addJavadoc("Σ_k w[wStart + k] values[vStart + k] for from ≤ k < to: the part of a dot product past the last whole vector\n")
        .addParameter(row, "w").addParameter(int.class, "wStart").addParameter(row, "values").addParameter(int.class, "vStart")
        .addParameter(int.class, "from").addParameter(int.class, "to")
        .addStatement("$T sum = 0", scalar)
        .beginControlFlow("for (int k = from; k < to; k++)")
        .addStatement("sum = Math.fma(w[wStart + k], values[vStart + k], sum)")
        .endControlFlow()
        .addStatement("return sum")
        .build();
  }

  /**
   * {@code g[i][from..to) += Σ_s a[s][i] values[start_s + from..to)}, in the flat gradient: each element sees
   * the same chain of fused multiply-adds, in the same order, as in the scalar backend.
   */
  private MethodSpec addOuterProducts(int samples) {
    MethodSpec.Builder method = MethodSpec.methodBuilder("addOuterProducts" + samples)
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addParameter(row, "g").addParameter(int.class, "count").addParameter(int.class, "length")
        .addParameter(int.class, "from").addParameter(int.class, "to")
        .addParameter(samples == 1 ? row : ArrayTypeName.of(row), "a").addParameter(row, "values");
    List<String> terms = new ArrayList<>();
    for (int s = 0; s < samples; s++) {
      method.addParameter(int.class, "s" + s);
      terms.add(samples == 1 ? "a[i] values[s0 + j]" : "a[" + s + "][i] values[s" + s + " + j]");
    }
    method.addJavadoc("g[i * length + j] += $L for j in [from, to) and each of the {@code count} rows, a vector of j at a time\n",
        String.join(" + ", terms));
    if (samples > 1) {
      StringBuilder rows = new StringBuilder();
      for (int s = 0; s < samples; s++) {
        rows.append(s == 0 ? "" : ", ").append("a").append(s).append(" = a[").append(s).append("]");
      }
      method.addStatement("$T $L", row, rows);
    }
    method.addStatement("int upper = from + $L.loopBound(to - from)", species)
        .beginControlFlow("for (int i = 0; i < count; i++)");
    for (int s = 0; s < samples; s++) {
      method.addStatement("$T c$L = $T.broadcast($L, $L[i])", vector, s, vector, species, samples == 1 ? "a" : "a" + s);
    }
    method.addStatement("int start = i * length")
        .addStatement("int j = from")
        .beginControlFlow("for (; j < upper; j += $L.length())", species)
        .addStatement("$T r = $T.fromArray($L, g, start + j)", vector, vector, species);
    for (int s = 0; s < samples; s++) {
      method.addStatement("r = c$L.fma($T.fromArray($L, values, s$L + j), r)", s, vector, species, s);
    }
    method.addStatement("r.intoArray(g, start + j)")
        .endControlFlow()
        .beginControlFlow("for (; j < to; j++)");
    String chain = "g[start + j]";
    for (int s = 0; s < samples; s++) {
      chain = "Math.fma(" + (samples == 1 ? "a" : "a" + s) + "[i], values[s" + s + " + j], " + chain + ")";
    }
    return method.addStatement("g[start + j] = $L", chain)
        .endControlFlow()
        .endControlFlow().build();
  }
}
