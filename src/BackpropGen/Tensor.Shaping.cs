using System;
using System.Runtime.CompilerServices;

namespace BackpropGen;

public sealed partial class Tensor
{
    /// <summary>
    /// The same elements in the same row-major order under another shape, as NumPy's <c>x.reshape(shape)</c>:
    /// one dimension may be -1, inferred from the others. No element is copied.
    /// </summary>
    /// <exception cref="ArgumentException">The element counts differ, or the shape has more than one -1 or another negative dimension.</exception>
    public static Tensor Reshape(Tensor x, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(shape);
        return Reshape(x, new TensorShape(InferDimension(x.Shape, shape)));
    }

    /// <summary>The same elements in the same row-major order under another shape. No element is copied.</summary>
    /// <exception cref="ArgumentException">The element counts differ; the message names both shapes.</exception>
    public static Tensor Reshape(Tensor x, TensorShape shape)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (shape.ElementCount != x.Length)
        {
            throw new ArgumentException(
                $"Cannot reshape shape {x.Shape} ({x.Length} elements) to {shape} ({shape.ElementCount} elements).", nameof(shape));
        }

        // Sharing is safe: no tensor ever writes its elements after construction.
        return new Tensor(x._data, shape);
    }

    /// <summary>
    /// Row i's element at column <c>index[i]</c>: for <paramref name="x"/> of shape <c>[N, C]</c>, the tensor of shape
    /// <c>[N]</c> that NumPy writes <c>x[np.arange(N), index]</c> (the correct-class scores of a softmax or SVM loss).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not 2-D, <paramref name="index"/> has not one entry per row, or an entry is out of range.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor Pick(Tensor x, int[] index)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckPickIndex(x.Shape, index, nameof(Pick));
        int columns = x.Shape[1];
        var result = NewBuffer(index.Length);
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = x._data[(i * columns) + index[i]];
        }

        return new Tensor(result, TensorShape.Of([index.Length]));
    }

    /// <summary>Replaces a single -1 in <paramref name="shape"/> by the size that makes the element counts match.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int[] InferDimension(TensorShape from, int[] shape)
    {
        int inferred = Array.IndexOf(shape, -1);
        if (inferred < 0)
        {
            return shape;
        }

        if (Array.IndexOf(shape, -1, inferred + 1) >= 0)
        {
            throw new ArgumentException(
                $"Cannot reshape shape {from} to {TensorShape.Format(shape)}: only one dimension can be -1.", nameof(shape));
        }

        long known = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            // Another negative dimension is left for TensorShape to reject.
            known *= i == inferred ? 1 : Math.Max(shape[i], 0);
        }

        if (known == 0 || from.ElementCount % known != 0)
        {
            throw new ArgumentException(
                $"Cannot reshape shape {from} ({from.ElementCount} elements) to {TensorShape.Format(shape)}: no size for -1 fits.",
                nameof(shape));
        }

        var resolved = (int[])shape.Clone();
        resolved[inferred] = (int)(from.ElementCount / known);
        return resolved;
    }

    /// <summary>Checks that <paramref name="index"/> picks one valid column of each row of a <c>[N, C]</c> shape.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CheckPickIndex(TensorShape shape, int[] index, string operation)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (shape.Rank != 2)
        {
            throw new ArgumentException($"{operation} needs a 2-D shape [N, C], but got shape {shape}.", nameof(shape));
        }

        if (index.Length != shape[0])
        {
            throw new ArgumentException(
                $"{operation} needs one index per row of shape {shape}, but the index has shape [{index.Length}].", nameof(index));
        }

        for (int i = 0; i < index.Length; i++)
        {
            if ((uint)index[i] >= (uint)shape[1])
            {
                throw new ArgumentException(
                    $"{operation} index {index[i]} at row {i} is out of range for shape {shape}; expected 0 to {shape[1] - 1}.",
                    nameof(index));
            }
        }
    }
}
