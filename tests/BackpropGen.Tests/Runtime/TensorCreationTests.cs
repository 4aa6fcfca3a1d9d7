using System;
using Xunit;

namespace BackpropGen.Tests.Runtime;

public class TensorCreationTests
{
    [Fact]
    public void FromArray_reads_the_data_in_row_major_order()
    {
        var x = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);

        Assert.Equal(new TensorShape(2, 3), x.Shape);
        Assert.Equal(2, x.Rank);
        Assert.Equal(6, x.Length);
        Assert.Equal(2.0, x[0, 1]);
        Assert.Equal(4.0, x[1, 0]);
        Assert.Equal(6.0, x[1, 2]);
    }

    [Fact]
    public void FromArray_copies_the_data_so_later_writes_to_the_array_do_not_change_the_tensor()
    {
        double[] data = [1, 2, 3];
        var x = Tensor.FromArray(data, 3);
        data[0] = 99;

        Assert.Equal([1.0, 2, 3], x.ToArray());
    }

    [Fact]
    public void FromArray_without_a_shape_makes_a_rank_0_tensor_of_one_element()
    {
        var x = Tensor.FromArray([7.0]);

        Assert.Equal(0, x.Rank);
        Assert.Equal(1, x.Length);
        Assert.Equal(7.0, x[[]]);
    }

    [Fact]
    public void FromArray_of_the_wrong_length_names_the_data_length_and_the_shape()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.FromArray(new double[5], 2, 3));

        TensorAssert.MessageNames(error, "length 5", "[2, 3]");
    }

    [Fact]
    public void FromArray_of_a_rectangular_array_makes_a_matrix()
    {
        var x = Tensor.FromArray(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });

        TensorAssert.Equal([2, 3], [1, 2, 3, 4, 5, 6], x);
    }

    [Fact]
    public void FromArray_of_an_empty_rectangular_array_keeps_its_shape()
    {
        TensorAssert.Equal([0, 3], [], Tensor.FromArray(new double[0, 3]));
    }

    [Fact]
    public void Zeros_ones_and_full_fill_the_shape()
    {
        TensorAssert.Equal([2, 2], [0, 0, 0, 0], Tensor.Zeros(2, 2));
        TensorAssert.Equal([3], [1, 1, 1], Tensor.Ones(3));
        TensorAssert.Equal([1, 2], [2.5, 2.5], Tensor.Full(2.5, 1, 2));
        TensorAssert.Equal([2, 1], [0, 0], Tensor.Zeros(new TensorShape(2, 1)));
        TensorAssert.Equal([2], [1, 1], Tensor.Ones(new TensorShape(2)));
        TensorAssert.Equal([1, 1, 1], [-3], Tensor.Full(-3, new TensorShape(1, 1, 1)));
    }

    [Fact]
    public void Factories_without_a_shape_make_rank_0_tensors()
    {
        TensorAssert.Equal([], [0], Tensor.Zeros());
        TensorAssert.Equal([], [1], Tensor.Ones());
        TensorAssert.Equal([], [4], Tensor.Full(4.0));
    }

    [Fact]
    public void Factories_reject_a_negative_dimension_naming_the_shape()
    {
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Zeros(3, -2)), "[3, -2]");
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Full(1, -1)), "[-1]");
    }

    [Fact]
    public void RandomNormal_is_the_same_for_the_same_seed_and_differs_for_another()
    {
        var a = Tensor.RandomNormal(42, 3, 4);
        var b = Tensor.RandomNormal(42, 3, 4);
        var c = Tensor.RandomNormal(43, 3, 4);

        Assert.Equal(new TensorShape(3, 4), a.Shape);
        Assert.Equal(a.ToArray(), b.ToArray());
        Assert.NotEqual(a.ToArray(), c.ToArray());
    }

    [Fact]
    public void RandomNormal_fills_in_row_major_order_so_a_longer_tensor_extends_a_shorter_one()
    {
        var shorter = Tensor.RandomNormal(5, 3).ToArray();
        var longer = Tensor.RandomNormal(5, 4).ToArray();

        Assert.Equal(shorter, longer[..3]);
    }

    [Fact]
    public void RandomNormal_samples_have_mean_0_and_variance_1()
    {
        var x = Tensor.RandomNormal(7, 20_000);
        double mean = Tensor.Mean(x);
        double variance = Tensor.Mean(Tensor.Square(x - mean));

        Assert.InRange(mean, -0.03, 0.03);
        Assert.InRange(variance, 0.96, 1.04);
    }

    [Fact]
    public void Indexer_reads_every_rank_including_0_and_3()
    {
        var cube = Tensor.FromArray([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 2, 3, 2);

        Assert.Equal(0.0, cube[0, 0, 0]);
        Assert.Equal(3.0, cube[0, 1, 1]);
        Assert.Equal(9.0, cube[1, 1, 1]);
        Assert.Equal(11.0, cube[1, 2, 1]);
        Assert.Equal(5.0, Tensor.Full(5.0)[[]]);
    }

    [Fact]
    public void Indexer_with_the_wrong_number_of_coordinates_names_the_index_and_the_shape()
    {
        var x = Tensor.Zeros(2, 3);

        var error = Assert.Throws<ArgumentException>(() => x[1]);

        TensorAssert.MessageNames(error, "[1]", "[2, 3]");
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(0, 3)]
    [InlineData(-1, 0)]
    public void Indexer_outside_the_shape_names_the_index_and_the_shape(int i, int j)
    {
        var x = Tensor.Zeros(2, 3);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => x[i, j]);

        TensorAssert.MessageNames(error, $"[{i}, {j}]", "[2, 3]");
    }

    [Fact]
    public void ToArray_returns_a_copy_that_cannot_change_the_tensor()
    {
        var x = Tensor.FromArray([1, 2], 2);
        x.ToArray()[0] = 99;

        Assert.Equal(1.0, x[0]);
    }

    [Fact]
    public void AsSpan_reads_the_elements_in_row_major_order()
    {
        var x = Tensor.FromArray(new double[,] { { 1, 2 }, { 3, 4 } });

        Assert.Equal([1.0, 2, 3, 4], x.AsSpan().ToArray());
    }

    [Fact]
    public void ToString_shows_the_shape_and_the_values()
    {
        Assert.Equal("Tensor [2, 2] { 1, 2.5, -3, 4 }", Tensor.FromArray([1, 2.5, -3, 4], 2, 2).ToString());
        Assert.Equal("Tensor [] { 7 }", Tensor.Full(7.0).ToString());
        Assert.Equal("Tensor [0] {}", Tensor.Zeros(0).ToString());
    }

    [Fact]
    public void ToString_of_a_long_tensor_is_cut_short_and_says_how_many_values_are_left_out()
    {
        var text = Tensor.Zeros(5, 5).ToString();

        Assert.StartsWith("Tensor [5, 5] { 0, 0,", text, StringComparison.Ordinal);
        Assert.EndsWith(", … (5 more) }", text, StringComparison.Ordinal);
    }
}
