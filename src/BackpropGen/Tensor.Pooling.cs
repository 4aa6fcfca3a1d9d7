using System;
using System.Runtime.CompilerServices;
using BackpropGen.Kernels;

namespace BackpropGen;

// Max and average pooling over the last two axes of [N, C, H, W], and their backwards (Kernels/Pooling.cs).
public sealed partial class Tensor
{
    /// <summary>
    /// The largest value of each <paramref name="size"/> × <paramref name="size"/> window of <paramref name="x"/>
    /// <c>[N, C, H, W]</c>, windows <paramref name="stride"/> apart, no padding: <c>[N, C, H', W']</c> with
    /// <c>H' = (H - size) / stride + 1</c> rounded down, and likewise W'. A NaN in a window is its maximum.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not 4-D, the size or stride is less than 1, or the window is larger than the input; the message names the shape.</exception>
    public static Tensor MaxPool2D(Tensor x, int size, int stride) => MaxPool2DWithIndices(x, size, stride).Output;

    /// <summary>
    /// <see cref="MaxPool2D"/>, and for each output element the flat (row-major) index in <paramref name="x"/> of the
    /// element it took: the first of a window's largest in row-major order. The indices are all
    /// <see cref="MaxPool2DBackward(Tensor, int[], TensorShape)"/> needs, one <see cref="int"/> per output element rather than a mask of x's size.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not 4-D, the size or stride is less than 1, or the window is larger than the input; the message names the shape.</exception>
    public static (Tensor Output, int[] Indices) MaxPool2DWithIndices(Tensor x, int size, int stride)
    {
        ArgumentNullException.ThrowIfNull(x);
        var layout = PoolingLayout.Of(nameof(MaxPool2D), x.Shape, size, stride);
        int count = layout.OutputShape.ElementCount;
        var output = NewBuffer(count);
        var indices = GC.AllocateUninitializedArray<int>(count);
        Pooling.MaxForward(layout, x.Elements, output, indices);
        return (new Tensor(output, layout.OutputShape), indices);
    }

    /// <summary>
    /// <see cref="MaxPool2D"/>, and where each output element came from (<see cref="MaxPoolArgmax"/>: the indices of
    /// <see cref="MaxPool2DWithIndices"/> and x's shape), all <see cref="MaxPool2DBackward(Tensor, MaxPoolArgmax)"/> needs.
    /// The generated forward calls this, and its cache keeps the argmax rather than <paramref name="x"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not 4-D, the size or stride is less than 1, or the window is larger than the input; the message names the shape.</exception>
    public static (Tensor Output, MaxPoolArgmax Argmax) MaxPool2DWithArgmax(Tensor x, int size, int stride)
    {
        var (output, indices) = MaxPool2DWithIndices(x, size, stride);
        return (output, new MaxPoolArgmax(indices, x.Shape));
    }

    /// <summary>
    /// The gradient of <see cref="MaxPool2D"/> with respect to its input, from where <see cref="MaxPool2DWithArgmax"/>
    /// found each maximum: <see cref="MaxPool2DBackward(Tensor, int[], TensorShape)"/> of its indices to its input's shape.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="dout"/> is not the shape of the max pool the argmax is of; the message names the shapes.</exception>
    public static Tensor MaxPool2DBackward(Tensor dout, MaxPoolArgmax argmax)
    {
        ArgumentNullException.ThrowIfNull(argmax);
        return MaxPool2DBackward(dout, argmax.Flat, argmax.InputShape);
    }

    /// <summary>
    /// The gradient of <see cref="MaxPool2D"/> with respect to its input of shape <paramref name="xShape"/>: each element of
    /// <paramref name="dout"/> added at the index <see cref="MaxPool2DWithIndices"/> recorded for it (an element that is
    /// the maximum of several overlapping windows gets the sum), 0 elsewhere.
    /// </summary>
    /// <exception cref="ArgumentException">There is not one index per element of <paramref name="dout"/>, <paramref name="dout"/> is not the shape of a max pool of <paramref name="xShape"/>, or an index is not in its output's plane of x; the message names the shapes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor MaxPool2DBackward(Tensor dout, int[] indices, TensorShape xShape)
    {
        ArgumentNullException.ThrowIfNull(dout);
        ArgumentNullException.ThrowIfNull(indices);
        if (xShape.Rank != 4 || dout.Rank != 4 || dout.Shape[0] != xShape[0] || dout.Shape[1] != xShape[1] || dout.Shape[2] > xShape[2] || dout.Shape[3] > xShape[3])
        {
            throw new ArgumentException($"Cannot take {nameof(MaxPool2DBackward)} of dout {dout.Shape} to x {xShape}: no max pool of {xShape} has that shape.", nameof(dout));
        }

        if (indices.Length != dout.Length)
        {
            throw new ArgumentException(
                $"Cannot take {nameof(MaxPool2DBackward)} of dout {dout.Shape} with {indices.Length} indices: one per element of dout ({dout.Length}) is needed.", nameof(indices));
        }

        // Each index must lie in its output's own plane: the planes are then independent, and a wrong index cannot write
        // outside dx.
        int planeLength = xShape[2] * xShape[3], planeOutputs = dout.Shape[2] * dout.Shape[3];
        for (int o = 0; o < indices.Length; o++)
        {
            if (indices[o] / planeLength != o / planeOutputs || indices[o] < 0)
            {
                throw new ArgumentException(
                    $"Cannot take {nameof(MaxPool2DBackward)} of dout {dout.Shape} to x {xShape}: index {indices[o]} of output {o} is not in that output's plane of x.", nameof(indices));
            }
        }

        var dx = new double[xShape.ElementCount];
        Pooling.MaxBackward(planes: xShape[0] * xShape[1], planeLength, planeOutputs, dout.Elements, indices, dx);
        return new Tensor(dx, xShape);
    }

    /// <summary>
    /// The mean of each <paramref name="size"/> × <paramref name="size"/> window of <paramref name="x"/>
    /// <c>[N, C, H, W]</c>, windows <paramref name="stride"/> apart, no padding: <c>[N, C, H', W']</c> with
    /// <c>H' = (H - size) / stride + 1</c> rounded down, and likewise W'.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not 4-D, the size or stride is less than 1, or the window is larger than the input; the message names the shape.</exception>
    public static Tensor AvgPool2D(Tensor x, int size, int stride)
    {
        ArgumentNullException.ThrowIfNull(x);
        var layout = PoolingLayout.Of(nameof(AvgPool2D), x.Shape, size, stride);
        var output = NewBuffer(layout.OutputShape.ElementCount);
        Pooling.AverageForward(layout, x.Elements, output);
        return new Tensor(output, layout.OutputShape);
    }

    /// <summary>
    /// The gradient of <see cref="AvgPool2D"/> with respect to its input of shape <paramref name="xShape"/>: each element
    /// of <paramref name="dout"/> divided by <c>size²</c> and added over its window.
    /// </summary>
    /// <exception cref="ArgumentException">The pooling's shape, size or stride is refused as <see cref="AvgPool2D"/> refuses it, or <paramref name="dout"/> is not of its output's shape; the message names the shapes.</exception>
    public static Tensor AvgPool2DBackward(Tensor dout, TensorShape xShape, int size, int stride)
    {
        ArgumentNullException.ThrowIfNull(dout);
        var layout = PoolingLayout.Of(nameof(AvgPool2DBackward), xShape, size, stride);
        if (dout.Shape != layout.OutputShape)
        {
            throw new ArgumentException(
                $"Cannot take {nameof(AvgPool2DBackward)} of dout {dout.Shape}: AvgPool2D of x {xShape} with size {size} and stride {stride} has output {layout.OutputShape}.", nameof(dout));
        }

        var dx = new double[xShape.ElementCount];
        Pooling.AverageBackward(layout, dout.Elements, dx);
        return new Tensor(dx, xShape);
    }
}
