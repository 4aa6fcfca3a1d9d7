using System;
using BackpropGen.Kernels;

namespace BackpropGen;

// 2-D convolution and the two backwards its gradient needs, on the packed matrix product (Kernels/Convolution.cs).
public sealed partial class Tensor
{
    /// <summary>
    /// The 2-D convolution (cross-correlation, as CS231n's <c>conv_forward</c> and PyTorch's <c>conv2d</c>) of images
    /// <paramref name="x"/> <c>[N, C, H, W]</c> with filters <paramref name="w"/> <c>[F, C, HH, WW]</c>:
    /// <c>out[n, f, i, j] = Σ_{c, kh, kw} x[n, c, i·stride - padding + kh, j·stride - padding + kw] · w[f, c, kh, kw]</c>,
    /// the input read as 0 in the padding, of shape <c>[N, F, H', W']</c> where
    /// <c>H' = (H + 2·padding - HH) / stride + 1</c> rounded down, and likewise W'. A bias is added by broadcasting.
    /// </summary>
    /// <exception cref="ArgumentException">A shape is not 4-D, the channels differ, <paramref name="stride"/> is less than 1, <paramref name="padding"/> is negative or the kernel is larger than the padded input; the message names the shapes.</exception>
    public static Tensor Conv2D(Tensor x, Tensor w, int stride = 1, int padding = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(w);
        var layout = ConvolutionLayout.Of(nameof(Conv2D), x.Shape, w.Shape, stride, padding);
        var output = NewBuffer(layout.OutputShape.ElementCount);
        Convolution.Forward(layout, x.Elements, w.Elements, output, Convolution.ThreadsFor(layout));
        return new Tensor(output, layout.OutputShape);
    }

    /// <summary>
    /// The gradient of <c>Conv2D(x, w, stride, padding)</c> with respect to <c>x</c>, given the gradient
    /// <paramref name="dout"/> of its output: the transposed convolution of <paramref name="dout"/> with
    /// <paramref name="w"/>, of shape <paramref name="xShape"/> (only the input's shape is needed, not its values).
    /// </summary>
    /// <exception cref="ArgumentException">The shapes are not those of a convolution with this stride and padding, or <paramref name="dout"/> is not of its output's shape; the message names the shapes.</exception>
    public static Tensor Conv2DBackwardInput(Tensor dout, Tensor w, TensorShape xShape, int stride = 1, int padding = 0)
    {
        ArgumentNullException.ThrowIfNull(dout);
        ArgumentNullException.ThrowIfNull(w);
        var layout = ConvolutionLayout.Of(nameof(Conv2DBackwardInput), xShape, w.Shape, stride, padding);
        CheckOutputGradient(nameof(Conv2DBackwardInput), dout, layout);
        var dx = NewBuffer(xShape.ElementCount);
        Convolution.BackwardInput(layout, dout.Elements, w.Elements, dx, Convolution.ThreadsFor(layout));
        return new Tensor(dx, xShape);
    }

    /// <summary>
    /// The gradient of <c>Conv2D(x, w, stride, padding)</c> with respect to <c>w</c>, given the gradient
    /// <paramref name="dout"/> of its output: <c>dw[f, c, kh, kw] = Σ_{n, i, j} dout[n, f, i, j] · x[n, c, i·stride - padding + kh, j·stride - padding + kw]</c>,
    /// of shape <paramref name="wShape"/>. The sum over the images runs in a fixed order whatever the number of threads.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes are not those of a convolution with this stride and padding, or <paramref name="dout"/> is not of its output's shape; the message names the shapes.</exception>
    public static Tensor Conv2DBackwardFilter(Tensor dout, Tensor x, TensorShape wShape, int stride = 1, int padding = 0)
    {
        ArgumentNullException.ThrowIfNull(dout);
        ArgumentNullException.ThrowIfNull(x);
        var layout = ConvolutionLayout.Of(nameof(Conv2DBackwardFilter), x.Shape, wShape, stride, padding);
        CheckOutputGradient(nameof(Conv2DBackwardFilter), dout, layout);
        var dw = NewBuffer(wShape.ElementCount);
        Convolution.BackwardFilter(layout, dout.Elements, x.Elements, dw, Convolution.ThreadsFor(layout));
        return new Tensor(dw, wShape);
    }

    private static void CheckOutputGradient(string operation, Tensor dout, ConvolutionLayout layout)
    {
        if (dout.Shape != layout.OutputShape)
        {
            throw new ArgumentException(
                $"Cannot take {operation} of dout {dout.Shape}: Conv2D of x {layout.InputShape} and w {layout.FilterShape} with stride {layout.Stride} and padding {layout.Padding} has output {layout.OutputShape}.",
                nameof(dout));
        }
    }
}
