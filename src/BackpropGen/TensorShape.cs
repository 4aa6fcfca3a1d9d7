using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace BackpropGen;

/// <summary>
/// The immutable shape of a <see cref="Tensor"/>: the size of each dimension, outermost first. A shape of rank 0
/// (<c>[]</c>, also <c>default(TensorShape)</c>) describes a scalar tensor holding one element.
/// </summary>
public readonly struct TensorShape : IEquatable<TensorShape>, IReadOnlyList<int>
{
    // Null only in default(TensorShape); every member reads it through Dims, which treats null as rank 0.
    private readonly int[]? _dims;

    /// <summary>Creates a shape from the sizes of its dimensions; the array is copied.</summary>
    /// <param name="dims">The size of each dimension, outermost first; none may be negative.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dims"/> is null.</exception>
    /// <exception cref="ArgumentException">A dimension is negative, or the element count exceeds <see cref="int.MaxValue"/>.</exception>
    public TensorShape(params int[] dims)
        : this((dims ?? throw new ArgumentNullException(nameof(dims))).AsSpan().ToArray(), takesOver: true)
    {
    }

    // Takes the array over; takesOver only tells this constructor from the public one. The public one copies with
    // ToArray rather than Clone: Array.Clone's general path cost an operation on a small tensor a fifth of its time.
    private TensorShape(int[] dims, bool takesOver)
    {
        Validate(dims);
        _dims = dims;
    }

    /// <summary>
    /// A shape of <paramref name="dims"/> that takes the array over instead of copying it: for the runtime's own fresh
    /// arrays, which nothing writes afterwards (an operation's result shape, where a copy would be a second allocation).
    /// </summary>
    internal static TensorShape Of(int[] dims) => new(dims, takesOver: true);

    /// <summary>The size of dimension <paramref name="index"/> (0 is the outermost).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in [0, <see cref="Rank"/>).</exception>
    public int this[int index]
    {
        // Inlined: shapes are read dimension by dimension in every operation on a small tensor; the throw is apart.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var dims = Dims;
            if ((uint)index >= (uint)dims.Length)
            {
                ThrowNoDimension(index);
            }

            return dims[index];
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNoDimension(int index) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, $"Dimension {index} does not exist in shape {this} of rank {Rank}.");

    /// <summary>The number of dimensions: 0 for a scalar, 1 for a vector, 2 for a matrix.</summary>
    public int Rank => Dims.Length;

    /// <summary>The number of dimensions (the same as <see cref="Rank"/>; here for <see cref="IReadOnlyCollection{T}"/>).</summary>
    public int Count => Rank;

    /// <summary>The number of elements a tensor of this shape holds: the product of the dimensions, 1 for rank 0.</summary>
    public int ElementCount
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        get
        {
            int count = 1;
            foreach (int dim in Dims)
            {
                count *= dim;
            }

            return count;
        }
    }

    internal ReadOnlySpan<int> Dims => _dims ?? [];

    /// <summary>
    /// The size of dimension <paramref name="axis"/>, where a negative axis counts from the end as in NumPy
    /// (-1 is the last dimension). Generated backward passes use it to scale gradients of means.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="axis"/> is not in [-<see cref="Rank"/>, <see cref="Rank"/>).</exception>
    public int Dimension(int axis) => Dims[NormalizeAxis(axis)];

    /// <summary>The shape of <c>Tensor.Dot</c> of matrices of shapes <paramref name="a"/> <c>[M, K]</c> and <paramref name="b"/> <c>[K, N]</c>: <c>[M, N]</c>.</summary>
    /// <exception cref="ArgumentException">The shapes are not those of matrices whose product exists; the message names both.</exception>
    public static TensorShape OfDot(TensorShape a, TensorShape b)
    {
        if (a.Rank != 2 || b.Rank != 2 || a[1] != b[0])
        {
            throw new ArgumentException($"Cannot take Dot of shapes {a} and {b}: expected matrices [M, K] and [K, N].");
        }

        return Of([a[0], b[1]]);
    }

    /// <summary>
    /// The shape of <c>Tensor.MatMul</c> of operands of shapes <paramref name="a"/> and <paramref name="b"/> (NumPy's
    /// <c>matmul</c>): the broadcast batch axes, then M unless <paramref name="a"/> is 1-D, then N unless <paramref name="b"/> is.
    /// </summary>
    /// <exception cref="ArgumentException">The operands have no product; the message names both shapes.</exception>
    public static TensorShape OfMatMul(TensorShape a, TensorShape b) =>
        MatMulLayout.Of("MatMul", a, transposeA: false, b, transposeB: false, promotesVectors: true).ResultShape;

    /// <summary>
    /// The NumPy broadcast of two shapes: the shape of <c>a ∘ b</c> for an elementwise operation. Generated backward passes
    /// use it to learn the shape of a sub-expression without computing it.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast; the message names both.</exception>
    public static TensorShape Broadcast(TensorShape a, TensorShape b) => Broadcasting.BroadcastShape(a, b, "broadcast");

    /// <summary>
    /// The NumPy broadcast of three or more shapes, taken left to right. A fused backward sums into an accumulator of this
    /// shape when several sums, to different shapes, share one product.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast; the message names the two that do not.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static TensorShape Broadcast(TensorShape a, TensorShape b, params TensorShape[] more)
    {
        ArgumentNullException.ThrowIfNull(more);
        var shape = Broadcast(a, b);
        foreach (var next in more)
        {
            shape = Broadcast(shape, next);
        }

        return shape;
    }

    /// <summary>Returns the dimensions as a new array.</summary>
    public int[] ToArray() => Dims.ToArray();

    /// <summary>Whether both shapes have the same rank and the same dimensions.</summary>
    public bool Equals(TensorShape other) => ReferenceEquals(_dims, other._dims) || Dims.SequenceEqual(other.Dims);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is TensorShape other && Equals(other);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (int dim in Dims)
        {
            hash.Add(dim);
        }

        return hash.ToHashCode();
    }

    /// <summary>The shape as NumPy would print a list of its dimensions: <c>[2, 3]</c>, or <c>[]</c> for rank 0.</summary>
    public override string ToString() => Format(Dims);

    /// <summary>Enumerates the dimensions, outermost first.</summary>
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)(_dims ?? [])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Whether two shapes are equal.</summary>
    public static bool operator ==(TensorShape left, TensorShape right) => left.Equals(right);

    /// <summary>Whether two shapes differ.</summary>
    public static bool operator !=(TensorShape left, TensorShape right) => !left.Equals(right);

    /// <summary>Maps a NumPy-style axis (negative counts from the end) to [0, Rank), or throws naming the axis and shape.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int NormalizeAxis(int axis)
    {
        int rank = Rank;
        int normalized = axis < 0 ? axis + rank : axis;
        if ((uint)normalized >= (uint)rank)
        {
            ThrowAxisOutOfRange(axis);
        }

        return normalized;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowAxisOutOfRange(int axis) =>
        throw new ArgumentException(
            $"Axis {axis} is out of range for shape {this} of rank {Rank}; expected an axis in [{-Rank}, {Rank}).",
            nameof(axis));

    /// <summary>
    /// The shape of a reduction along <paramref name="axis"/> (negative from the end): the axis removed, or kept with
    /// size 1 when <paramref name="keepDims"/>, as <c>Sum(x, axis, keepDims)</c> makes it. A forward in passes sums into it.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="axis"/> is not in [-<see cref="Rank"/>, <see cref="Rank"/>).</exception>
    public TensorShape Reduced(int axis, bool keepDims) => ReducedAlong(NormalizeAxis(axis), keepDims);

    /// <summary>The shape of a reduction along <paramref name="axis"/> (already normalized): the axis removed, or kept with size 1.</summary>
    internal TensorShape ReducedAlong(int axis, bool keepDims)
    {
        if (keepDims)
        {
            int[] kept = ToArray();
            kept[axis] = 1;
            return Of(kept);
        }

        int[] dims = new int[Rank - 1];
        Dims[..axis].CopyTo(dims);
        Dims[(axis + 1)..].CopyTo(dims.AsSpan(axis));
        return Of(dims);
    }

    /// <summary>Formats dimensions as <see cref="ToString"/> does, for messages about arrays that are not shapes yet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static string Format(ReadOnlySpan<int> dims)
    {
        var parts = new string[dims.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = dims[i].ToString(CultureInfo.InvariantCulture);
        }

        return "[" + string.Join(", ", parts) + "]";
    }

    // Inlined: every operation's result shape is validated. Saturates instead of overflowing, so that a later 0 still
    // yields an empty (valid) shape; the message is made apart.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Validate(int[] dims)
    {
        long count = 1;
        bool negative = false;
        foreach (int dim in dims)
        {
            negative |= dim < 0;
            count = Math.Min(count * dim, (long)int.MaxValue + 1);
        }

        if (negative || count > int.MaxValue)
        {
            ThrowInvalid(dims);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowInvalid(int[] dims)
    {
        if (Array.Exists(dims, dim => dim < 0))
        {
            throw new ArgumentException(
                $"Shape {Format(dims)} has a negative dimension; every dimension must be 0 or more.", nameof(dims));
        }

        throw new ArgumentException($"Shape {Format(dims)} has more than {int.MaxValue} elements.", nameof(dims));
    }
}
