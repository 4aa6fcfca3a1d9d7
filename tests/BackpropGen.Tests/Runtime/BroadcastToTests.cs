using System;
using Xunit;

namespace BackpropGen.Tests.Runtime;

public class BroadcastToTests
{
    [Fact]
    public void The_same_shape_returns_the_same_instance()
    {
        var g = Tensor.FromArray([1, 2, 3], 3);
        Assert.Same(g, Tensor.BroadcastTo(g, new TensorShape(3)));
    }

    [Fact]
    public void A_row_repeats_down_the_rows()
    {
        var row = Tensor.FromArray([1, 2, 3], 3);
        TensorAssert.Equal([2, 3], [1, 2, 3, 1, 2, 3], Tensor.BroadcastTo(row, new TensorShape(2, 3)));
        TensorAssert.Equal([2, 3], [1, 2, 3, 1, 2, 3], Tensor.BroadcastTo(Tensor.Reshape(row, 1, 3), new TensorShape(2, 3)));
    }

    [Fact]
    public void A_column_repeats_along_each_row_and_a_scalar_everywhere()
    {
        var column = Tensor.FromArray([1, 2], 2, 1);
        TensorAssert.Equal([2, 3], [1, 1, 1, 2, 2, 2], Tensor.BroadcastTo(column, new TensorShape(2, 3)));
        TensorAssert.Equal([2, 2], [5, 5, 5, 5], Tensor.BroadcastTo(Tensor.Full(5.0), new TensorShape(2, 2)));
    }

    [Fact]
    public void The_middle_axis_of_a_rank_3_shape_repeats()
    {
        var g = Tensor.FromArray([1, 2, 3, 4], 2, 1, 2);
        TensorAssert.Equal([2, 3, 2], [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4], Tensor.BroadcastTo(g, new TensorShape(2, 3, 2)));
    }

    [Fact]
    public void Negative_zero_and_nan_are_kept_exactly()
    {
        var column = Tensor.FromArray([-0.0, double.NaN], 2, 1);
        var values = Tensor.BroadcastTo(column, new TensorShape(2, 2)).ToArray();
        Assert.True(double.IsNegative(values[0]) && values[0] == 0.0 && double.IsNegative(values[1]));
        Assert.True(double.IsNaN(values[2]) && double.IsNaN(values[3]));
    }

    [Fact]
    public void An_empty_shape_gives_an_empty_tensor()
    {
        TensorAssert.Equal([0, 3], [], Tensor.BroadcastTo(Tensor.FromArray([1, 2, 3], 3), new TensorShape(0, 3)));
    }

    [Theory]
    [InlineData(new[] { 3 }, new[] { 2, 4 })]
    [InlineData(new[] { 2, 3 }, new[] { 3 })]
    [InlineData(new[] { 2, 1 }, new[] { 3, 4 })]
    public void A_shape_that_does_not_broadcast_names_both(int[] from, int[] to)
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.BroadcastTo(Tensor.Zeros(from), new TensorShape(to)));
        TensorAssert.MessageNames(error, new TensorShape(from).ToString(), new TensorShape(to).ToString());
    }
}
