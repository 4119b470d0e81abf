package dev.nabla.runtime.check;

import dev.nabla.runtime.ModelInfo;

/**
 * The result of checking one parameter's gradient.
 *
 * @param parameter the parameter, with its shape
 * @param checked how many coordinates were compared (those whose steps cross a kink are not)
 * @param worstError the largest error among them
 * @param worstIndex the row-major index where it occurred (-1 if none was checked)
 * @param analytic the backward pass's value there
 * @param numeric the central difference there
 */
public record ParameterCheck(
    ModelInfo.Parameter parameter, int checked, double worstError, int worstIndex, double analytic, double numeric) {}
