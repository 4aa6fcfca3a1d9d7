using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BackpropGen;

/// <summary>
/// One SIMD register of doubles, <see cref="Count"/> consecutive elements of a row: what a fused backward pass computes
/// with. It walks a row <c>j += Lane.Count</c> at a time with no scalar tail loop, because <see cref="Load"/>,
/// <see cref="Store(Span{double}, int, Lane)"/> and <see cref="AddTo(Span{double}, int, Lane)"/> handle a last, partial vector themselves. The functions have the element
/// semantics of the <see cref="Tensor"/> operations of the same name, so that a fused pass and a step-by-step one agree.
/// </summary>
public readonly partial struct Lane
{
    private readonly Vector<double> _value;

    /// <summary>Wraps a vector: lane k holds element k.</summary>
    /// <param name="value">The elements.</param>
    public Lane(Vector<double> value) => _value = value;

    /// <summary>The number of elements in a lane (<see cref="Vector{T}.Count"/> of double: 2, 4 or 8, by hardware).</summary>
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector<double>.Count;
    }

    /// <summary>The elements as a vector.</summary>
    public Vector<double> Value
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _value;
    }

    /// <summary>
    /// The <see cref="Count"/> elements of <paramref name="row"/> from <paramref name="j"/> on; when fewer remain, those
    /// that do, the other lanes set to 1.0 (a value every function takes quietly; those lanes are never stored).
    /// </summary>
    /// <param name="row">The row to read.</param>
    /// <param name="j">The index of the first element, in [0, <c>row.Length</c>].</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="j"/> is negative or past the end of the row.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Load(ReadOnlySpan<double> row, int j)
    {
        if (j >= 0 && row.Length - j >= Vector<double>.Count)
        {
            return new Lane(Vector.LoadUnsafe(ref MemoryMarshal.GetReference(row), (nuint)j));
        }

        return LoadPartial(row, j);
    }

    /// <summary>
    /// Writes the lanes to <paramref name="row"/> from <paramref name="j"/> on; when fewer than <see cref="Count"/>
    /// elements remain, only those, so nothing past the end of the row is touched.
    /// </summary>
    /// <param name="row">The row to write.</param>
    /// <param name="j">The index of the first element, in [0, <c>row.Length</c>].</param>
    /// <param name="value">The values to write.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="j"/> is negative or past the end of the row.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Span<double> row, int j, Lane value)
    {
        if (j >= 0 && row.Length - j >= Vector<double>.Count)
        {
            value._value.StoreUnsafe(ref MemoryMarshal.GetReference(row), (nuint)j);
            return;
        }

        StorePartial(row, j, value._value);
    }

    /// <summary>
    /// Adds the lanes into <paramref name="row"/> from <paramref name="j"/> on (<c>row[j + k] += value[k]</c>); when
    /// fewer than <see cref="Count"/> elements remain, only into those. Accumulates a sum over the rows.
    /// </summary>
    /// <param name="row">The row to add into.</param>
    /// <param name="j">The index of the first element, in [0, <c>row.Length</c>].</param>
    /// <param name="value">The values to add.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="j"/> is negative or past the end of the row.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddTo(Span<double> row, int j, Lane value)
    {
        if (j >= 0 && row.Length - j >= Vector<double>.Count)
        {
            ref double start = ref MemoryMarshal.GetReference(row);
            (Vector.LoadUnsafe(ref start, (nuint)j) + value._value).StoreUnsafe(ref start, (nuint)j);
            return;
        }

        AddToPartial(row, j, value._value);
    }

    /// <summary>
    /// The <see cref="Count"/> elements from <paramref name="j"/> on of the row that starts at <paramref name="start"/>,
    /// without a bounds check: for the whole lanes of a fused pass, whose loop guarantees that
    /// <c>j + Count</c> is within the row (the partial lanes at its end use <see cref="Load"/>).
    /// </summary>
    /// <param name="start">The row's first element (<see cref="RowReader.Start(int, int)"/>).</param>
    /// <param name="j">The index of the first element; the caller guarantees <c>j + Count &lt;= Width</c>.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane LoadUnsafe(ref readonly double start, int j) =>
        new(Vector.LoadUnsafe(ref Unsafe.AsRef(in start), (nuint)j));

    /// <summary>Writes the lanes from <paramref name="j"/> on, without a bounds check (see <see cref="LoadUnsafe"/>).</summary>
    /// <param name="start">The row's first element (<see cref="RowOutput.Start"/>).</param>
    /// <param name="j">The index of the first element; the caller guarantees <c>j + Count &lt;= Width</c>.</param>
    /// <param name="value">The values to write.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreUnsafe(ref double start, int j, Lane value) => value._value.StoreUnsafe(ref start, (nuint)j);

    /// <summary>Adds the lanes into the elements from <paramref name="j"/> on, without a bounds check (see <see cref="LoadUnsafe"/>).</summary>
    /// <param name="start">The row's first element (<see cref="RowSink.Start(int, int)"/>).</param>
    /// <param name="j">The index of the first element; the caller guarantees <c>j + Count &lt;= Width</c>.</param>
    /// <param name="value">The values to add.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddToUnsafe(ref double start, int j, Lane value) =>
        (Vector.LoadUnsafe(ref start, (nuint)j) + value._value).StoreUnsafe(ref start, (nuint)j);

    /// <summary>
    /// A lane holding <paramref name="value"/> in every element: a number met beside a lane (<c>2 * dsq_j</c>,
    /// <c>Lane.Greater(x_j, 0.0)</c>, a gradient that is the same everywhere) takes part lane by lane.
    /// </summary>
    /// <param name="value">The number.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static implicit operator Lane(double value) => new(new Vector<double>(value));

    /// <summary>The sum of two lanes, lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane operator +(Lane a, Lane b) => new(a._value + b._value);

    /// <summary>The difference of two lanes, lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane operator -(Lane a, Lane b) => new(a._value - b._value);

    /// <summary>The product of two lanes, lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane operator *(Lane a, Lane b) => new(a._value * b._value);

    /// <summary>The quotient of two lanes, lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane operator /(Lane a, Lane b) => new(a._value / b._value);

    /// <summary>Negates every lane: flips the sign bit, so that -(+0) is -0 and NaN stays NaN.</summary>
    // A sign flip rather than 0 - x, which would give +0 for -(+0) (as .NET 8's Vector negation may).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane operator -(Lane x) => new(Vector.Xor(x._value, new Vector<double>(-0.0)));

    /// <summary>
    /// The sum of the elements of the lane: at the end of a row, a sum along the row that a pass accumulated in a
    /// register (<see cref="ColumnSink"/>).
    /// </summary>
    /// <param name="value">The lane.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(Lane value) => Vector.Sum(value._value);

    /// <summary>
    /// The lane with only its first <paramref name="count"/> elements kept and the others 0: the last, partial lane of
    /// a row, before it is added into a sum along the row (the elements past the row's end hold whatever the steps made
    /// of the padding, possibly NaN, and are selected away rather than multiplied).
    /// </summary>
    /// <param name="value">The lane.</param>
    /// <param name="count">How many leading elements are real, in [0, <see cref="Count"/>].</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane First(Lane value, int count)
    {
        var kept = Vector.LessThan(LaneIndices, new Vector<long>(count));
        return new(Vector.ConditionalSelect(Vector.AsVectorDouble(kept), value._value, Vector<double>.Zero));
    }

    /// <summary>0, 1, 2, … in the lanes (<c>Vector&lt;long&gt;.Indices</c>, which .NET 8 lacks).</summary>
    private static readonly Vector<long> LaneIndices = MakeIndices();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Vector<long> MakeIndices()
    {
        Span<long> indices = stackalloc long[Vector<long>.Count];
        for (int k = 0; k < indices.Length; k++)
        {
            indices[k] = k;
        }

        return new Vector<long>(indices);
    }

    /// <summary>The elements of <paramref name="vector"/> as a span, to read or write lane by lane.</summary>
    internal static Span<double> ElementsOf(ref Vector<double> vector) =>
        MemoryMarshal.Cast<Vector<double>, double>(MemoryMarshal.CreateSpan(ref vector, 1));

    // The partial forms run once per row at most, so they stay out of line to keep the vector loop small.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Lane LoadPartial(ReadOnlySpan<double> row, int j)
    {
        var remaining = row[j..];
        var padded = Vector<double>.One;
        remaining.CopyTo(ElementsOf(ref padded));
        return new Lane(padded);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StorePartial(Span<double> row, int j, Vector<double> value)
    {
        var remaining = row[j..];
        ElementsOf(ref value)[..remaining.Length].CopyTo(remaining);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void AddToPartial(Span<double> row, int j, Vector<double> value)
    {
        var remaining = row[j..];
        var values = ElementsOf(ref value);
        for (int k = 0; k < remaining.Length; k++)
        {
            remaining[k] += values[k];
        }
    }
}
