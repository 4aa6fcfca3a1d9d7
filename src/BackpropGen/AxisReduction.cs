using System;
using System.Numerics.Tensors;

namespace BackpropGen;

/// <summary>
/// A row-major tensor seen around one axis as <c>[Outer, Size, Inner]</c>: the element at (o, j, k) lies at
/// <c>(o * Size + j) * Inner + k</c>. Every along-axis operation walks memory this way.
/// </summary>
/// <param name="Outer">The product of the dimensions before the axis.</param>
/// <param name="Size">The size of the axis.</param>
/// <param name="Inner">The product of the dimensions after the axis: the length of one contiguous slab.</param>
internal readonly record struct AxisLayout(int Outer, int Size, int Inner)
{
    /// <summary>The layout of <paramref name="shape"/> around <paramref name="axis"/>, which must be normalized.</summary>
    public static AxisLayout Of(TensorShape shape, int axis)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++)
        {
            outer *= shape[i];
        }

        for (int i = axis + 1; i < shape.Rank; i++)
        {
            inner *= shape[i];
        }

        return new AxisLayout(outer, shape[axis], inner);
    }

    /// <summary>The offset of slab (o, j): the <see cref="Inner"/> contiguous elements at index j along the axis.</summary>
    public int SlabStart(int outer, int index) => ((outer * Size) + index) * Inner;
}

/// <summary>An associative reduction, vectorized both over a contiguous run and slab by slab.</summary>
internal interface IReduction
{
    /// <summary>Reduces a contiguous run of at least one element to one value.</summary>
    static abstract double Reduce(ReadOnlySpan<double> values);

    /// <summary>Combines two partial results elementwise: <c>destination[i] = f(accumulated[i], next[i])</c>.</summary>
    static abstract void Combine(ReadOnlySpan<double> accumulated, ReadOnlySpan<double> next, Span<double> destination);
}

internal readonly struct SumReduction : IReduction
{
    public static double Reduce(ReadOnlySpan<double> values) => TensorPrimitives.Sum(values);

    public static void Combine(ReadOnlySpan<double> accumulated, ReadOnlySpan<double> next, Span<double> destination) =>
        TensorPrimitives.Add(accumulated, next, destination);
}

internal readonly struct MaxReduction : IReduction
{
    public static double Reduce(ReadOnlySpan<double> values) => TensorPrimitives.Max(values);

    public static void Combine(ReadOnlySpan<double> accumulated, ReadOnlySpan<double> next, Span<double> destination) =>
        TensorPrimitives.Max(accumulated, next, destination);
}

/// <summary>The one kernel behind every reduction along an axis (Sum, Mean, Max, and SumTo's unbroadcasting).</summary>
internal static class AxisReduction
{
    /// <summary>
    /// Reduces <paramref name="x"/> along <paramref name="axis"/> (NumPy style: negative counts from the end), removing
    /// the axis or, with <paramref name="keepDims"/>, keeping it with size 1. An empty axis reduces to 0.
    /// </summary>
    public static Tensor Reduce<TReduction>(Tensor x, int axis, bool keepDims)
        where TReduction : IReduction
    {
        ArgumentNullException.ThrowIfNull(x);
        int normalized = x.Shape.NormalizeAxis(axis);
        var layout = AxisLayout.Of(x.Shape, normalized);
        var source = x.AsSpan();
        var result = new double[layout.Outer * layout.Inner];
        if (layout.Size > 0)
        {
            for (int o = 0; o < layout.Outer; o++)
            {
                var destination = result.AsSpan(o * layout.Inner, layout.Inner);
                if (layout.Inner == 1)
                {
                    destination[0] = TReduction.Reduce(source.Slice(layout.SlabStart(o, 0), layout.Size));
                    continue;
                }

                // Combine whole slabs rather than walk each column: contiguous, vectorized, cache-friendly.
                source.Slice(layout.SlabStart(o, 0), layout.Inner).CopyTo(destination);
                for (int j = 1; j < layout.Size; j++)
                {
                    TReduction.Combine(destination, source.Slice(layout.SlabStart(o, j), layout.Inner), destination);
                }
            }
        }

        return new Tensor(result, x.Shape.ReducedAlong(normalized, keepDims));
    }
}
