using System;
using BackpropGen.Kernels;
using Xunit;

namespace BackpropGen.Tests.Runtime;

/// <summary>Conv2D and its backwards against CS231n's naive loops, central differences, and themselves on other thread counts.</summary>
public class ConvolutionTests
{
    // N, C, H, W, F, HH, WW, stride, padding: strides 1, 2, 3; padding 0, 1, 2; non-square kernels and images; a kernel
    // as large as the padded image; 1 × 1; more channels and filters than a tile; more images than groups.
    public static TheoryData<int, int, int, int, int, int, int, int, int> Shapes() => new()
    {
        { 2, 3, 7, 7, 4, 3, 3, 1, 0 },
        { 2, 3, 7, 7, 4, 3, 3, 1, 1 },
        { 2, 3, 7, 7, 4, 3, 3, 2, 1 },
        { 2, 3, 8, 8, 4, 3, 3, 2, 0 },
        { 1, 2, 8, 5, 3, 3, 2, 2, 2 },
        { 1, 2, 5, 8, 3, 2, 3, 1, 2 },
        { 3, 1, 5, 5, 2, 5, 5, 1, 0 },
        { 1, 2, 3, 3, 2, 5, 5, 1, 1 },
        { 1, 1, 1, 1, 1, 1, 1, 1, 0 },
        { 2, 3, 6, 9, 2, 1, 3, 2, 0 },
        { 1, 2, 4, 4, 3, 3, 3, 3, 2 },
        { 2, 9, 6, 6, 7, 3, 3, 1, 1 },
        { 20, 2, 5, 5, 3, 3, 3, 1, 1 }, // more images than the filter gradient's 16 groups: some sum two
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Conv2D_and_its_backwards_agree_with_the_naive_loops(int n, int c, int h, int w, int f, int hh, int ww, int stride, int padding)
    {
        var x = Tensor.RandomNormal(1, n, c, h, w);
        var filters = Tensor.RandomNormal(2, f, c, hh, ww);
        var output = Tensor.Conv2D(x, filters, stride, padding);
        var dout = Tensor.RandomNormal(3, output.Shape.ToArray());

        var (expected, expectedDx, expectedDw) = Naive(x, filters, dout, stride, padding);

        TensorAssert.Equal(expected.Shape.ToArray(), expected.ToArray(), output, 1e-12);
        TensorAssert.Equal([n, c, h, w], expectedDx.ToArray(), Tensor.Conv2DBackwardInput(dout, filters, x.Shape, stride, padding), 1e-12);
        TensorAssert.Equal([f, c, hh, ww], expectedDw.ToArray(), Tensor.Conv2DBackwardFilter(dout, x, filters.Shape, stride, padding), 1e-12);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_backwards_agree_with_central_differences(int n, int c, int h, int w, int f, int hh, int ww, int stride, int padding)
    {
        var x = Tensor.RandomNormal(4, n, c, h, w);
        var filters = Tensor.RandomNormal(5, f, c, hh, ww);
        var dout = Tensor.RandomNormal(6, Tensor.Conv2D(x, filters, stride, padding).Shape.ToArray());

        var dx = Tensor.Conv2DBackwardInput(dout, filters, x.Shape, stride, padding);
        var dw = Tensor.Conv2DBackwardFilter(dout, x, filters.Shape, stride, padding);

        MatMulTests.AssertCloseToCentralDifferences(dx, GradCheck.Numerical(v => Tensor.Conv2D(v, filters, stride, padding), x, dout), "dx");
        MatMulTests.AssertCloseToCentralDifferences(dw, GradCheck.Numerical(v => Tensor.Conv2D(x, v, stride, padding), filters, dout), "dw");
    }

    [Fact]
    public void A_one_by_one_convolution_is_a_matrix_product_over_the_channels()
    {
        var x = Tensor.FromArray([1, 2, 3, 4, 5, 6, 7, 8], 1, 2, 2, 2);
        var w = Tensor.FromArray([1, 10, -1, 0.5], 2, 2, 1, 1);

        TensorAssert.Equal([1, 2, 2, 2], [51, 62, 73, 84, 1.5, 1, 0.5, 0], Tensor.Conv2D(x, w));
    }

    // Images shared out over the threads (N ≥ threads), or one by one with threads inside each product; the filter
    // gradient's fixed groups of images, 16 of them at most, with 40 images.
    [Theory]
    [InlineData(6, 16, 12, 12, 24, 3, 3, 1, 1)]
    [InlineData(40, 3, 9, 9, 8, 3, 3, 2, 1)]
    [InlineData(1, 16, 30, 30, 32, 3, 3, 1, 1)]
    public void Any_number_of_threads_gives_the_same_bits(int n, int c, int h, int w, int f, int hh, int ww, int stride, int padding)
    {
        var x = Tensor.RandomNormal(7, n, c, h, w);
        var filters = Tensor.RandomNormal(8, f, c, hh, ww);
        var layout = ConvolutionLayout.Of("Conv2D", x.Shape, filters.Shape, stride, padding);
        var dout = Tensor.RandomNormal(9, layout.OutputShape.ToArray());

        double[] Run(int which, int threads)
        {
            switch (which)
            {
                case 0:
                    var output = new double[layout.OutputShape.ElementCount];
                    Convolution.Forward(layout, x.ToArray(), filters.ToArray(), output, threads);
                    return output;
                case 1:
                    var dx = new double[x.Length];
                    Convolution.BackwardInput(layout, dout.ToArray(), filters.ToArray(), dx, threads);
                    return dx;
                default:
                    var dw = new double[filters.Length];
                    Convolution.BackwardFilter(layout, dout.ToArray(), x.ToArray(), dw, threads);
                    return dw;
            }
        }

        for (int which = 0; which < 3; which++)
        {
            var one = Run(which, 1);
            foreach (int threads in new[] { 2, 3, 8 })
            {
                Assert.True(GemmTests.SameBits(one, Run(which, threads)), $"{threads} threads changed some bits of product {which}.");
            }
        }

        Assert.True(GemmTests.SameBits(Run(0, 1), Tensor.Conv2D(x, filters, stride, padding).ToArray()));
        Assert.True(GemmTests.SameBits(Run(2, 1), Tensor.Conv2DBackwardFilter(dout, x, filters.Shape, stride, padding).ToArray()));
    }

    [Theory]
    [InlineData(new[] { 2, 3, 7, 7 }, new[] { 4, 2, 3, 3 }, 1, 0, "x has 3 channels and w 2")]
    [InlineData(new[] { 2, 3, 4, 7 }, new[] { 4, 3, 5, 3 }, 1, 0, "the kernel 5×3 is larger than the padded input 4×7")]
    [InlineData(new[] { 2, 3, 4, 4 }, new[] { 4, 3, 7, 3 }, 1, 1, "the kernel 7×3 is larger than the padded input 6×6")]
    [InlineData(new[] { 2, 3, 7, 7 }, new[] { 4, 3, 3, 3 }, 0, 0, "the stride must be at least 1")]
    [InlineData(new[] { 2, 3, 7, 7 }, new[] { 4, 3, 3, 3 }, 1, -1, "the padding must not be negative")]
    [InlineData(new[] { 3, 7, 7 }, new[] { 4, 3, 3, 3 }, 1, 0, "x must be [N, C, H, W] and w [F, C, HH, WW]")]
    [InlineData(new[] { 2, 3, 7, 7 }, new[] { 3, 3, 3 }, 1, 0, "x must be [N, C, H, W]")]
    public void Conv2D_refuses_shapes_naming_them(int[] xShape, int[] wShape, int stride, int padding, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Conv2D(Tensor.Zeros(xShape), Tensor.Zeros(wShape), stride, padding));

        TensorAssert.MessageNames(error, nameof(Tensor.Conv2D), new TensorShape(xShape).ToString(), new TensorShape(wShape).ToString(), reason);
    }

    [Fact]
    public void The_backwards_refuse_a_dout_of_another_shape_naming_the_shapes()
    {
        var x = Tensor.Zeros(2, 3, 7, 7);
        var w = Tensor.Zeros(4, 3, 3, 3);
        var dout = Tensor.Zeros(2, 4, 7, 7);

        var input = Assert.Throws<ArgumentException>(() => Tensor.Conv2DBackwardInput(dout, w, x.Shape, stride: 1, padding: 0));
        var filter = Assert.Throws<ArgumentException>(() => Tensor.Conv2DBackwardFilter(dout, x, w.Shape, stride: 2, padding: 1));

        TensorAssert.MessageNames(input, nameof(Tensor.Conv2DBackwardInput), "[2, 4, 7, 7]", "[2, 3, 7, 7]", "[4, 3, 3, 3]", "[2, 4, 5, 5]");
        TensorAssert.MessageNames(filter, nameof(Tensor.Conv2DBackwardFilter), "[2, 4, 7, 7]", "[2, 4, 4, 4]", "stride 2 and padding 1");
    }

    [Fact]
    public void No_images_give_an_empty_output_and_a_zero_filter_gradient()
    {
        var x = Tensor.Zeros(0, 2, 5, 5);
        var w = Tensor.Ones(3, 2, 3, 3);
        var dout = Tensor.Zeros(0, 3, 3, 3);

        Assert.Equal(new TensorShape(0, 3, 3, 3), Tensor.Conv2D(x, w).Shape);
        TensorAssert.Equal([3, 2, 3, 3], new double[54], Tensor.Conv2DBackwardFilter(dout, x, w.Shape));
    }

    /// <summary>CS231n's conv_forward_naive and its backward, loop by loop over the padded input.</summary>
    internal static (Tensor Output, Tensor Dx, Tensor Dw) Naive(Tensor x, Tensor w, Tensor dout, int stride, int padding)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], width = x.Shape[3], f = w.Shape[0], hh = w.Shape[2], ww = w.Shape[3];
        int outH = 1 + ((h + (2 * padding) - hh) / stride), outW = 1 + ((width + (2 * padding) - ww) / stride);
        var output = new double[n * f * outH * outW];
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        for (int image = 0; image < n; image++)
        {
            for (int filter = 0; filter < f; filter++)
            {
                for (int i = 0; i < outH; i++)
                {
                    for (int j = 0; j < outW; j++)
                    {
                        int o = (((((image * f) + filter) * outH) + i) * outW) + j;
                        for (int channel = 0; channel < c; channel++)
                        {
                            for (int kh = 0; kh < hh; kh++)
                            {
                                for (int kw = 0; kw < ww; kw++)
                                {
                                    int row = (i * stride) - padding + kh, column = (j * stride) - padding + kw;
                                    if (row < 0 || row >= h || column < 0 || column >= width)
                                    {
                                        continue;
                                    }

                                    int xi = (((((image * c) + channel) * h) + row) * width) + column;
                                    int wi = (((((filter * c) + channel) * hh) + kh) * ww) + kw;
                                    output[o] += x.AsSpan()[xi] * w.AsSpan()[wi];
                                    dx[xi] += dout.AsSpan()[o] * w.AsSpan()[wi];
                                    dw[wi] += dout.AsSpan()[o] * x.AsSpan()[xi];
                                }
                            }
                        }
                    }
                }
            }
        }

        return (Tensor.FromArray(output, n, f, outH, outW), Tensor.FromArray(dx, x.Shape.ToArray()), Tensor.FromArray(dw, w.Shape.ToArray()));
    }
}
