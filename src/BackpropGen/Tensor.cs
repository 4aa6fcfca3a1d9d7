using System;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace BackpropGen;

/// <summary>
/// An immutable n-dimensional array of <see cref="double"/> values in row-major order, with NumPy broadcasting
/// rules. Every operation returns a new tensor and leaves its inputs unchanged, which is what lets a generated
/// forward pass keep intermediate values in its cache for the backward pass.
/// </summary>
/// <remarks>
/// The operations are static so that a <c>[Differentiable]</c> method reads like NumPy with
/// <c>using static BackpropGen.Tensor;</c>: <c>Sum(x, axis: 0)</c>, <c>Sqrt(variance + eps)</c>.
/// </remarks>
public sealed partial class Tensor
{
    private const int MaxElementsShown = 20;

    // Never written after construction, so tensors can share it (Reshape does).
    private readonly double[] _data;

    /// <summary>The elements, for the row readers of fused passes, which read them in place and never write them.</summary>
    internal double[] Elements => _data;

    /// <summary>Wraps <paramref name="data"/> without copying it: the caller hands it over and never writes it again.</summary>
    internal Tensor(double[] data, TensorShape shape)
    {
        Debug.Assert(data.Length == shape.ElementCount, "The data must hold exactly the shape's elements.");
        _data = data;
        Shape = shape;
    }

    /// <summary>Where the element at <paramref name="index"/> of a row-major <paramref name="shape"/> is.</summary>
    /// <exception cref="ArgumentException">The index does not have one coordinate per dimension.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A coordinate is outside its dimension.</exception>
    internal static int OffsetOf(TensorShape shape, int[] index)
    {
        ArgumentNullException.ThrowIfNull(index);
        return OffsetOf(shape, (ReadOnlySpan<int>)index);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int OffsetOf(TensorShape shape, ReadOnlySpan<int> index)
    {
        if (index.Length != shape.Rank)
        {
            throw new ArgumentException(
                $"Index {TensorShape.Format(index)} has {index.Length} coordinates, but shape {shape} has rank {shape.Rank}.",
                nameof(index));
        }

        int offset = 0;
        for (int axis = 0; axis < index.Length; axis++)
        {
            int size = shape[axis];
            if ((uint)index[axis] >= (uint)size)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(index), $"Index {TensorShape.Format(index)} is out of range for shape {shape}.");
            }

            offset = (offset * size) + index[axis];
        }

        return offset;
    }

    // The offsets of one to four coordinates, checked as the span form checks them but inlined into the caller and
    // without its loop: a loop over a tensor's elements reads one in every iteration (a call of the span form cost about
    // 6 ns a read, most of a scalar objective's time). An index they do not pass goes to the span form, which throws
    // for a bad one with its message.

    /// <summary>Where element <paramref name="i"/> of a vector of <paramref name="shape"/> is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int OffsetOf(TensorShape shape, int i)
    {
        var dims = shape.Dims;
        return dims.Length == 1 && (uint)i < (uint)dims[0] ? i : CheckedOffset(shape, i);
    }

    /// <summary>Where element <c>[i, j]</c> of a matrix of <paramref name="shape"/> is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int OffsetOf(TensorShape shape, int i, int j)
    {
        var dims = shape.Dims;
        return dims.Length == 2 && (uint)i < (uint)dims[0] && (uint)j < (uint)dims[1] ? (i * dims[1]) + j : CheckedOffset(shape, i, j);
    }

    /// <summary>Where element <c>[i, j, k]</c> of a tensor of rank 3 of <paramref name="shape"/> is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int OffsetOf(TensorShape shape, int i, int j, int k)
    {
        var dims = shape.Dims;
        return dims.Length == 3 && (uint)i < (uint)dims[0] && (uint)j < (uint)dims[1] && (uint)k < (uint)dims[2]
            ? (((i * dims[1]) + j) * dims[2]) + k
            : CheckedOffset(shape, i, j, k);
    }

    /// <summary>Where element <c>[i, j, k, l]</c> of a tensor of rank 4 of <paramref name="shape"/> is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int OffsetOf(TensorShape shape, int i, int j, int k, int l)
    {
        var dims = shape.Dims;
        return dims.Length == 4 && (uint)i < (uint)dims[0] && (uint)j < (uint)dims[1] && (uint)k < (uint)dims[2] && (uint)l < (uint)dims[3]
            ? (((((i * dims[1]) + j) * dims[2]) + k) * dims[3]) + l
            : CheckedOffset(shape, i, j, k, l);
    }

    // Out of line, so that the inlined checks above stay small.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int CheckedOffset(TensorShape shape, int i) => OffsetOf(shape, [i]);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int CheckedOffset(TensorShape shape, int i, int j) => OffsetOf(shape, [i, j]);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int CheckedOffset(TensorShape shape, int i, int j, int k) => OffsetOf(shape, [i, j, k]);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int CheckedOffset(TensorShape shape, int i, int j, int k, int l) => OffsetOf(shape, [i, j, k, l]);

    /// <summary>The size of each dimension: <c>x.Shape[0]</c> is the number of rows of a matrix.</summary>
    public TensorShape Shape { get; }

    /// <summary>The number of dimensions: 0 for a scalar tensor, 1 for a vector, 2 for a matrix.</summary>
    public int Rank => Shape.Rank;

    /// <summary>The number of elements (the product of the dimensions).</summary>
    public int Length => _data.Length;

    /// <summary>The element at <paramref name="index"/>, one coordinate per dimension: <c>x[i, j]</c>; <c>x[[]]</c> (no coordinates) for rank 0.</summary>
    /// <exception cref="ArgumentException">The index does not have one coordinate per dimension.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A coordinate is outside its dimension.</exception>
    public double this[params int[] index]
    {
        get => _data[OffsetOf(Shape, index)];
    }

    // The indexers of one to four coordinates spare an element read the array that the params form allocates on every
    // read, and its loop over the coordinates: a loop over the elements reads them in its every iteration.

    /// <summary>The element at <paramref name="i"/> of a vector: <c>x[i]</c>.</summary>
    /// <exception cref="ArgumentException">The tensor is not a vector.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The coordinate is outside the dimension.</exception>
    public double this[int i] => _data[OffsetOf(Shape, i)];

    /// <summary>The element at row <paramref name="i"/>, column <paramref name="j"/> of a matrix: <c>x[i, j]</c>.</summary>
    /// <exception cref="ArgumentException">The tensor is not a matrix.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A coordinate is outside its dimension.</exception>
    public double this[int i, int j] => _data[OffsetOf(Shape, i, j)];

    /// <summary>The element at <c>[i, j, k]</c> of a tensor of rank 3.</summary>
    /// <exception cref="ArgumentException">The tensor's rank is not 3.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A coordinate is outside its dimension.</exception>
    public double this[int i, int j, int k] => _data[OffsetOf(Shape, i, j, k)];

    /// <summary>The element at <c>[i, j, k, l]</c> of a tensor of rank 4.</summary>
    /// <exception cref="ArgumentException">The tensor's rank is not 4.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A coordinate is outside its dimension.</exception>
    public double this[int i, int j, int k, int l] => _data[OffsetOf(Shape, i, j, k, l)];

    /// <summary>Returns the elements as a new flat array in row-major order.</summary>
    public double[] ToArray() => CopyOf(_data);

    /// <summary>The elements in row-major order, read-only and without a copy.</summary>
    public ReadOnlySpan<double> AsSpan() => _data;

    /// <summary>The shape and the elements in row-major order, the elements cut short after the first few.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override string ToString()
    {
        var text = new StringBuilder("Tensor ").Append(Shape.ToString()).Append(" {");
        int shown = Math.Min(_data.Length, MaxElementsShown);
        for (int i = 0; i < shown; i++)
        {
            text.Append(i == 0 ? " " : ", ").Append(_data[i].ToString(CultureInfo.InvariantCulture));
        }

        if (shown < _data.Length)
        {
            text.Append(CultureInfo.InvariantCulture, $", … ({_data.Length - shown} more)");
        }

        return text.Append(shown == 0 ? "}" : " }").ToString();
    }

    /// <summary>
    /// A new array for a result whose every element the caller writes. Skipping the zeroing that <c>new double[n]</c>
    /// does makes a large elementwise operation about twice as fast.
    /// </summary>
    internal static double[] NewBuffer(int length) => GC.AllocateUninitializedArray<double>(length);

    /// <summary>A fresh array of <paramref name="values"/>: through a span rather than Array.Clone, whose general path costs a small tensor more than its copy.</summary>
    internal static double[] CopyOf(ReadOnlySpan<double> values)
    {
        var copy = NewBuffer(values.Length);
        values.CopyTo(copy);
        return copy;
    }
}
