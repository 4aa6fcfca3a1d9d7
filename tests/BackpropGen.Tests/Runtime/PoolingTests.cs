using System;
using System.Linq;
using Xunit;

namespace BackpropGen.Tests.Runtime;

/// <summary>Max and average pooling and their backwards against naive loops and central differences.</summary>
public class PoolingTests
{
    // N, C, H, W, size, stride: the 2 × 2 / 2 loop and the general one; windows that overlap (stride < size), that skip
    // (stride > size), that leave a remainder, that cover the whole plane; planes that are not square.
    public static TheoryData<int, int, int, int, int, int> Shapes() => new()
    {
        { 2, 3, 8, 8, 2, 2 },
        { 1, 2, 7, 5, 2, 2 },
        { 1, 2, 7, 5, 3, 2 },
        { 2, 1, 5, 5, 2, 1 },
        { 1, 1, 4, 4, 4, 1 },
        { 1, 3, 9, 9, 3, 3 },
        { 1, 1, 7, 7, 1, 3 },
        { 2, 2, 1, 1, 1, 1 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_pools_and_their_backwards_agree_with_the_naive_loops(int n, int c, int h, int w, int size, int stride)
    {
        var x = Tensor.RandomNormal(1, n, c, h, w);
        var (maxExpected, indicesExpected, averageExpected) = Naive(x, size, stride);
        var dout = Tensor.RandomNormal(2, maxExpected.Shape.ToArray());

        var (max, indices) = Tensor.MaxPool2DWithIndices(x, size, stride);

        TensorAssert.Equal(maxExpected.Shape.ToArray(), maxExpected.ToArray(), max);
        Assert.Equal(indicesExpected, indices);
        TensorAssert.Equal(maxExpected.Shape.ToArray(), maxExpected.ToArray(), Tensor.MaxPool2D(x, size, stride));
        TensorAssert.Equal(averageExpected.Shape.ToArray(), averageExpected.ToArray(), Tensor.AvgPool2D(x, size, stride), 1e-15);

        var maxBackward = new double[x.Length];
        var averageBackward = new double[x.Length];
        for (int o = 0; o < dout.Length; o++)
        {
            maxBackward[indicesExpected[o]] += dout.AsSpan()[o];
            int plane = o / (max.Shape[2] * max.Shape[3]), oh = o / max.Shape[3] % max.Shape[2], ow = o % max.Shape[3];
            for (int kh = 0; kh < size; kh++)
            {
                for (int kw = 0; kw < size; kw++)
                {
                    averageBackward[(((plane * h) + (oh * stride) + kh) * w) + (ow * stride) + kw] += dout.AsSpan()[o] / (size * size);
                }
            }
        }

        TensorAssert.Equal([n, c, h, w], maxBackward, Tensor.MaxPool2DBackward(dout, indices, x.Shape), 1e-15);
        TensorAssert.Equal([n, c, h, w], averageBackward, Tensor.AvgPool2DBackward(dout, x.Shape, size, stride), 1e-15);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_backwards_agree_with_central_differences(int n, int c, int h, int w, int size, int stride)
    {
        // Values far apart (a permutation of 0, 0.1, 0.2, …) keep each window's maximum where it is under a step of h.
        var order = Enumerable.Range(0, n * c * h * w).OrderBy(i => (i * 7919) % 104729).Select(i => 0.1 * i).ToArray();
        var x = Tensor.FromArray(order, n, c, h, w);
        var (max, indices) = Tensor.MaxPool2DWithIndices(x, size, stride);
        var dout = Tensor.RandomNormal(3, max.Shape.ToArray());

        MatMulTests.AssertCloseToCentralDifferences(
            Tensor.MaxPool2DBackward(dout, indices, x.Shape), GradCheck.Numerical(v => Tensor.MaxPool2D(v, size, stride), x, dout), "max pool dx");
        MatMulTests.AssertCloseToCentralDifferences(
            Tensor.AvgPool2DBackward(dout, x.Shape, size, stride), GradCheck.Numerical(v => Tensor.AvgPool2D(v, size, stride), x, dout), "average pool dx");
    }

    // Over 2^18 elements the planes are shared out over the threads.
    [Fact]
    public void A_pool_large_enough_to_run_in_parallel_agrees_with_the_naive_loops()
    {
        var x = Tensor.RandomNormal(4, 4, 16, 64, 64);
        var (maxExpected, indicesExpected, averageExpected) = Naive(x, 2, 2);

        var (max, indices) = Tensor.MaxPool2DWithIndices(x, 2, 2);

        Assert.Equal(maxExpected.ToArray(), max.ToArray());
        Assert.Equal(indicesExpected, indices);
        TensorAssert.Equal(averageExpected.Shape.ToArray(), averageExpected.ToArray(), Tensor.AvgPool2D(x, 2, 2), 1e-15);
    }

    [Fact]
    public void A_tie_goes_to_the_first_in_row_major_order_and_a_NaN_is_the_maximum()
    {
        var x = Tensor.FromArray([5, 5, 5, 5, 1, double.NaN, 2, double.NaN], 2, 1, 2, 2);

        var (max, indices) = Tensor.MaxPool2DWithIndices(x, 2, 2);

        Assert.Equal(new[] { 0, 5 }, indices);
        Assert.Equal(5, max.AsSpan()[0]);
        Assert.True(double.IsNaN(max.AsSpan()[1]));
    }

    // Rows wide enough for the four-at-a-time loop, with ties and NaNs in every position of a window.
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Ties_and_NaNs_in_wide_rows_follow_the_same_rule_as_the_general_loop(int size)
    {
        var values = new double[2 * 3 * 8 * 21];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (i * 37 % 11) switch { 0 => double.NaN, 1 or 2 or 3 => 4.0, var r => r % 5 };
        }

        var x = Tensor.FromArray(values, 2, 3, 8, 21);
        var (expected, expectedIndices, _) = Naive(x, size, size);

        var (max, indices) = Tensor.MaxPool2DWithIndices(x, size, size);

        Assert.Equal(expectedIndices, indices);
        TensorAssert.Equal(expected.Shape.ToArray(), expected.ToArray(), max);
    }

    // What the generated backward computed before it kept the argmax: the maxima found again by scanning x's windows (the
    // naive loop), each output's gradient added at the first of its window's largest, on ties in overlapping windows.
    [Theory]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(2, 2)]
    public void The_backward_from_the_argmax_equals_the_gradient_found_again_from_x_on_ties(int size, int stride)
    {
        var values = new double[2 * 2 * 7 * 9];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = i * 13 % 7 < 4 ? 3.0 : i % 3;
        }

        var x = Tensor.FromArray(values, 2, 2, 7, 9);
        var (expectedMax, expectedIndices, _) = Naive(x, size, stride);
        var dout = Tensor.RandomNormal(5, expectedMax.Shape.ToArray());
        var foundAgain = new double[x.Length];
        for (int o = 0; o < dout.Length; o++)
        {
            foundAgain[expectedIndices[o]] += dout.AsSpan()[o];
        }

        var (max, argmax) = Tensor.MaxPool2DWithArgmax(x, size, stride);

        TensorAssert.Equal(expectedMax.Shape.ToArray(), expectedMax.ToArray(), max);
        Assert.Equal(expectedIndices, argmax.Indices.ToArray());
        Assert.Equal(x.Shape, argmax.InputShape);
        Assert.Equal(4L * max.Length, argmax.Bytes);
        TensorAssert.Equal([2, 2, 7, 9], foundAgain, Tensor.MaxPool2DBackward(dout, argmax));
        TensorAssert.Equal([2, 2, 7, 9], foundAgain, Tensor.MaxPool2DBackward(dout, argmax.Indices.ToArray(), x.Shape));
    }

    [Fact]
    public void A_tape_of_argmaxes_counts_four_bytes_an_index()
    {
        var tape = new Tape<MaxPoolArgmax>();
        tape.Push(Tensor.MaxPool2DWithArgmax(Tensor.RandomNormal(6, 2, 3, 8, 8), 2, 2).Argmax);
        tape.Push(Tensor.MaxPool2DWithArgmax(Tensor.RandomNormal(7, 1, 1, 5, 5), 2, 1).Argmax);

        Assert.Equal(4L * ((2 * 3 * 4 * 4) + (4 * 4)), tape.Bytes);
    }

    [Fact]
    public void The_backward_from_an_argmax_names_the_shapes_it_does_not_fit()
    {
        var (_, argmax) = Tensor.MaxPool2DWithArgmax(Tensor.Zeros(2, 3, 8, 8), 2, 2);

        var shape = Assert.Throws<ArgumentException>(() => Tensor.MaxPool2DBackward(Tensor.Zeros(2, 3, 4, 3), argmax));

        TensorAssert.MessageNames(shape, nameof(Tensor.MaxPool2DBackward), "[2, 3, 4, 3]");
        Assert.Throws<ArgumentNullException>(() => Tensor.MaxPool2DBackward(Tensor.Zeros(2, 3, 4, 4), null!));
    }

    [Fact]
    public void Overlapping_windows_add_their_gradients_at_a_shared_maximum()
    {
        var x = Tensor.FromArray([0, 0, 0, 0, 9, 0, 0, 0, 0], 1, 1, 3, 3);
        var (_, indices) = Tensor.MaxPool2DWithIndices(x, 2, 1);

        var dx = Tensor.MaxPool2DBackward(Tensor.FromArray([1, 2, 3, 4], 1, 1, 2, 2), indices, x.Shape);

        TensorAssert.Equal([1, 1, 3, 3], [0, 0, 0, 0, 10, 0, 0, 0, 0], dx);
    }

    [Theory]
    [InlineData(new[] { 2, 3, 8 }, 2, 2, "x must be [N, C, H, W]")]
    [InlineData(new[] { 2, 3, 8, 8 }, 0, 2, "the size and the stride must be at least 1")]
    [InlineData(new[] { 2, 3, 8, 8 }, 2, 0, "the size and the stride must be at least 1")]
    [InlineData(new[] { 2, 3, 8, 3 }, 4, 1, "the window 4×4 is larger than the input's 8×3")]
    public void The_pools_refuse_shapes_naming_them(int[] shape, int size, int stride, string reason)
    {
        var max = Assert.Throws<ArgumentException>(() => Tensor.MaxPool2D(Tensor.Zeros(shape), size, stride));
        var average = Assert.Throws<ArgumentException>(() => Tensor.AvgPool2D(Tensor.Zeros(shape), size, stride));

        TensorAssert.MessageNames(max, nameof(Tensor.MaxPool2D), new TensorShape(shape).ToString(), reason);
        TensorAssert.MessageNames(average, nameof(Tensor.AvgPool2D), new TensorShape(shape).ToString(), reason);
    }

    [Fact]
    public void The_backwards_refuse_a_dout_or_indices_that_do_not_fit_naming_the_shapes()
    {
        var x = new TensorShape(2, 3, 8, 8);
        var (_, indices) = Tensor.MaxPool2DWithIndices(Tensor.Zeros(x), 2, 2);
        var dout = Tensor.Zeros(2, 3, 4, 4);

        var averageShape = Assert.Throws<ArgumentException>(() => Tensor.AvgPool2DBackward(Tensor.Zeros(2, 3, 4, 3), x, 2, 2));
        var maxShape = Assert.Throws<ArgumentException>(() => Tensor.MaxPool2DBackward(Tensor.Zeros(2, 4, 4, 4), new int[128], x));
        var count = Assert.Throws<ArgumentException>(() => Tensor.MaxPool2DBackward(dout, indices[1..], x));
        var moved = (int[])indices.Clone();
        moved[17] = 0;
        var plane = Assert.Throws<ArgumentException>(() => Tensor.MaxPool2DBackward(dout, moved, x));

        TensorAssert.MessageNames(averageShape, nameof(Tensor.AvgPool2DBackward), "[2, 3, 4, 3]", "[2, 3, 8, 8]", "[2, 3, 4, 4]");
        TensorAssert.MessageNames(maxShape, nameof(Tensor.MaxPool2DBackward), "[2, 4, 4, 4]", "[2, 3, 8, 8]");
        TensorAssert.MessageNames(count, "95 indices", "[2, 3, 4, 4]");
        TensorAssert.MessageNames(plane, "index 0 of output 17");
    }

    /// <summary>Max pool (first maximum in row-major window order, its flat index) and average pool, by loops.</summary>
    private static (Tensor Max, int[] Indices, Tensor Average) Naive(Tensor x, int size, int stride)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int outH = ((h - size) / stride) + 1, outW = ((w - size) / stride) + 1;
        var max = new double[n * c * outH * outW];
        var average = new double[max.Length];
        var indices = new int[max.Length];
        var values = x.AsSpan();
        for (int plane = 0, o = 0; plane < n * c; plane++)
        {
            for (int i = 0; i < outH; i++)
            {
                for (int j = 0; j < outW; j++, o++)
                {
                    int best = -1;
                    double sum = 0;
                    for (int kh = 0; kh < size; kh++)
                    {
                        for (int kw = 0; kw < size; kw++)
                        {
                            int at = (((plane * h) + (i * stride) + kh) * w) + (j * stride) + kw;
                            sum += values[at];
                            if (best < 0 || values[at] > values[best] || (double.IsNaN(values[at]) && !double.IsNaN(values[best])))
                            {
                                best = at;
                            }
                        }
                    }

                    max[o] = values[best];
                    indices[o] = best;
                    average[o] = sum / (size * size);
                }
            }
        }

        return (Tensor.FromArray(max, n, c, outH, outW), indices, Tensor.FromArray(average, n, c, outH, outW));
    }
}
