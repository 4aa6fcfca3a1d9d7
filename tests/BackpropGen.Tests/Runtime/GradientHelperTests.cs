using System;
using Xunit;

namespace BackpropGen.Tests.Runtime;

public class GradientHelperTests
{
    // [[1, 2, 3], [4, 5, 6]]
    private static readonly Tensor G = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);

    [Fact]
    public void SumTo_the_same_shape_returns_the_same_instance()
    {
        Assert.Same(G, Tensor.SumTo(G, new TensorShape(2, 3)));
    }

    [Fact]
    public void SumTo_a_vector_sums_over_the_leading_axis()
    {
        TensorAssert.Equal([3], [5, 7, 9], Tensor.SumTo(G, new TensorShape(3)));
    }

    [Fact]
    public void SumTo_a_row_sums_over_the_size_one_axis()
    {
        TensorAssert.Equal([1, 3], [5, 7, 9], Tensor.SumTo(G, new TensorShape(1, 3)));
    }

    [Fact]
    public void SumTo_a_column_sums_each_row()
    {
        TensorAssert.Equal([2, 1], [6, 15], Tensor.SumTo(G, new TensorShape(2, 1)));
    }

    [Fact]
    public void SumTo_a_scalar_shape_sums_everything()
    {
        TensorAssert.Equal([], [21], Tensor.SumTo(G, new TensorShape()));
        TensorAssert.Equal([1, 1], [21], Tensor.SumTo(G, new TensorShape(1, 1)));
    }

    [Fact]
    public void SumTo_sums_leading_and_size_one_axes_of_a_rank_3_gradient_together()
    {
        var g = Tensor.Reshape(Tensor.FromArray(Iota(24), 24), 2, 3, 4);

        TensorAssert.Equal([3, 1], [60, 92, 124], Tensor.SumTo(g, new TensorShape(3, 1)));
        TensorAssert.Equal([4], [60, 66, 72, 78], Tensor.SumTo(g, new TensorShape(4)));
        TensorAssert.Equal([2, 1, 4], [12, 15, 18, 21, 48, 51, 54, 57], Tensor.SumTo(g, new TensorShape(2, 1, 4)));
    }

    [Fact]
    public void SumTo_of_an_empty_gradient_is_zeros_of_the_shape()
    {
        TensorAssert.Equal([3], [0, 0, 0], Tensor.SumTo(Tensor.Zeros(0, 3), new TensorShape(3)));
        TensorAssert.Equal([0], [], Tensor.SumTo(Tensor.Zeros(2, 0), new TensorShape(0)));
        TensorAssert.Equal([2, 1], [0, 0], Tensor.SumTo(Tensor.Zeros(2, 0), new TensorShape(2, 1)));
    }

    [Fact]
    public void SumTo_undoes_the_broadcast_of_an_addition()
    {
        var bias = Tensor.FromArray([1, 2, 3], 3);
        var sum = G + bias;

        // d(sum)/d(bias) with an upstream gradient of ones: each bias element fed two outputs.
        TensorAssert.Equal([3], [2, 2, 2], Tensor.SumTo(Tensor.Ones(sum.Shape), bias.Shape));
    }

    [Theory]
    [InlineData(new[] { 2 })]
    [InlineData(new[] { 4, 3 })]
    [InlineData(new[] { 1, 2, 3 })]
    [InlineData(new[] { 3, 2 })]
    public void SumTo_a_shape_that_does_not_broadcast_to_the_gradient_names_both_shapes(int[] shape)
    {
        var target = new TensorShape(shape);

        var error = Assert.Throws<ArgumentException>(() => Tensor.SumTo(G, target));

        TensorAssert.MessageNames(error, "[2, 3]", target.ToString());
    }

    [Fact]
    public void ExpandAlong_axis0_repeats_the_gradient_as_rows()
    {
        var g = Tensor.FromArray([1, 2, 3], 3);

        TensorAssert.Equal([2, 3], [1, 2, 3, 1, 2, 3], Tensor.ExpandAlong(g, 0, new TensorShape(2, 3)));
    }

    [Fact]
    public void ExpandAlong_axis1_repeats_each_element_along_its_row()
    {
        var g = Tensor.FromArray([1, 2], 2);

        TensorAssert.Equal([2, 3], [1, 1, 1, 2, 2, 2], Tensor.ExpandAlong(g, 1, new TensorShape(2, 3)));
    }

    [Fact]
    public void ExpandAlong_accepts_a_kept_size_one_axis_and_a_negative_axis()
    {
        var g = Tensor.FromArray([1, 2], 2, 1);

        TensorAssert.Equal([2, 3], [1, 1, 1, 2, 2, 2], Tensor.ExpandAlong(g, -1, new TensorShape(2, 3)));
    }

    [Fact]
    public void ExpandAlong_the_middle_axis_of_a_rank_3_shape()
    {
        var g = Tensor.FromArray([1, 2, 3, 4], 2, 2);

        TensorAssert.Equal([2, 3, 2], [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4], Tensor.ExpandAlong(g, 1, new TensorShape(2, 3, 2)));
    }

    [Fact]
    public void ExpandAlong_a_vector_fills_it_with_a_rank_0_gradient()
    {
        TensorAssert.Equal([3], [7, 7, 7], Tensor.ExpandAlong(Tensor.Full(7.0), 0, new TensorShape(3)));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(-1, false)]
    [InlineData(2, true)]
    public void ExpandAlong_undoes_a_sum_along_the_same_axis(int axis, bool keepDims)
    {
        var shape = new TensorShape(2, 3, 4);
        var g = Tensor.RandomNormal(5, Tensor.Sum(Tensor.Zeros(shape), axis, keepDims).Shape.ToArray());

        var expanded = Tensor.ExpandAlong(g, axis, shape);

        Assert.Equal(shape, expanded.Shape);
        TensorAssert.Equal(g.Shape.ToArray(), (g * shape.Dimension(axis)).ToArray(), Tensor.Sum(expanded, axis, keepDims), 1e-12);
    }

    [Fact]
    public void ExpandAlong_then_SumTo_the_kept_shape_scales_by_the_axis_size()
    {
        var g = Tensor.FromArray([1, 2, 3], 1, 3);

        TensorAssert.Equal([1, 3], [2, 4, 6], Tensor.SumTo(Tensor.ExpandAlong(g, 0, new TensorShape(2, 3)), g.Shape));
    }

    [Theory]
    [InlineData(new[] { 2 }, 0)]
    [InlineData(new[] { 3, 1 }, 1)]
    [InlineData(new[] { 2, 3 }, 0)]
    public void ExpandAlong_a_gradient_that_does_not_fit_names_both_shapes(int[] gradientShape, int axis)
    {
        var g = Tensor.Zeros(gradientShape);

        var error = Assert.Throws<ArgumentException>(() => Tensor.ExpandAlong(g, axis, new TensorShape(2, 3)));

        TensorAssert.MessageNames(error, new TensorShape(gradientShape).ToString(), "[2, 3]");
    }

    [Fact]
    public void ExpandAlong_a_bad_axis_names_the_axis_and_the_shape()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.ExpandAlong(Tensor.Zeros(3), 2, new TensorShape(2, 3)));

        TensorAssert.MessageNames(error, "Axis 2", "[2, 3]");
    }

    [Fact]
    public void MaxMask_marks_the_maximum_along_each_axis()
    {
        var x = Tensor.FromArray([1, 5, 3, 4, 2, 6], 2, 3);

        TensorAssert.Equal([2, 3], [0, 1, 0, 1, 0, 1], Tensor.MaxMask(x, 0));
        TensorAssert.Equal([2, 3], [0, 1, 0, 0, 0, 1], Tensor.MaxMask(x, 1));
        TensorAssert.Equal([2, 3], [0, 1, 0, 0, 0, 1], Tensor.MaxMask(x, -1));
    }

    [Fact]
    public void MaxMask_of_ties_marks_only_the_first_maximum()
    {
        var rows = Tensor.FromArray([2, 2, 1, 3, 3, 3], 2, 3);
        var columns = Tensor.FromArray([1, 2, 1, 3, 0, 3], 3, 2);

        TensorAssert.Equal([2, 3], [1, 0, 0, 1, 0, 0], Tensor.MaxMask(rows, 1));
        TensorAssert.Equal([3, 2], [1, 0, 0, 1, 0, 0], Tensor.MaxMask(columns, 0));
    }

    [Fact]
    public void MaxMask_along_the_middle_axis_of_a_rank_3_tensor()
    {
        // [[[1, 9], [7, 2], [7, 9]], [[0, 0], [5, -1], [4, 0]]]
        var x = Tensor.FromArray([1, 9, 7, 2, 7, 9, 0, 0, 5, -1, 4, 0], 2, 3, 2);

        TensorAssert.Equal([2, 3, 2], [0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0], Tensor.MaxMask(x, 1));
    }

    [Fact]
    public void MaxMask_marks_a_nan_as_the_maximum_as_Max_returns_it()
    {
        var x = Tensor.FromArray([1, double.NaN, 3], 1, 3);

        TensorAssert.Equal([1, 3], [0, 1, 0], Tensor.MaxMask(x, 1));
    }

    [Fact]
    public void MaxMask_times_the_expanded_gradient_routes_it_to_the_maximum()
    {
        var x = Tensor.FromArray([1, 5, 3, 4, 2, 6], 2, 3);
        var g = Tensor.FromArray([10, 20], 2);

        var dx = Tensor.MaxMask(x, 1) * Tensor.ExpandAlong(g, 1, x.Shape);

        TensorAssert.Equal([2, 3], [0, 10, 0, 0, 0, 20], dx);
    }

    [Fact]
    public void MaxMask_along_a_bad_axis_names_the_axis_and_the_shape()
    {
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.MaxMask(G, 2)), "Axis 2", "[2, 3]");
    }

    [Fact]
    public void Unpick_scatters_each_gradient_to_its_picked_position()
    {
        var g = Tensor.FromArray([10, 20], 2);

        TensorAssert.Equal([2, 3], [0, 0, 10, 20, 0, 0], Tensor.Unpick(g, [2, 0], new TensorShape(2, 3)));
    }

    [Fact]
    public void Unpick_is_the_adjoint_of_Pick()
    {
        var x = Tensor.RandomNormal(1, 4, 5);
        var g = Tensor.RandomNormal(2, 4);
        int[] index = [3, 0, 4, 3];

        double throughPick = Tensor.Sum(Tensor.Pick(x, index) * g);
        double throughUnpick = Tensor.Sum(x * Tensor.Unpick(g, index, x.Shape));

        Assert.Equal(throughPick, throughUnpick, 1e-12);
    }

    [Fact]
    public void Unpick_of_a_gradient_of_the_wrong_shape_names_both_shapes()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Unpick(Tensor.Zeros(3), [0, 1], new TensorShape(2, 3)));

        TensorAssert.MessageNames(error, "[3]", "[2, 3]");
    }

    [Fact]
    public void Unpick_with_a_bad_index_names_the_index_and_the_shape()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Unpick(Tensor.Zeros(2), [0, 5], new TensorShape(2, 3)));

        TensorAssert.MessageNames(error, "index 5", "row 1", "[2, 3]");
    }

    [Fact]
    public void Unpick_to_a_shape_that_is_not_2d_names_it()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Unpick(Tensor.Zeros(2), [0, 1], new TensorShape(2, 3, 1)));

        TensorAssert.MessageNames(error, "[2, 3, 1]");
    }

    [Fact]
    public void Comparison_masks_with_a_double_are_1_where_they_hold()
    {
        var x = Tensor.FromArray([1, 2, 3], 3);

        TensorAssert.Equal([3], [0, 0, 1], Tensor.Greater(x, 2.0));
        TensorAssert.Equal([3], [1, 0, 0], Tensor.Less(x, 2.0));
        TensorAssert.Equal([3], [0, 1, 1], Tensor.GreaterOrEqual(x, 2.0));
        TensorAssert.Equal([3], [1, 1, 0], Tensor.LessOrEqual(x, 2.0));
    }

    [Fact]
    public void Comparison_masks_of_two_tensors_broadcast()
    {
        var column = Tensor.FromArray([1, 3], 2, 1);
        var row = Tensor.FromArray([1, 2, 3], 3);

        TensorAssert.Equal([2, 3], [0, 0, 0, 1, 1, 0], Tensor.Greater(column, row));
        TensorAssert.Equal([2, 3], [0, 1, 1, 0, 0, 0], Tensor.Less(column, row));
        TensorAssert.Equal([2, 3], [1, 0, 0, 1, 1, 1], Tensor.GreaterOrEqual(column, row));
        TensorAssert.Equal([2, 3], [1, 1, 1, 0, 0, 1], Tensor.LessOrEqual(column, row));
    }

    [Fact]
    public void Comparison_masks_are_0_where_an_operand_is_nan()
    {
        var x = Tensor.FromArray([double.NaN], 1);

        TensorAssert.Equal([1], [0], Tensor.Greater(x, 0.0));
        TensorAssert.Equal([1], [0], Tensor.LessOrEqual(x, Tensor.Zeros(1)));
    }

    [Fact]
    public void Comparison_masks_of_shapes_that_do_not_broadcast_name_both_shapes()
    {
        var a = Tensor.Zeros(2, 3);
        var b = Tensor.Zeros(4);

        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Greater(a, b)), "[2, 3]", "[4]", "'Greater'");
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Less(a, b)), "[2, 3]", "[4]", "'Less'");
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.GreaterOrEqual(a, b)), "[2, 3]", "[4]");
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.LessOrEqual(a, b)), "[2, 3]", "[4]");
    }

    [Fact]
    public void Sign_is_minus_one_zero_or_one_and_keeps_nan()
    {
        TensorAssert.Equal([5], [-1, 0, 1, 0, double.NaN], Tensor.Sign(Tensor.FromArray([-2, 0, 3, -0.0, double.NaN], 5)));
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

    [Fact]
    public void MinMask_marks_the_first_minimum_along_each_axis_and_a_nan_before_numbers()
    {
        var x = Tensor.FromArray([3, 1, 1, 0, 4, double.NaN], 2, 3);

        TensorAssert.Equal([2, 3], [0, 1, 0, 0, 0, 1], Tensor.MinMask(x, 1));
        TensorAssert.Equal([2, 3], [0, 1, 0, 1, 0, 1], Tensor.MinMask(x, 0));
    }

    [Fact]
    public void Masks_of_all_elements_mark_the_first_extreme_in_row_major_order()
    {
        var x = Tensor.FromArray([2, 9, -4, 9, -4, 0], 3, 2);

        TensorAssert.Equal([3, 2], [0, 1, 0, 0, 0, 0], Tensor.MaxMask(x));
        TensorAssert.Equal([3, 2], [0, 0, 1, 0, 0, 0], Tensor.MinMask(x));
        TensorAssert.Equal([3], [0, 1, 0], Tensor.MaxMask(Tensor.FromArray([1, double.NaN, double.NaN], 3)));
        TensorAssert.Equal([], [1], Tensor.MinMask(Tensor.Full(5.0)));
        TensorAssert.Equal([0, 2], [], Tensor.MaxMask(Tensor.Zeros(0, 2)));
    }

    [Fact]
    public void Within_is_one_between_the_bounds_including_them()
    {
        var x = Tensor.FromArray([-2, -1, 0, 1, 2, double.NaN], 6);

        TensorAssert.Equal([6], [0, 1, 1, 1, 0, 0], Tensor.Within(x, -1, 1));
        TensorAssert.Equal([6], [0, 0, 0, 0, 0, 0], Tensor.Within(x, 1, -1));
    }

    [Fact]
    public void Equal_and_NotEqual_masks_treat_nan_as_nonzero_as_Where_does()
    {
        var condition = Tensor.FromArray([0, -0.0, 2, double.NaN], 2, 2);

        TensorAssert.Equal([2, 2], [1, 1, 0, 0], Tensor.Equal(condition, 0.0));
        TensorAssert.Equal([2, 2], [0, 0, 1, 1], Tensor.NotEqual(condition, 0.0));
    }

    [Fact]
    public void Masks_of_doubles_are_one_where_the_comparison_holds_and_zero_at_nan()
    {
        Assert.Equal([1.0, 0, 0, 0], new[] { Tensor.Greater(2.0, 1.0), Tensor.Greater(1.0, 1.0), Tensor.Greater(1.0, 2.0), Tensor.Greater(double.NaN, 1.0) });
        Assert.Equal([0.0, 0, 1, 0], new[] { Tensor.Less(2.0, 1.0), Tensor.Less(1.0, 1.0), Tensor.Less(1.0, 2.0), Tensor.Less(double.NaN, 1.0) });
        Assert.Equal([1.0, 1, 0, 0], new[] { Tensor.GreaterOrEqual(2.0, 1.0), Tensor.GreaterOrEqual(1.0, 1.0), Tensor.GreaterOrEqual(1.0, 2.0), Tensor.GreaterOrEqual(double.NaN, 1.0) });
        Assert.Equal([0.0, 1, 1, 0], new[] { Tensor.LessOrEqual(2.0, 1.0), Tensor.LessOrEqual(1.0, 1.0), Tensor.LessOrEqual(1.0, 2.0), Tensor.LessOrEqual(double.NaN, 1.0) });
    }
}
