using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static AxisLayout Of(TensorShape shape, int axis)
    {
        var dims = shape.Dims;
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++)
        {
            outer *= dims[i];
        }

        for (int i = axis + 1; i < dims.Length; i++)
        {
            inner *= dims[i];
        }

        return new AxisLayout(outer, dims[axis], inner);
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

    /// <summary>
    /// Combines four slabs into <paramref name="accumulated"/> at once. Reading four slabs for each read and write of the
    /// accumulator, rather than one, is what makes a reduction over the leading axis (<c>Sum(x, axis: 0)</c>) stream.
    /// </summary>
    static abstract void CombineFour(Span<double> accumulated, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> c, ReadOnlySpan<double> d);
}

internal readonly struct SumReduction : IReduction
{
    public static double Reduce(ReadOnlySpan<double> values) => TensorPrimitives.Sum(values);

    public static void Combine(ReadOnlySpan<double> accumulated, ReadOnlySpan<double> next, Span<double> destination) =>
        TensorPrimitives.Add(accumulated, next, destination);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CombineFour(Span<double> accumulated, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> c, ReadOnlySpan<double> d)
    {
        int length = accumulated.Length;
        if (a.Length < length || b.Length < length || c.Length < length || d.Length < length)
        {
            throw new ArgumentException("Every slab must be as long as the accumulator.");
        }

        ref double sum = ref MemoryMarshal.GetReference(accumulated);
        ref double ra = ref MemoryMarshal.GetReference(a);
        ref double rb = ref MemoryMarshal.GetReference(b);
        ref double rc = ref MemoryMarshal.GetReference(c);
        ref double rd = ref MemoryMarshal.GetReference(d);
        int i = 0;
        for (; i <= length - Vector<double>.Count; i += Vector<double>.Count)
        {
            nuint at = (nuint)i;
            var pairs = (Vector.LoadUnsafe(ref ra, at) + Vector.LoadUnsafe(ref rb, at)) + (Vector.LoadUnsafe(ref rc, at) + Vector.LoadUnsafe(ref rd, at));
            (Vector.LoadUnsafe(ref sum, at) + pairs).StoreUnsafe(ref sum, at);
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref sum, i) += (Unsafe.Add(ref ra, i) + Unsafe.Add(ref rb, i)) + (Unsafe.Add(ref rc, i) + Unsafe.Add(ref rd, i));
        }
    }
}

/// <summary>The IEEE 754 maximum or minimum (NaN wins) of a run, and elementwise of two runs, as TensorPrimitives computes it.</summary>
internal interface IExtreme
{
    static abstract double Of(ReadOnlySpan<double> values);

    static abstract void Of(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination);
}

internal readonly struct Largest : IExtreme
{
    public static double Of(ReadOnlySpan<double> values) => TensorPrimitives.Max(values);

    public static void Of(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination) => TensorPrimitives.Max(x, y, destination);
}

internal readonly struct Smallest : IExtreme
{
    public static double Of(ReadOnlySpan<double> values) => TensorPrimitives.Min(values);

    public static void Of(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination) => TensorPrimitives.Min(x, y, destination);
}

/// <summary>Max (<see cref="Largest"/>) or Min (<see cref="Smallest"/>) as a reduction.</summary>
internal readonly struct ExtremeReduction<TExtreme> : IReduction
    where TExtreme : IExtreme
{
    public static double Reduce(ReadOnlySpan<double> values) => TExtreme.Of(values);

    public static void Combine(ReadOnlySpan<double> accumulated, ReadOnlySpan<double> next, Span<double> destination) =>
        TExtreme.Of(accumulated, next, destination);

    // One slab at a time, so that NaN and signed zeros follow TensorPrimitives exactly as before.
    public static void CombineFour(Span<double> accumulated, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> c, ReadOnlySpan<double> d)
    {
        TExtreme.Of(accumulated, a, accumulated);
        TExtreme.Of(accumulated, b, accumulated);
        TExtreme.Of(accumulated, c, accumulated);
        TExtreme.Of(accumulated, d, accumulated);
    }
}

/// <summary>The one kernel behind every reduction along an axis (Sum, Mean, Max, Min, and SumTo's unbroadcasting).</summary>
internal static class AxisReduction
{
    /// <summary>
    /// Reduces <paramref name="x"/> along <paramref name="axis"/> (NumPy style: negative counts from the end), removing
    /// the axis or, with <paramref name="keepDims"/>, keeping it with size 1. An empty axis reduces to 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

                // Combine whole slabs rather than walk each column: contiguous, vectorized, cache-friendly; four at a
                // time, so that the accumulator is read and written once per four slabs read.
                source.Slice(layout.SlabStart(o, 0), layout.Inner).CopyTo(destination);
                int j = 1;
                for (; j + 4 <= layout.Size; j += 4)
                {
                    TReduction.CombineFour(
                        destination,
                        source.Slice(layout.SlabStart(o, j), layout.Inner),
                        source.Slice(layout.SlabStart(o, j + 1), layout.Inner),
                        source.Slice(layout.SlabStart(o, j + 2), layout.Inner),
                        source.Slice(layout.SlabStart(o, j + 3), layout.Inner));
                }

                for (; j < layout.Size; j++)
                {
                    TReduction.Combine(destination, source.Slice(layout.SlabStart(o, j), layout.Inner), destination);
                }
            }
        }

        return new Tensor(result, x.Shape.ReducedAlong(normalized, keepDims));
    }
}
