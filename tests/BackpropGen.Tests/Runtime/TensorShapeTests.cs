using System;
using Xunit;

namespace BackpropGen.Tests.Runtime;

public class TensorShapeTests
{
    [Fact]
    public void Indexer_rank_count_and_element_count_describe_the_dimensions()
    {
        var shape = new TensorShape(2, 3, 4);

        Assert.Equal(2, shape[0]);
        Assert.Equal(3, shape[1]);
        Assert.Equal(4, shape[2]);
        Assert.Equal(3, shape.Rank);
        Assert.Equal(3, shape.Count);
        Assert.Equal(24, shape.ElementCount);
    }

    [Theory]
    [InlineData(0, false, new[] { 4, 5 })]
    [InlineData(0, true, new[] { 1, 4, 5 })]
    [InlineData(1, true, new[] { 3, 1, 5 })]
    [InlineData(-1, true, new[] { 3, 4, 1 })]
    [InlineData(-1, false, new[] { 3, 4 })]
    public void Reduced_is_the_shape_a_sum_along_the_axis_makes(int axis, bool keepDims, int[] expected)
    {
        var shape = new TensorShape(3, 4, 5);
        Assert.Equal(new TensorShape(expected), shape.Reduced(axis, keepDims));
        Assert.Equal(Tensor.Sum(Tensor.Zeros(shape), axis, keepDims).Shape, shape.Reduced(axis, keepDims));
        Assert.Contains("Axis 3 is out of range", Assert.Throws<ArgumentException>(() => shape.Reduced(3, keepDims)).Message);
    }

    [Fact]
    public void Constructor_copies_the_dimensions_so_later_writes_to_the_array_do_not_change_the_shape()
    {
        int[] dims = [2, 3];
        var shape = new TensorShape(dims);
        dims[0] = 7;

        Assert.Equal(2, shape[0]);
    }

    [Fact]
    public void ToArray_returns_a_copy_that_cannot_change_the_shape()
    {
        var shape = new TensorShape(2, 3);
        shape.ToArray()[0] = 7;

        Assert.Equal([2, 3], shape.ToArray());
    }

    [Fact]
    public void Enumerating_yields_the_dimensions_outermost_first()
    {
        Assert.Equal([2, 3, 4], new TensorShape(2, 3, 4));
    }

    [Fact]
    public void Default_shape_behaves_as_rank_0_with_one_element()
    {
        TensorShape shape = default;

        Assert.Equal(0, shape.Rank);
        Assert.Equal(shape.Rank, shape.Count);
        Assert.Equal(1, shape.ElementCount);
        Assert.Empty(shape.ToArray());
        Assert.Empty(shape);
        Assert.Equal("[]", shape.ToString());
        Assert.Equal(new TensorShape(), shape);
        Assert.Equal(new TensorShape().GetHashCode(), shape.GetHashCode());
    }

    [Fact]
    public void A_zero_dimension_makes_an_empty_shape()
    {
        Assert.Equal(0, new TensorShape(4, 0, 3).ElementCount);
        Assert.Equal(0, new TensorShape(100_000, 100_000, 0).ElementCount);
    }

    [Fact]
    public void Shapes_with_the_same_dimensions_are_equal()
    {
        var a = new TensorShape(2, 3);
        var b = new TensorShape(2, 3);

        Assert.True(a == b);
        Assert.False(a != b);
        Assert.True(a.Equals(b));
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Fact]
    public void Shapes_that_differ_in_order_or_rank_are_not_equal()
    {
        var a = new TensorShape(2, 3);

        Assert.True(a != new TensorShape(3, 2));
        Assert.True(a != new TensorShape(2, 3, 1));
        Assert.True(a != new TensorShape(1, 2, 3));
        Assert.False(a.Equals("[2, 3]"));
    }

    [Theory]
    [InlineData(new[] { 2, 3 }, "[2, 3]")]
    [InlineData(new[] { 5 }, "[5]")]
    [InlineData(new int[0], "[]")]
    public void ToString_lists_the_dimensions_in_brackets(int[] dims, string expected)
    {
        Assert.Equal(expected, new TensorShape(dims).ToString());
    }

    [Fact]
    public void Dimension_counts_a_negative_axis_from_the_end()
    {
        var shape = new TensorShape(2, 3, 4);

        Assert.Equal(4, shape.Dimension(-1));
        Assert.Equal(2, shape.Dimension(-3));
        Assert.Equal(3, shape.Dimension(1));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-4)]
    public void Dimension_of_a_bad_axis_names_the_axis_and_the_shape(int axis)
    {
        var error = Assert.Throws<ArgumentException>(() => new TensorShape(2, 3, 4).Dimension(axis));

        TensorAssert.MessageNames(error, $"Axis {axis}", "[2, 3, 4]");
    }

    [Fact]
    public void Indexer_outside_the_rank_throws()
    {
        var shape = new TensorShape(2, 3);

        Assert.Contains("Dimension 2 does not exist in shape [2, 3] of rank 2", Assert.Throws<ArgumentOutOfRangeException>(() => shape[2]).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => shape[-1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => default(TensorShape)[0]);
    }

    [Fact]
    public void Constructor_rejects_a_negative_dimension_naming_the_shape()
    {
        var error = Assert.Throws<ArgumentException>(() => new TensorShape(2, -1));

        TensorAssert.MessageNames(error, "[2, -1]", "negative dimension");

        // A negative dimension is what is reported, even where the others already make too many elements.
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => new TensorShape(65_536, 65_536, -1)), "[65536, 65536, -1]", "negative dimension");
    }

    [Fact]
    public void Constructor_rejects_a_shape_of_more_than_int_max_elements()
    {
        var error = Assert.Throws<ArgumentException>(() => new TensorShape(65_536, 65_536));

        TensorAssert.MessageNames(error, "[65536, 65536]");
    }

    [Fact]
    public void Broadcast_of_two_shapes_is_numpys_in_both_directions()
    {
        Assert.Equal(new TensorShape(6, 4), TensorShape.Broadcast(new TensorShape(6, 1), new TensorShape(4)));
        Assert.Equal(new TensorShape(6, 4), TensorShape.Broadcast(new TensorShape(4), new TensorShape(6, 4)));
        Assert.Equal(new TensorShape(2, 3), TensorShape.Broadcast(new TensorShape(2, 3), new TensorShape()));
    }

    [Fact]
    public void Broadcast_of_several_shapes_keeps_every_axis_any_of_them_has()
    {
        Assert.Equal(new TensorShape(6, 4), TensorShape.Broadcast(new TensorShape(4), new TensorShape(), new TensorShape(6, 1)));
        Assert.Equal(new TensorShape(1, 4), TensorShape.Broadcast(new TensorShape(4), new TensorShape(1, 1), new TensorShape(), new TensorShape(4)));
        var error = Assert.Throws<ArgumentException>(() => TensorShape.Broadcast(new TensorShape(4), new TensorShape(1, 4), new TensorShape(3)));
        TensorAssert.MessageNames(error, "[1, 4]", "[3]");
    }

    [Fact]
    public void Broadcast_of_shapes_that_do_not_match_names_both()
    {
        var error = Assert.Throws<ArgumentException>(() => TensorShape.Broadcast(new TensorShape(2, 3), new TensorShape(4)));

        TensorAssert.MessageNames(error, "[2, 3]", "[4]");
    }

    [Fact]
    public void The_shape_of_a_matrix_product_is_rows_by_columns_and_mismatched_shapes_are_named()
    {
        Assert.Equal(new TensorShape(5, 7), TensorShape.OfDot(new TensorShape(5, 3), new TensorShape(3, 7)));
        Assert.Equal(new TensorShape(0, 2), TensorShape.OfDot(new TensorShape(0, 3), new TensorShape(3, 2)));
        Assert.Contains("[5, 3] and [4, 7]", Assert.Throws<ArgumentException>(() => TensorShape.OfDot(new TensorShape(5, 3), new TensorShape(4, 7))).Message);
        Assert.Throws<ArgumentException>(() => TensorShape.OfDot(new TensorShape(3), new TensorShape(3, 7)));
    }
}
