using System;
using System.Numerics.Tensors;

namespace BackpropGen;

public sealed partial class Tensor
{
    /// <summary>The sum of all elements (0 for an empty tensor).</summary>
    public static double Sum(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return TensorPrimitives.Sum(x.AsSpan());
    }

    /// <summary>The mean of all elements.</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> has no elements: the mean of no values divides by zero (NumPy answers NaN with a warning).</exception>
    public static double Mean(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Length == 0)
        {
            throw new ArgumentException($"Cannot take the mean of shape {x.Shape}: it has no elements, and the mean of no values divides by zero.", nameof(x));
        }

        return Sum(x) / x.Length;
    }

    /// <summary>Sums along <paramref name="axis"/>, as NumPy's <c>np.sum(x, axis, keepdims)</c>.</summary>
    /// <param name="x">The tensor to reduce.</param>
    /// <param name="axis">The axis to sum over; negative counts from the end (-1 is the last axis).</param>
    /// <param name="keepDims">Whether to keep the axis with size 1 (so the result broadcasts against <paramref name="x"/>) rather than remove it.</param>
    /// <exception cref="ArgumentException"><paramref name="axis"/> is out of range; the message names it and the shape.</exception>
    public static Tensor Sum(Tensor x, int axis, bool keepDims = false) => AxisReduction.Reduce<SumReduction>(x, axis, keepDims);

    /// <summary>Averages along <paramref name="axis"/>, as NumPy's <c>np.mean(x, axis, keepdims)</c>.</summary>
    /// <param name="x">The tensor to reduce.</param>
    /// <param name="axis">The axis to average over; negative counts from the end (-1 is the last axis).</param>
    /// <param name="keepDims">Whether to keep the axis with size 1 (so the result broadcasts against <paramref name="x"/>) rather than remove it.</param>
    /// <exception cref="ArgumentException"><paramref name="axis"/> is out of range, or has size 0 (the mean of no values divides by zero; NumPy answers NaN with a warning); the message names it and the shape.</exception>
    public static Tensor Mean(Tensor x, int axis, bool keepDims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Shape.Dimension(axis) == 0)
        {
            throw new ArgumentException($"Cannot take the mean along axis {axis} of shape {x.Shape}: the axis is empty, and the mean of no values divides by zero.", nameof(x));
        }

        return Sum(x, axis, keepDims) / x.Shape.Dimension(axis);
    }

    /// <summary>The largest element, as NumPy's <c>np.max(x)</c> (NaN if any element is NaN).</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> has no elements (NumPy: a zero-size array has no maximum); the message names the shape.</exception>
    public static double Max(Tensor x) => ExtremeOfAll<ExtremeReduction<Largest>>(x, "maximum");

    /// <summary>The smallest element, as NumPy's <c>np.min(x)</c> (NaN if any element is NaN).</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> has no elements (NumPy: a zero-size array has no minimum); the message names the shape.</exception>
    public static double Min(Tensor x) => ExtremeOfAll<ExtremeReduction<Smallest>>(x, "minimum");

    /// <summary>The largest element along <paramref name="axis"/>, as NumPy's <c>np.max(x, axis, keepdims)</c> (NaN wins).</summary>
    /// <param name="x">The tensor to reduce.</param>
    /// <param name="axis">The axis to reduce; negative counts from the end (-1 is the last axis).</param>
    /// <param name="keepDims">Whether to keep the axis with size 1 (so the result broadcasts against <paramref name="x"/>) rather than remove it.</param>
    /// <exception cref="ArgumentException"><paramref name="axis"/> is out of range or has size 0; the message names it and the shape.</exception>
    public static Tensor Max(Tensor x, int axis, bool keepDims = false) => ExtremeAlong<ExtremeReduction<Largest>>(x, axis, keepDims, "maximum");

    /// <summary>The smallest element along <paramref name="axis"/>, as NumPy's <c>np.min(x, axis, keepdims)</c> (NaN wins).</summary>
    /// <param name="x">The tensor to reduce.</param>
    /// <param name="axis">The axis to reduce; negative counts from the end (-1 is the last axis).</param>
    /// <param name="keepDims">Whether to keep the axis with size 1 (so the result broadcasts against <paramref name="x"/>) rather than remove it.</param>
    /// <exception cref="ArgumentException"><paramref name="axis"/> is out of range or has size 0; the message names it and the shape.</exception>
    public static Tensor Min(Tensor x, int axis, bool keepDims = false) => ExtremeAlong<ExtremeReduction<Smallest>>(x, axis, keepDims, "minimum");

    private static double ExtremeOfAll<TReduction>(Tensor x, string extreme)
        where TReduction : IReduction
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Length == 0)
        {
            throw new ArgumentException($"Cannot take the {extreme} of shape {x.Shape}: it has no elements.", nameof(x));
        }

        return TReduction.Reduce(x.AsSpan());
    }

    private static Tensor ExtremeAlong<TReduction>(Tensor x, int axis, bool keepDims, string extreme)
        where TReduction : IReduction
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Shape.Dimension(axis) == 0)
        {
            throw new ArgumentException($"Cannot take the {extreme} along axis {axis} of shape {x.Shape}: the axis is empty.", nameof(x));
        }

        return AxisReduction.Reduce<TReduction>(x, axis, keepDims);
    }
}
