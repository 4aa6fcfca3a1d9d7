using System;
using Xunit;

namespace BackpropGen.Tests.Runtime;

/// <summary>Slice, Take, Concat, Stack and Transpose by axes, and their adjoints, against values worked out by hand.</summary>
public class SlicingTests
{
    private static readonly Tensor X = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
    private static readonly Tensor Y = Tensor.FromArray([7, 8, 9, 10, 11, 12], 2, 3);

    /// <summary>0 … 11 as <c>[2, 2, 3]</c>: the element at [i, j, k] is 6i + 3j + k.</summary>
    private static readonly Tensor Cube = Tensor.FromArray([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 2, 2, 3);

    [Fact]
    public void Slice_takes_a_run_along_an_axis_of_every_row()
    {
        TensorAssert.Equal([2, 2], [2, 3, 5, 6], Tensor.Slice(X, 1, 1, 2));
        TensorAssert.Equal([1, 3], [4, 5, 6], Tensor.Slice(X, 0, 1, 1));
        TensorAssert.Equal([2, 3], [1, 2, 3, 4, 5, 6], Tensor.Slice(X, 1, 0, 3));
        TensorAssert.Equal([2, 1, 3], [3, 4, 5, 9, 10, 11], Tensor.Slice(Cube, 1, 1, 1));
    }

    [Fact]
    public void Slice_counts_a_negative_axis_and_start_from_the_end()
    {
        TensorAssert.Equal([2, 2], [2, 3, 5, 6], Tensor.Slice(X, -1, -2, 2));
        TensorAssert.Equal([1, 3], [4, 5, 6], Tensor.Slice(X, -2, -1, 1));
    }

    [Fact]
    public void Slice_of_length_zero_is_empty_even_at_the_end_of_the_axis()
    {
        TensorAssert.Equal([2, 0], [], Tensor.Slice(X, 1, 3, 0));
        TensorAssert.Equal([0, 3], [], Tensor.Slice(X, 0, 0, 0));
    }

    [Fact]
    public void Slice_that_leaves_the_axis_names_the_shape_rather_than_clipping()
    {
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Slice(X, 1, 2, 2)), "[2, 3]", "axis 1");
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Slice(X, 1, -4, 1)), "[2, 3]", "-4");
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Slice(X, 0, 0, -1)), "[2, 3]", "-1 elements");
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Slice(X, 2, 0, 1)), "[2, 3]", "Axis 2");
    }

    [Fact]
    public void Unslice_puts_the_gradient_where_the_slice_was_and_zeros_elsewhere()
    {
        TensorAssert.Equal([2, 3], [0, 7, 0, 0, 8, 0], Tensor.Unslice(Tensor.FromArray([7, 8], 2, 1), 1, 1, new TensorShape(2, 3)));
        TensorAssert.Equal([2, 3], [0, 0, 0, 7, 8, 9], Tensor.Unslice(Tensor.FromArray([7, 8, 9], 1, 3), -2, -1, new TensorShape(2, 3)));
        TensorAssert.Equal([2, 3], [0, 0, 0, 0, 0, 0], Tensor.Unslice(Tensor.Zeros(2, 0), 1, 3, new TensorShape(2, 3)));
    }

    [Fact]
    public void Unslice_of_a_gradient_that_is_no_slice_of_the_shape_names_both_shapes()
    {
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Unslice(Tensor.Zeros(3, 1), 1, 0, new TensorShape(2, 3))), "[3, 1]", "[2, 3]");
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Unslice(Tensor.Zeros(2, 2), 1, 2, new TensorShape(2, 3))), "[2, 3]", "from 2");
    }

    [Fact]
    public void Take_gathers_along_an_axis_in_the_order_of_the_indices_repeats_included()
    {
        TensorAssert.Equal([2, 3], [3, 1, 3, 6, 4, 6], Tensor.Take(X, [2, 0, 2], 1));
        TensorAssert.Equal([3, 3], [4, 5, 6, 4, 5, 6, 1, 2, 3], Tensor.Take(X, [1, 1, 0], 0));
        TensorAssert.Equal([2, 1, 3], [3, 4, 5, 9, 10, 11], Tensor.Take(Cube, [1], 1));
    }

    [Fact]
    public void Take_counts_negative_indices_and_axes_from_the_end()
    {
        TensorAssert.Equal([1, 3], [4, 5, 6], Tensor.Take(X, [-1], 0));
        TensorAssert.Equal([2, 2], [3, 1, 6, 4], Tensor.Take(X, [-1, -3], -1));
    }

    [Fact]
    public void Take_of_no_indices_is_empty_along_the_axis()
    {
        TensorAssert.Equal([0, 3], [], Tensor.Take(X, [], 0));
        TensorAssert.Equal([2, 0], [], Tensor.Take(Tensor.Zeros(2, 0), [], 1));
    }

    [Fact]
    public void Take_of_an_index_out_of_range_names_it_and_the_shape()
    {
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Take(X, [0, 3], 1)), "index 3", "position 1", "[2, 3]");
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Take(X, [-3], 0)), "index -3", "[2, 3]");
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Take(Tensor.Full(1.0), [0], 0)), "[]");
    }

    [Fact]
    public void Untake_adds_the_gradients_of_an_index_taken_twice()
    {
        TensorAssert.Equal([2, 3], [2, 0, 4, 5, 0, 10], Tensor.Untake(X, [2, 0, 2], 1, new TensorShape(2, 3)));
        TensorAssert.Equal([3, 2], [0, 0, 0, 0, 4, 6], Tensor.Untake(Tensor.FromArray([1, 2, 3, 4], 2, 2), [-1, -1], 0, new TensorShape(3, 2)));
        TensorAssert.Equal([2, 3], [0, 0, 0, 0, 0, 0], Tensor.Untake(Tensor.Zeros(0, 3), [], 0, new TensorShape(2, 3)));
    }

    [Fact]
    public void Untake_of_a_gradient_without_one_slab_per_index_names_both_shapes()
    {
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Untake(X, [0, 1], 1, new TensorShape(2, 3))), "[2, 3]", "[2, 2]");
    }

    [Fact]
    public void Concat_joins_the_parts_along_the_axis_in_order()
    {
        TensorAssert.Equal([3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9], Tensor.Concat(0, X, Tensor.FromArray([7, 8, 9], 1, 3)));
        TensorAssert.Equal([2, 4], [1, 2, 3, 7, 4, 5, 6, 8], Tensor.Concat(1, X, Tensor.FromArray([7, 8], 2, 1)));
        TensorAssert.Equal([2, 4], [1, 2, 3, 7, 4, 5, 6, 8], Tensor.Concat(-1, X, Tensor.FromArray([7, 8], 2, 1)));
        TensorAssert.Equal(
            [2, 3, 2],
            [1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12],
            Tensor.Concat(1, Tensor.FromArray([1, 2, 3, 4], 2, 1, 2), Tensor.FromArray([5, 6, 7, 8, 9, 10, 11, 12], 2, 2, 2)));
    }

    [Fact]
    public void Concat_of_one_part_or_with_an_empty_part_is_the_other_parts()
    {
        TensorAssert.Equal([2, 3], [1, 2, 3, 4, 5, 6], Tensor.Concat(0, X));
        TensorAssert.Equal([2, 3], [1, 2, 3, 4, 5, 6], Tensor.Concat(1, Tensor.Zeros(2, 0), X, Tensor.Zeros(2, 0)));
        TensorAssert.Equal([0, 3], [], Tensor.Concat(0, Tensor.Zeros(0, 3), Tensor.Zeros(0, 3)));
    }

    [Fact]
    public void Concat_of_parts_that_differ_off_the_axis_names_their_shapes()
    {
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Concat(0, X, Tensor.Zeros(3, 2))), "[2, 3]", "[3, 2]", "axis 0");
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Concat(0, X, Tensor.Zeros(3))), "[2, 3]", "[3]");
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Concat(0, Tensor.Full(1.0), Tensor.Full(2.0))), "[], []");
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Concat(2, X, Y)), "[2, 3]", "Axis 2");
        Assert.Throws<ArgumentException>(() => Tensor.Concat(0));
    }

    [Fact]
    public void Stack_puts_the_parts_along_a_new_axis()
    {
        var a = Tensor.FromArray([1, 2], 2);
        var b = Tensor.FromArray([3, 4], 2);
        TensorAssert.Equal([2, 2], [1, 2, 3, 4], Tensor.Stack(0, a, b));
        TensorAssert.Equal([2, 2], [1, 3, 2, 4], Tensor.Stack(1, a, b));
        TensorAssert.Equal([2, 2, 3], [1, 2, 3, 7, 8, 9, 4, 5, 6, 10, 11, 12], Tensor.Stack(1, X, Y));
        TensorAssert.Equal([2, 3, 2], [1, 7, 2, 8, 3, 9, 4, 10, 5, 11, 6, 12], Tensor.Stack(2, X, Y));
    }

    [Fact]
    public void Stack_counts_a_negative_axis_from_the_end_of_the_results_axes()
    {
        TensorAssert.Equal([2, 3, 2], [1, 7, 2, 8, 3, 9, 4, 10, 5, 11, 6, 12], Tensor.Stack(-1, X, Y));
        TensorAssert.Equal([2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], Tensor.Stack(-3, X, Y));
    }

    [Fact]
    public void Stack_of_scalars_is_a_vector_and_of_one_part_a_size_1_axis()
    {
        TensorAssert.Equal([2], [5, 6], Tensor.Stack(0, Tensor.Full(5.0), Tensor.Full(6.0)));
        TensorAssert.Equal([2, 1, 3], [1, 2, 3, 4, 5, 6], Tensor.Stack(1, X));
        TensorAssert.Equal([2, 0], [], Tensor.Stack(0, Tensor.Zeros(0), Tensor.Zeros(0)));
    }

    [Fact]
    public void Stack_of_parts_of_different_shapes_or_past_the_results_axes_names_the_shapes()
    {
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Stack(0, X, Tensor.Zeros(3, 2))), "[2, 3]", "[3, 2]");
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Stack(3, X, Y)), "[2, 3]", "Axis 3");
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Stack(-4, X, Y)), "[2, 3]", "Axis -4");
        Assert.Throws<ArgumentException>(() => Tensor.Stack(0));
    }

    [Fact]
    public void Unstack_gives_back_each_stacked_part()
    {
        TensorAssert.Equal([2, 3], [7, 8, 9, 10, 11, 12], Tensor.Unstack(Tensor.Stack(1, X, Y), 1, 1));
        TensorAssert.Equal([2, 3], [1, 2, 3, 4, 5, 6], Tensor.Unstack(Tensor.Stack(-1, X, Y), -1, 0));
        TensorAssert.Equal([], [6], Tensor.Unstack(Tensor.FromArray([5, 6], 2), 0, 1));
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Unstack(Tensor.Stack(1, X, Y), 1, 2)), "index 2", "[2, 2, 3]");
    }

    [Fact]
    public void Transpose_by_axes_puts_axis_axes_i_of_the_input_at_axis_i()
    {
        TensorAssert.Equal([3, 2], [1, 4, 2, 5, 3, 6], Tensor.Transpose(X, 1, 0));
        TensorAssert.Equal([3, 2, 2], [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11], Tensor.Transpose(Cube, 2, 0, 1));
        TensorAssert.Equal([2, 3, 2], [0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11], Tensor.Transpose(Cube, 0, 2, 1));
    }

    [Fact]
    public void Transpose_that_keeps_the_last_axis_moves_whole_rows()
    {
        TensorAssert.Equal([2, 2, 3], [0, 1, 2, 6, 7, 8, 3, 4, 5, 9, 10, 11], Tensor.Transpose(Cube, 1, 0, 2));
    }

    [Fact]
    public void Transpose_counts_negative_axes_from_the_end_and_the_identity_changes_nothing()
    {
        TensorAssert.Equal([3, 2, 2], [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11], Tensor.Transpose(Cube, -1, 0, -2));
        TensorAssert.Equal([2, 3], [1, 2, 3, 4, 5, 6], Tensor.Transpose(X, 0, 1));
        TensorAssert.Equal([3], [1, 2, 3], Tensor.Transpose(Tensor.FromArray([1, 2, 3], 3), 0));
        TensorAssert.Equal([], [5], Tensor.Transpose(Tensor.Full(5.0), Array.Empty<int>()));
    }

    [Fact]
    public void Transpose_of_size_1_and_empty_axes_moves_the_sizes()
    {
        TensorAssert.Equal([1, 0, 3], [], Tensor.Transpose(Tensor.Zeros(0, 3, 1), 2, 0, 1));
        TensorAssert.Equal([3, 1, 2], [1, 4, 2, 5, 3, 6], Tensor.Transpose(Tensor.Reshape(X, 2, 1, 3), 2, 1, 0));
    }

    [Fact]
    public void Transpose_by_axes_that_are_no_permutation_names_them_and_the_shape()
    {
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Transpose(X, 0, 0)), "[0, 0]", "[2, 3]");
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Transpose(X, 0)), "[0]", "[2, 3]");
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Transpose(X, 0, 2)), "[0, 2]", "[2, 3]");
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Transpose(X, 1, -3)), "[1, -3]", "[2, 3]");
    }

    [Fact]
    public void Untranspose_puts_the_axes_back()
    {
        var moved = Tensor.FromArray([0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11], 3, 2, 2);
        TensorAssert.Equal([2, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], Tensor.Untranspose(moved, 2, 0, 1));
        TensorAssert.Equal([2, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], Tensor.Untranspose(Tensor.Transpose(Cube, 0, 2, 1), 0, -1, 1));
    }
}
