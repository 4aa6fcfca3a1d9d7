using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace BackpropGen;

// Parts of tensors and tensors made of parts: Slice, Take, Concat, Stack, and Transpose by any permutation of the axes.
// Each copies whole contiguous runs where it can: a tensor seen around one axis is [Outer, Size, Inner] (AxisLayout),
// and every run of Inner elements at one index along the axis is contiguous.
public sealed partial class Tensor
{
    /// <summary>
    /// The <paramref name="length"/> elements along <paramref name="axis"/> from <paramref name="start"/> on: NumPy's
    /// <c>x[..., start:start + length, ...]</c>, checked as PyTorch's <c>narrow</c> is rather than clipped, so that the
    /// result always has <paramref name="length"/> along the axis. A negative axis or start counts from the end; a length
    /// of 0 gives an empty slice.
    /// </summary>
    /// <exception cref="ArgumentException">The axis is out of range, or the slice does not lie inside the axis; the message names the shape.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor Slice(Tensor x, int axis, int start, int length)
    {
        ArgumentNullException.ThrowIfNull(x);
        int normalized = x.Shape.NormalizeAxis(axis);
        int from = SliceStart(nameof(Slice), x.Shape, axis, normalized, start, length);
        var layout = AxisLayout.Of(x.Shape, normalized);
        var result = NewBuffer(layout.Outer * length * layout.Inner);
        int run = length * layout.Inner;
        ReadOnlySpan<double> source = x._data;
        for (int o = 0; o < layout.Outer && run > 0; o++)
        {
            source.Slice(layout.SlabStart(o, from), run).CopyTo(result.AsSpan(o * run, run));
        }

        return new Tensor(result, WithDimension(x.Shape, normalized, length));
    }

    /// <summary>
    /// The elements at <paramref name="indices"/> along <paramref name="axis"/>, in their order: NumPy's
    /// <c>np.take(x, indices, axis)</c>, which gathers embedding rows (<c>Take(table, tokens, 0)</c>). An index may
    /// repeat; a negative index or axis counts from the end. The axis's size becomes <c>indices.Length</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The axis is out of range, or an index is; the message names it and the shape.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor Take(Tensor x, int[] indices, int axis)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(indices);
        int normalized = x.Shape.NormalizeAxis(axis);
        var taken = TakeIndices(nameof(Take), x.Shape, indices, axis, normalized);
        var layout = AxisLayout.Of(x.Shape, normalized);
        var result = NewBuffer(layout.Outer * taken.Length * layout.Inner);
        ReadOnlySpan<double> source = x._data;
        for (int o = 0; o < layout.Outer; o++)
        {
            for (int k = 0; k < taken.Length; k++)
            {
                source.Slice(layout.SlabStart(o, taken[k]), layout.Inner).CopyTo(result.AsSpan(((o * taken.Length) + k) * layout.Inner, layout.Inner));
            }
        }

        return new Tensor(result, WithDimension(x.Shape, normalized, taken.Length));
    }

    /// <summary>
    /// The parts joined along <paramref name="axis"/>, in order: NumPy's <c>np.concatenate(parts, axis)</c>. The parts
    /// have one rank (at least 1) and the same size along every other axis; a part may be empty along the axis. A
    /// negative axis counts from the end.
    /// </summary>
    /// <exception cref="ArgumentException">There are no parts, they are scalars, the axis is out of range, or their shapes do not fit; the message names the shapes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor Concat(int axis, params Tensor[] parts)
    {
        CheckParts(nameof(Concat), parts);
        var first = parts[0].Shape;
        if (first.Rank == 0)
        {
            throw new ArgumentException($"Cannot concatenate shapes {ShapesOf(parts)}: Concat joins tensors of rank 1 or more along an axis.", nameof(parts));
        }

        int normalized = first.NormalizeAxis(axis);
        int total = 0;
        foreach (var part in parts)
        {
            if (part.Rank != first.Rank || !SameExceptAlong(part.Shape, first, normalized))
            {
                throw new ArgumentException(
                    $"Cannot concatenate shapes {ShapesOf(parts)} along axis {axis}: every part must have shape {first} but for axis {axis}.",
                    nameof(parts));
            }

            total += part.Shape[normalized];
        }

        var shape = WithDimension(first, normalized, total);
        var layout = AxisLayout.Of(shape, normalized);
        var result = NewBuffer(shape.ElementCount);
        int at = 0;
        for (int o = 0; o < layout.Outer; o++)
        {
            foreach (var part in parts)
            {
                // Part p's run of its own size along the axis, one per outer index.
                int run = part.Shape[normalized] * layout.Inner;
                part._data.AsSpan(o * run, run).CopyTo(result.AsSpan(at, run));
                at += run;
            }
        }

        return new Tensor(result, shape);
    }

    /// <summary>
    /// The parts, all of one shape, stacked along a new axis at <paramref name="axis"/>: NumPy's <c>np.stack(parts, axis)</c>.
    /// The axis is one of the result's, from <c>-(rank + 1)</c> to <c>rank</c>, where rank is the parts' rank: a
    /// negative one counts from the end of the result's axes.
    /// </summary>
    /// <exception cref="ArgumentException">There are no parts, their shapes differ, or the axis is out of range; the message names the shapes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor Stack(int axis, params Tensor[] parts)
    {
        CheckParts(nameof(Stack), parts);
        var first = parts[0].Shape;
        foreach (var part in parts)
        {
            if (part.Shape != first)
            {
                throw new ArgumentException($"Cannot stack shapes {ShapesOf(parts)}: every part must have shape {first}.", nameof(parts));
            }
        }

        int normalized = StackAxis(first, axis);
        var shape = Inserted(first, normalized, parts.Length);
        var layout = AxisLayout.Of(shape, normalized);
        var result = NewBuffer(shape.ElementCount);
        for (int o = 0; o < layout.Outer; o++)
        {
            for (int p = 0; p < parts.Length; p++)
            {
                parts[p]._data.AsSpan(o * layout.Inner, layout.Inner).CopyTo(result.AsSpan(layout.SlabStart(o, p), layout.Inner));
            }
        }

        return new Tensor(result, shape);
    }

    /// <summary>
    /// The axes of <paramref name="x"/> in the order <paramref name="axes"/> gives: NumPy's <c>np.transpose(x, axes)</c>,
    /// axis i of the result being axis <c>axes[i]</c> of <paramref name="x"/>. The axes are a permutation of the rank's
    /// axes; a negative one counts from the end. <see cref="Transpose(Tensor)"/>, without axes, swaps a matrix's two.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="axes"/> is not a permutation of the axes; the message names it and the shape.</exception>
    public static Tensor Transpose(Tensor x, params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(x);
        var permutation = Permutation(nameof(Transpose), x.Shape, axes);
        return Permuted(x, permutation);
    }

    /// <summary>
    /// The start of a slice along an axis, negative counted from the end, after checking that the slice lies inside it.
    /// <paramref name="axis"/> is as the caller wrote it, for the message; <paramref name="normalized"/> is in range.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SliceStart(string operation, TensorShape shape, int axis, int normalized, int start, int length)
    {
        int size = shape[normalized];
        int from = start < 0 ? start + size : start;
        if (length < 0 || from < 0 || from > size - length)
        {
            ThrowSliceOutside(operation, shape, axis, size, start, length);
        }

        return from;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowSliceOutside(string operation, TensorShape shape, int axis, int size, int start, int length) =>
        throw new ArgumentException(
            $"{operation} of {length} elements from {start} along axis {axis} does not fit shape {shape}, whose axis {axis} has {size}; " +
            $"expected a start from {-size} to {size} and a length of 0 or more that ends inside the axis.",
            nameof(start));

    /// <summary>The indices of a take along an axis of <paramref name="shape"/>, each checked and made non-negative.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int[] TakeIndices(string operation, TensorShape shape, int[] indices, int axis, int normalized)
    {
        int size = shape[normalized];
        var taken = new int[indices.Length];
        for (int k = 0; k < indices.Length; k++)
        {
            int index = indices[k] < 0 ? indices[k] + size : indices[k];
            if ((uint)index >= (uint)size)
            {
                throw new ArgumentException(
                    $"{operation} index {indices[k]} at position {k} is out of range for axis {axis} of shape {shape}; expected {-size} to {size - 1}.",
                    nameof(indices));
            }

            taken[k] = index;
        }

        return taken;
    }

    /// <summary>Checks that a list of parts has at least one, and no null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CheckParts(string operation, Tensor[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Length == 0)
        {
            throw new ArgumentException($"{operation} needs at least one part.", nameof(parts));
        }

        foreach (var part in parts)
        {
            ArgumentNullException.ThrowIfNull(part, nameof(parts));
        }
    }

    /// <summary>Where the new axis of a stack of parts of <paramref name="shape"/> goes, in [0, rank]; the message names the shape.</summary>
    private static int StackAxis(TensorShape shape, int axis)
    {
        int rank = shape.Rank + 1;
        int normalized = axis < 0 ? axis + rank : axis;
        if ((uint)normalized >= (uint)rank)
        {
            throw new ArgumentException(
                $"Axis {axis} is out of range for stacking parts of shape {shape}; expected an axis of the result, in [{-rank}, {rank}).",
                nameof(axis));
        }

        return normalized;
    }

    /// <summary>The axes as a permutation with each axis non-negative, after checking that it is one; the message names the shape.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int[] Permutation(string operation, TensorShape shape, int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        var permutation = new int[axes.Length];
        var seen = new bool[shape.Rank];
        bool valid = axes.Length == shape.Rank;
        for (int i = 0; valid && i < axes.Length; i++)
        {
            int axis = axes[i] < 0 ? axes[i] + shape.Rank : axes[i];
            valid = (uint)axis < (uint)shape.Rank && !seen[axis];
            if (valid)
            {
                seen[axis] = true;
                permutation[i] = axis;
            }
        }

        if (!valid)
        {
            throw new ArgumentException(
                $"{operation} axes {TensorShape.Format(axes)} are not a permutation of the {shape.Rank} axes of shape {shape}; " +
                $"expected each axis from {-shape.Rank} to {shape.Rank - 1} once.",
                nameof(axes));
        }

        return permutation;
    }

    /// <summary>
    /// <paramref name="x"/> with its axes in the order of <paramref name="permutation"/> (checked): the result is walked
    /// in row-major order, the offset in <paramref name="x"/> kept up to date as an odometer of the result's index turns.
    /// When the last axis stays last, whole rows are copied.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Tensor Permuted(Tensor x, int[] permutation)
    {
        int rank = x.Rank;
        var dims = new int[rank];
        var steps = new int[rank];
        int stride = 1;
        var strides = new int[rank];
        for (int a = rank - 1; a >= 0; a--)
        {
            strides[a] = stride;
            stride *= x.Shape[a];
        }

        bool identity = true;
        for (int i = 0; i < rank; i++)
        {
            dims[i] = x.Shape[permutation[i]];
            steps[i] = strides[permutation[i]];
            identity &= permutation[i] == i;
        }

        var shape = TensorShape.Of(dims);
        if (identity)
        {
            // Sharing is safe: no tensor ever writes its elements after construction.
            return new Tensor(x._data, shape);
        }

        var result = NewBuffer(x.Length);
        if (result.Length == 0)
        {
            return new Tensor(result, shape);
        }

        // Runs of one element, or whole rows when the last axis stays last; the odometer turns the axes before the run.
        bool rows = permutation[rank - 1] == rank - 1;
        int run = rows ? dims[rank - 1] : 1;
        int turning = rows ? rank - 1 : rank;
        var counter = new int[rank];
        ReadOnlySpan<double> source = x._data;
        int offset = 0;
        for (int at = 0; at < result.Length; at += run)
        {
            if (rows)
            {
                source.Slice(offset, run).CopyTo(result.AsSpan(at, run));
            }
            else
            {
                result[at] = source[offset];
            }

            for (int a = turning - 1; a >= 0; a--)
            {
                offset += steps[a];
                if (++counter[a] < dims[a])
                {
                    break;
                }

                offset -= steps[a] * dims[a];
                counter[a] = 0;
            }
        }

        return new Tensor(result, shape);
    }

    /// <summary>Whether two shapes of one rank agree on every axis but <paramref name="axis"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool SameExceptAlong(TensorShape a, TensorShape b, int axis)
    {
        ReadOnlySpan<int> left = a.Dims, right = b.Dims;
        if (left.Length != right.Length)
        {
            return false;
        }

        for (int i = 0; i < left.Length; i++)
        {
            if (i != axis && left[i] != right[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><paramref name="shape"/> with axis <paramref name="axis"/> (normalized) of size <paramref name="size"/>.</summary>
    private static TensorShape WithDimension(TensorShape shape, int axis, int size)
    {
        var dims = shape.ToArray();
        dims[axis] = size;
        return TensorShape.Of(dims);
    }

    /// <summary><paramref name="shape"/> with a new axis of size <paramref name="size"/> at <paramref name="axis"/> (in [0, rank]).</summary>
    private static TensorShape Inserted(TensorShape shape, int axis, int size)
    {
        var dims = new int[shape.Rank + 1];
        shape.Dims[..axis].CopyTo(dims);
        dims[axis] = size;
        shape.Dims[axis..].CopyTo(dims.AsSpan(axis + 1));
        return TensorShape.Of(dims);
    }

    /// <summary>The parts' shapes, for a message: <c>[2, 3], [2, 4]</c>.</summary>
    private static string ShapesOf(Tensor[] parts) => string.Join(", ", Array.ConvertAll(parts, p => p.Shape.ToString()));
}
