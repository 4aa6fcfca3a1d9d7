using System;
using System.Runtime.CompilerServices;

namespace BackpropGen;

/// <summary>
/// The one kernel behind every elementwise operation of two operands: NumPy broadcasting, with vectorized fast
/// paths for the layouts layers produce and a general strided path for the rest.
/// </summary>
internal static class Broadcasting
{
    /// <summary>Applies <typeparamref name="TOp"/> elementwise to two tensors broadcast to a common shape.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <param name="symbol">The operator or function name, for the error message: <c>+</c>, <c>Maximum</c>.</param>
    public static Tensor Apply<TOp>(Tensor a, Tensor b, string symbol)
        where TOp : IBinaryOperator<TOp>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ReadOnlySpan<double> x = a.AsSpan(), y = b.AsSpan();
        if (a.Shape == b.Shape)
        {
            var same = Tensor.NewBuffer(x.Length);
            TOp.Invoke(x, y, same);
            return new Tensor(same, a.Shape);
        }

        var shape = BroadcastShape(a.Shape, b.Shape, symbol);
        var result = Tensor.NewBuffer(shape.ElementCount);
        if (result.Length > 0 && !TryBlockwise<TOp>(a, b, shape, result))
        {
            Strided<TOp>(a, b, shape, result);
        }

        return new Tensor(result, shape);
    }

    /// <summary>Applies <typeparamref name="TOp"/> to each element of <paramref name="a"/> and the scalar <paramref name="b"/>.</summary>
    public static Tensor Apply<TOp>(Tensor a, double b)
        where TOp : IBinaryOperator<TOp>
    {
        ArgumentNullException.ThrowIfNull(a);
        var result = Tensor.NewBuffer(a.Length);
        TOp.Invoke(a.AsSpan(), b, result);
        return new Tensor(result, a.Shape);
    }

    /// <summary>Applies <typeparamref name="TOp"/> to the scalar <paramref name="a"/> and each element of <paramref name="b"/>.</summary>
    public static Tensor Apply<TOp>(double a, Tensor b)
        where TOp : IBinaryOperator<TOp>
    {
        ArgumentNullException.ThrowIfNull(b);
        var result = Tensor.NewBuffer(b.Length);
        TOp.Invoke(a, b.AsSpan(), result);
        return new Tensor(result, b.Shape);
    }

    /// <summary>
    /// The NumPy broadcast of two shapes: aligned on the right, each pair of dimensions equal or one of them 1.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast; the message names both and the operator.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static TensorShape BroadcastShape(TensorShape a, TensorShape b, string symbol)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = DimensionAligned(a, i, rank), db = DimensionAligned(b, i, rank);
            if (da != db && da != 1 && db != 1)
            {
                throw new ArgumentException($"Cannot broadcast shapes {a} and {b} for '{symbol}'.");
            }

            dims[i] = da == 1 ? db : da;
        }

        return TensorShape.Of(dims);
    }

    /// <summary>Whether <paramref name="shape"/> broadcasts to exactly <paramref name="target"/>, as NumPy's <c>broadcast_to</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool BroadcastsTo(TensorShape shape, TensorShape target)
    {
        if (shape.Rank > target.Rank)
        {
            return false;
        }

        for (int i = 0; i < target.Rank; i++)
        {
            int dim = DimensionAligned(shape, i, target.Rank);
            if (dim != 1 && dim != target[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Dimension <paramref name="i"/> of <paramref name="shape"/> padded on the left with 1s to <paramref name="rank"/>.</summary>
    internal static int DimensionAligned(TensorShape shape, int i, int rank)
    {
        int offset = rank - shape.Rank;
        return i < offset ? 1 : shape[i - offset];
    }

    /// <summary>
    /// The fast paths. When one operand has the result's shape and the other, aligned to it, is a run of the result's
    /// trailing dimensions (a row: <c>[N, D] ∘ [D]</c>, <c>[N, D] ∘ [1, D]</c>) or of its leading dimensions (a column:
    /// <c>[N, D] ∘ [N, 1]</c>, or a single element), the result is a sequence of contiguous blocks, each one
    /// vectorized call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryBlockwise<TOp>(Tensor a, Tensor b, TensorShape shape, Span<double> result)
        where TOp : IBinaryOperator<TOp>
    {
        ReadOnlySpan<double> x = a.AsSpan(), y = b.AsSpan();
        if (a.Length == result.Length && b.Length == result.Length)
        {
            // The shapes differ only in leading 1s ([1, D] and [D]), so the elements line up one to one.
            TOp.Invoke(x, y, result);
            return true;
        }

        if (a.Length == result.Length)
        {
            // A column is checked first: it also covers a single element, in one call rather than one per element.
            if (IsLeadingRun(b.Shape, shape))
            {
                int block = x.Length / y.Length;
                for (int i = 0; i < y.Length; i++)
                {
                    TOp.Invoke(x.Slice(i * block, block), y[i], result.Slice(i * block, block));
                }

                return true;
            }

            if (IsTrailingRun(b.Shape, shape))
            {
                for (int start = 0; start < x.Length; start += y.Length)
                {
                    TOp.Invoke(x.Slice(start, y.Length), y, result.Slice(start, y.Length));
                }

                return true;
            }
        }

        if (b.Length == result.Length)
        {
            if (IsLeadingRun(a.Shape, shape))
            {
                int block = y.Length / x.Length;
                for (int i = 0; i < x.Length; i++)
                {
                    TOp.Invoke(x[i], y.Slice(i * block, block), result.Slice(i * block, block));
                }

                return true;
            }

            if (IsTrailingRun(a.Shape, shape))
            {
                for (int start = 0; start < y.Length; start += x.Length)
                {
                    TOp.Invoke(x, y.Slice(start, x.Length), result.Slice(start, x.Length));
                }

                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="part"/>, aligned to <paramref name="shape"/>, is <c>[s0, …, sk-1, 1, …, 1]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsLeadingRun(TensorShape part, TensorShape shape)
    {
        int i = 0;
        while (i < shape.Rank && DimensionAligned(part, i, shape.Rank) == shape[i])
        {
            i++;
        }

        for (; i < shape.Rank; i++)
        {
            if (DimensionAligned(part, i, shape.Rank) != 1)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether <paramref name="part"/>, aligned to <paramref name="shape"/>, is <c>[1, …, 1, sk, …, sn-1]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool IsTrailingRun(TensorShape part, TensorShape shape)
    {
        int i = shape.Rank - 1;
        while (i >= 0 && DimensionAligned(part, i, shape.Rank) == shape[i])
        {
            i--;
        }

        for (; i >= 0; i--)
        {
            if (DimensionAligned(part, i, shape.Rank) != 1)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The general path: walks the result one row (last axis) at a time, each operand advancing by its stride, which
    /// is 0 along the axes it is broadcast over; each row is one vectorized call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Strided<TOp>(Tensor a, Tensor b, TensorShape shape, Span<double> result)
        where TOp : IBinaryOperator<TOp>
    {
        ReadOnlySpan<double> x = a.AsSpan(), y = b.AsSpan();
        int rank = shape.Rank;
        int[] stridesA = BroadcastStrides(a.Shape, shape), stridesB = BroadcastStrides(b.Shape, shape);
        int rowLength = shape[rank - 1];
        bool rowOfA = stridesA[rank - 1] != 0, rowOfB = stridesB[rank - 1] != 0;

        var position = new int[rank - 1];
        int offsetA = 0, offsetB = 0;
        for (int start = 0; start < result.Length; start += rowLength)
        {
            var row = result.Slice(start, rowLength);
            if (rowOfA && rowOfB)
            {
                TOp.Invoke(x.Slice(offsetA, rowLength), y.Slice(offsetB, rowLength), row);
            }
            else if (rowOfA)
            {
                TOp.Invoke(x.Slice(offsetA, rowLength), y[offsetB], row);
            }
            else if (rowOfB)
            {
                TOp.Invoke(x[offsetA], y.Slice(offsetB, rowLength), row);
            }
            else
            {
                row.Fill(TOp.Invoke(x[offsetA], y[offsetB]));
            }

            // Advance to the next row like an odometer over the leading axes.
            for (int axis = rank - 2; axis >= 0; axis--)
            {
                offsetA += stridesA[axis];
                offsetB += stridesB[axis];
                if (++position[axis] < shape[axis])
                {
                    break;
                }

                offsetA -= stridesA[axis] * shape[axis];
                offsetB -= stridesB[axis] * shape[axis];
                position[axis] = 0;
            }
        }
    }

    /// <summary>The row-major strides of <paramref name="operand"/> aligned to <paramref name="shape"/>, 0 where it is broadcast.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int[] BroadcastStrides(TensorShape operand, TensorShape shape)
    {
        var strides = new int[shape.Rank];
        int stride = 1;
        for (int i = shape.Rank - 1; i >= 0; i--)
        {
            int dim = DimensionAligned(operand, i, shape.Rank);
            strides[i] = dim == 1 ? 0 : stride;
            stride *= dim;
        }

        return strides;
    }
}
