using System;
using Xunit;

namespace BackpropGen.Tests.Runtime;

public class ShapingTests
{
    private static readonly Tensor X = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);

    [Fact]
    public void Reshape_keeps_the_row_major_order_of_the_elements()
    {
        TensorAssert.Equal([3, 2], [1, 2, 3, 4, 5, 6], Tensor.Reshape(X, 3, 2));
        TensorAssert.Equal([6], [1, 2, 3, 4, 5, 6], Tensor.Reshape(X, 6));
        TensorAssert.Equal([1, 2, 1, 3], [1, 2, 3, 4, 5, 6], Tensor.Reshape(X, new TensorShape(1, 2, 1, 3)));
    }

    [Fact]
    public void Reshape_infers_a_minus_one_dimension()
    {
        TensorAssert.Equal([3, 2], [1, 2, 3, 4, 5, 6], Tensor.Reshape(X, -1, 2));
        TensorAssert.Equal([2, 3, 1], [1, 2, 3, 4, 5, 6], Tensor.Reshape(X, 2, -1, 1));
        TensorAssert.Equal([6], [1, 2, 3, 4, 5, 6], Tensor.Reshape(X, -1));
    }

    [Fact]
    public void Reshape_moves_between_rank_0_and_one_element_shapes()
    {
        TensorAssert.Equal([1, 1], [5], Tensor.Reshape(Tensor.Full(5.0), 1, 1));
        TensorAssert.Equal([], [5], Tensor.Reshape(Tensor.Full(5.0, 1, 1), new TensorShape()));
    }

    [Fact]
    public void Reshape_leaves_its_input_as_it_was()
    {
        _ = Tensor.Reshape(X, 3, 2);

        TensorAssert.Equal([2, 3], [1, 2, 3, 4, 5, 6], X);
    }

    [Fact]
    public void Reshape_to_another_element_count_names_both_shapes()
    {
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Reshape(X, 4)), "[2, 3]", "[4]");
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Reshape(X, new TensorShape(3, 3))), "[2, 3]", "[3, 3]");
    }

    [Fact]
    public void Reshape_with_a_minus_one_that_cannot_fit_names_both_shapes()
    {
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Reshape(X, -1, 4)), "[2, 3]", "[-1, 4]");
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Reshape(X, -1, 0)), "[2, 3]", "[-1, 0]");
    }

    [Fact]
    public void Reshape_with_two_minus_ones_names_both_shapes()
    {
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Reshape(X, -1, -1)), "[2, 3]", "[-1, -1]");
    }

    [Fact]
    public void Pick_takes_the_element_of_each_row_at_its_index()
    {
        TensorAssert.Equal([2], [3, 4], Tensor.Pick(X, [2, 0]));
        TensorAssert.Equal([2], [2, 5], Tensor.Pick(X, [1, 1]));
    }

    [Fact]
    public void Pick_of_no_rows_is_an_empty_vector()
    {
        TensorAssert.Equal([0], [], Tensor.Pick(Tensor.Zeros(0, 3), []));
    }

    [Fact]
    public void Pick_from_a_tensor_that_is_not_2d_names_its_shape()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Pick(Tensor.Zeros(6), [0]));

        TensorAssert.MessageNames(error, "[6]");
    }

    [Fact]
    public void Pick_with_not_one_index_per_row_names_both_shapes()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Pick(X, [0, 1, 2]));

        TensorAssert.MessageNames(error, "[2, 3]", "[3]");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    public void Pick_with_an_index_out_of_range_names_the_index_its_row_and_the_shape(int bad)
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Pick(X, [0, bad]));

        TensorAssert.MessageNames(error, $"index {bad}", "row 1", "[2, 3]");
    }
}
