using System;

namespace BackpropGen;

// Softmax, its logarithm and log-sum-exp along an axis, each shifted by the axis's maximum so that no exponential
// overflows (SciPy's logsumexp and softmax do the same).
public sealed partial class Tensor
{
    /// <summary>
    /// <c>exp(x - max) / Σ exp(x - max)</c> along <paramref name="axis"/>: every slice along it sums to 1. The shift by
    /// the maximum changes nothing in exact arithmetic and keeps <c>exp</c> from overflowing.
    /// </summary>
    /// <param name="x">The scores.</param>
    /// <param name="axis">The axis the probabilities are taken along; negative counts from the end.</param>
    /// <exception cref="ArgumentException"><paramref name="axis"/> is out of range or has size 0; the message names it and the shape.</exception>
    public static Tensor Softmax(Tensor x, int axis)
    {
        ArgumentNullException.ThrowIfNull(x);
        var exps = Exp(x - Max(x, axis, keepDims: true));
        return exps / Sum(exps, axis, keepDims: true);
    }

    /// <summary><c>x - LogSumExp(x, axis, keepDims: true)</c>: the logarithm of <see cref="Softmax"/>, without taking a logarithm of a rounded-to-zero probability.</summary>
    /// <param name="x">The scores.</param>
    /// <param name="axis">The axis the probabilities are taken along; negative counts from the end.</param>
    /// <exception cref="ArgumentException"><paramref name="axis"/> is out of range or has size 0; the message names it and the shape.</exception>
    public static Tensor LogSoftmax(Tensor x, int axis)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x - LogSumExp(x, axis, keepDims: true);
    }

    /// <summary><c>log Σ exp(x)</c> along <paramref name="axis"/>, computed as <c>max + log Σ exp(x - max)</c>.</summary>
    /// <param name="x">The values.</param>
    /// <param name="axis">The axis to reduce; negative counts from the end.</param>
    /// <param name="keepDims">Whether to keep the axis with size 1 rather than remove it.</param>
    /// <exception cref="ArgumentException"><paramref name="axis"/> is out of range or has size 0; the message names it and the shape.</exception>
    public static Tensor LogSumExp(Tensor x, int axis, bool keepDims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        var max = Max(x, axis, keepDims: true);
        var sums = Sum(Exp(x - max), axis, keepDims);
        return Log(sums) + (keepDims ? max : Max(x, axis, keepDims: false));
    }
}
