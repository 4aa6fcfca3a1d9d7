using System;
using Xunit;

namespace BackpropGen.Tests.Runtime;

public class ReductionTests
{
    // [[1, 2, 3], [4, 5, 6]]
    private static readonly Tensor X = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);

    // 0, 1, …, 23 as [2, 3, 4]
    private static readonly Tensor Cube = Tensor.Reshape(Tensor.FromArray(Iota(24), 24), 2, 3, 4);

    [Fact]
    public void Sum_and_mean_of_all_elements_return_doubles()
    {
        Assert.Equal(21.0, Tensor.Sum(X));
        Assert.Equal(3.5, Tensor.Mean(X));
        Assert.Equal(4.0, Tensor.Sum(Tensor.Full(4.0)));
        Assert.Equal(276.0, Tensor.Sum(Cube));
    }

    [Fact]
    public void Sum_of_an_empty_tensor_is_0_and_its_mean_is_refused_naming_the_shape()
    {
        Assert.Equal(0.0, Tensor.Sum(Tensor.Zeros(0, 3)));
        Assert.Equal(new[] { 0.0, 0.0, 0.0 }, Tensor.Sum(Tensor.Zeros(0, 3), axis: 0).ToArray());
        Assert.Contains("[0]", Assert.Throws<ArgumentException>(() => Tensor.Mean(Tensor.Zeros(0))).Message);
        Assert.Contains("axis 0 of shape [0, 3]", Assert.Throws<ArgumentException>(() => Tensor.Mean(Tensor.Zeros(0, 3), axis: 0)).Message);
        Assert.Equal(new[] { 0 }, Tensor.Mean(Tensor.Zeros(0, 3), axis: 1).Shape.ToArray());
    }

    [Fact]
    public void Sum_along_axis0_adds_the_rows()
    {
        TensorAssert.Equal([3], [5, 7, 9], Tensor.Sum(X, 0));
    }

    [Fact]
    public void Sum_along_axis0_with_keepDims_keeps_a_size_one_axis()
    {
        TensorAssert.Equal([1, 3], [5, 7, 9], Tensor.Sum(X, 0, keepDims: true));
    }

    [Fact]
    public void Sum_along_axis1_adds_each_row()
    {
        TensorAssert.Equal([2], [6, 15], Tensor.Sum(X, 1));
        TensorAssert.Equal([2, 1], [6, 15], Tensor.Sum(X, 1, keepDims: true));
    }

    [Fact]
    public void Sum_along_a_negative_axis_counts_from_the_end()
    {
        TensorAssert.Equal([2], [6, 15], Tensor.Sum(X, -1));
        TensorAssert.Equal([1, 3], [5, 7, 9], Tensor.Sum(X, -2, keepDims: true));
    }

    [Fact]
    public void Sum_of_a_rank_3_tensor_along_each_axis()
    {
        TensorAssert.Equal([3, 4], [12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34], Tensor.Sum(Cube, 0));
        TensorAssert.Equal([2, 4], [12, 15, 18, 21, 48, 51, 54, 57], Tensor.Sum(Cube, 1));
        TensorAssert.Equal([2, 1, 4], [12, 15, 18, 21, 48, 51, 54, 57], Tensor.Sum(Cube, -2, keepDims: true));
        TensorAssert.Equal([2, 3], [6, 22, 38, 54, 70, 86], Tensor.Sum(Cube, 2));
    }

    [Fact]
    public void Sum_of_a_vector_along_axis0_is_a_rank_0_tensor()
    {
        var v = Tensor.FromArray([1, 2, 3], 3);

        TensorAssert.Equal([], [6], Tensor.Sum(v, 0));
        TensorAssert.Equal([1], [6], Tensor.Sum(v, 0, keepDims: true));
    }

    [Fact]
    public void Sum_along_an_empty_axis_is_0()
    {
        TensorAssert.Equal([3], [0, 0, 0], Tensor.Sum(Tensor.Zeros(0, 3), 0));
        TensorAssert.Equal([0], [], Tensor.Sum(Tensor.Zeros(0, 3), 1));
    }

    [Fact]
    public void Mean_along_an_axis_divides_the_sum_by_the_axis_size()
    {
        TensorAssert.Equal([3], [2.5, 3.5, 4.5], Tensor.Mean(X, 0));
        TensorAssert.Equal([2, 1], [2, 5], Tensor.Mean(X, 1, keepDims: true));
        TensorAssert.Equal([2], [2, 5], Tensor.Mean(X, -1));
        TensorAssert.Equal([2, 4], [4, 5, 6, 7, 16, 17, 18, 19], Tensor.Mean(Cube, 1));
    }

    [Fact]
    public void Max_along_an_axis_takes_the_largest_element()
    {
        var x = Tensor.FromArray([1, 5, 3, 4, 2, 6], 2, 3);

        TensorAssert.Equal([3], [4, 5, 6], Tensor.Max(x, 0));
        TensorAssert.Equal([2], [5, 6], Tensor.Max(x, 1));
        TensorAssert.Equal([2, 1], [5, 6], Tensor.Max(x, -1, keepDims: true));
        TensorAssert.Equal([1, 3], [4, 5, 6], Tensor.Max(x, 0, keepDims: true));
    }

    [Fact]
    public void Max_of_a_rank_3_tensor_along_the_middle_axis()
    {
        TensorAssert.Equal([2, 4], [8, 9, 10, 11, 20, 21, 22, 23], Tensor.Max(Cube, 1));
        TensorAssert.Equal([2, 3], [3, 7, 11, 15, 19, 23], Tensor.Max(Cube, 2));
    }

    [Fact]
    public void Max_propagates_nan()
    {
        var x = Tensor.FromArray([1, double.NaN, 3, 4], 2, 2);

        TensorAssert.Equal([2], [double.NaN, 4], Tensor.Max(x, 1));
        TensorAssert.Equal([2], [3, double.NaN], Tensor.Max(x, 0));
    }

    [Fact]
    public void Max_along_an_empty_axis_names_the_axis_and_the_shape()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Max(Tensor.Zeros(0, 3), 0));

        TensorAssert.MessageNames(error, "axis 0", "[0, 3]");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-3)]
    public void Reductions_along_a_bad_axis_name_the_axis_and_the_shape(int axis)
    {
        foreach (var reduce in new Func<Tensor, int, bool, Tensor>[] { Tensor.Sum, Tensor.Mean, Tensor.Max })
        {
            var error = Assert.Throws<ArgumentException>(() => reduce(X, axis, false));

            TensorAssert.MessageNames(error, $"Axis {axis}", "[2, 3]");
        }
    }

    [Fact]
    public void A_rank_0_tensor_has_no_axis_to_reduce()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Sum(Tensor.Full(1.0), 0));

        TensorAssert.MessageNames(error, "Axis 0", "[]");
    }

    [Fact]
    public void Reductions_leave_their_input_unchanged()
    {
        var x = Tensor.FromArray([1, 2, 3, 4], 2, 2);

        _ = Tensor.Sum(x, 0);
        _ = Tensor.Max(x, 1);
        _ = Tensor.Mean(x, 0, keepDims: true);

        Assert.Equal([1.0, 2, 3, 4], x.ToArray());
    }

    private static double[] Iota(int n)
    {
        var values = new double[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = i;
        }

        return values;
    }

    [Theory]
    [InlineData(5, 1)]
    [InlineData(9, 7)]
    [InlineData(13, 8)]
    public void Sum_and_max_along_axis0_of_many_rows_match_a_column_by_column_loop(int rows, int columns)
    {
        // Integers, so that any order of the additions gives the exact sums; rows beyond four take the four-at-once path.
        var data = new double[rows * columns];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = ((i * 7) % 11) - 5;
        }

        var x = Tensor.FromArray(data, rows, columns);
        var sums = new double[columns];
        var maxima = new double[columns];
        for (int j = 0; j < columns; j++)
        {
            maxima[j] = double.NegativeInfinity;
            for (int i = 0; i < rows; i++)
            {
                sums[j] += data[(i * columns) + j];
                maxima[j] = Math.Max(maxima[j], data[(i * columns) + j]);
            }
        }

        TensorAssert.Equal([columns], sums, Tensor.Sum(x, 0));
        TensorAssert.Equal([columns], maxima, Tensor.Max(x, 0));
    }

    [Fact]
    public void Max_along_axis0_propagates_a_nan_in_a_later_row()
    {
        var data = new double[6 * 2];
        data[(5 * 2) + 1] = double.NaN;
        TensorAssert.Equal([2], [0, double.NaN], Tensor.Max(Tensor.FromArray(data, 6, 2), 0));
    }

    [Fact]
    public void Max_and_Min_of_all_elements_are_doubles_that_propagate_nan()
    {
        var x = Tensor.FromArray([3, -7, 9, 0, 9, -7], 2, 3);

        Assert.Equal(9.0, Tensor.Max(x));
        Assert.Equal(-7.0, Tensor.Min(x));
        Assert.Equal(4.0, Tensor.Max(Tensor.Full(4.0)));
        Assert.True(double.IsNaN(Tensor.Max(Tensor.FromArray([1, double.NaN, 3], 3))));
        Assert.True(double.IsNaN(Tensor.Min(Tensor.FromArray([1, double.NaN, 3], 3))));
    }

    [Fact]
    public void Max_and_Min_of_no_elements_name_the_shape()
    {
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Max(Tensor.Zeros(2, 0))), "maximum", "[2, 0]");
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Min(Tensor.Zeros(0))), "minimum", "[0]");
    }

    [Fact]
    public void Min_along_an_axis_takes_the_smallest_element()
    {
        var x = Tensor.FromArray([4, 2, 6, 1, 5, 3], 2, 3);

        TensorAssert.Equal([3], [1, 2, 3], Tensor.Min(x, 0));
        TensorAssert.Equal([2], [2, 1], Tensor.Min(x, 1));
        TensorAssert.Equal([2, 1], [2, 1], Tensor.Min(x, -1, keepDims: true));
        TensorAssert.Equal([1, 3], [1, 2, 3], Tensor.Min(x, 0, keepDims: true));
        TensorAssert.Equal([2, 4], [0, 1, 2, 3, 12, 13, 14, 15], Tensor.Min(Cube, 1));
        TensorAssert.Equal([2, 0], [], Tensor.Min(Tensor.Zeros(2, 3, 0), 1));
    }

    [Fact]
    public void Min_along_an_axis_propagates_nan_from_any_slab()
    {
        // Six rows, so that the slabs are combined four at a time and then one by one.
        double[] data = [5, 1, 4, 2, 3, 3, 2, 4, 1, double.NaN, 0, 6];

        TensorAssert.Equal([2], [0, double.NaN], Tensor.Min(Tensor.FromArray(data, 6, 2), 0));
        TensorAssert.Equal([6], [1, 2, 3, 2, double.NaN, 0], Tensor.Min(Tensor.FromArray(data, 6, 2), 1));
    }

    [Fact]
    public void Min_along_an_empty_or_bad_axis_names_the_axis_and_the_shape()
    {
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Min(Tensor.Zeros(0, 3), 0)), "minimum", "axis 0", "[0, 3]");
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Min(X, 2)), "Axis 2", "[2, 3]");
    }
}
