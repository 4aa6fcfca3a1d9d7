using System;
using Xunit;

namespace BackpropGen.Tests.Runtime;

/// <summary><c>SumProductTo(a, b, shape)</c> is <c>SumTo(a * b, shape)</c>, with or without its row-by-row fast path.</summary>
public class SumProductToTests
{
    // [[1, 2, 3], [4, 5, 6]] and [[2, 0, -1], [1, 3, 2]]
    private static readonly Tensor A = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
    private static readonly Tensor B = Tensor.FromArray([2, 0, -1, 1, 3, 2], 2, 3);

    [Fact]
    public void Sums_the_products_over_the_leading_axis_to_a_row()
    {
        // [1*2 + 4*1, 2*0 + 5*3, 3*-1 + 6*2]
        TensorAssert.Equal([3], [6, 15, 9], Tensor.SumProductTo(A, B, new TensorShape(3)));
        TensorAssert.Equal([1, 3], [6, 15, 9], Tensor.SumProductTo(A, B, new TensorShape(1, 3)));
    }

    [Fact]
    public void Sums_everything_to_a_scalar_shape_and_each_row_to_a_column()
    {
        TensorAssert.Equal([], [30], Tensor.SumProductTo(A, B, new TensorShape()));
        TensorAssert.Equal([1, 1], [30], Tensor.SumProductTo(A, B, new TensorShape(1, 1)));
        TensorAssert.Equal([2, 1], [-1, 31], Tensor.SumProductTo(A, B, new TensorShape(2, 1)));
    }

    [Fact]
    public void The_operands_shape_gives_the_plain_product()
    {
        TensorAssert.Equal([2, 3], [2, 0, -3, 4, 15, 12], Tensor.SumProductTo(A, B, A.Shape));
    }

    [Fact]
    public void Broadcast_operands_give_SumTo_of_the_broadcast_product()
    {
        var row = Tensor.FromArray([1, 10, 100], 3);
        TensorAssert.Equal([3], [5, 70, 900], Tensor.SumProductTo(A, row, row.Shape));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 3)]
    [InlineData(7, 9)]
    [InlineData(64, 33)]
    public void Agrees_with_SumTo_of_the_product_for_sizes_around_the_vector_width(int n, int d)
    {
        var a = Tensor.RandomNormal(seed: n, n, d);
        var b = Tensor.RandomNormal(seed: d + 100, n, d);
        foreach (var shape in new[] { new TensorShape(d), new TensorShape(1, d), new TensorShape(n, 1), new TensorShape() })
        {
            var expected = Tensor.SumTo(a * b, shape);
            TensorAssert.Equal(shape.ToArray(), expected.ToArray(), Tensor.SumProductTo(a, b, shape), tolerance: 1e-12);
        }
    }

    [Fact]
    public void A_rank_3_product_sums_both_leading_axes_to_its_last()
    {
        var a = Tensor.RandomNormal(seed: 1, 2, 3, 4);
        var b = Tensor.RandomNormal(seed: 2, 2, 3, 4);
        var shape = new TensorShape(4);
        TensorAssert.Equal([4], Tensor.SumTo(a * b, shape).ToArray(), Tensor.SumProductTo(a, b, shape), tolerance: 1e-12);
    }

    [Fact]
    public void An_empty_product_sums_to_zeros()
    {
        TensorAssert.Equal([3], [0, 0, 0], Tensor.SumProductTo(Tensor.Zeros(0, 3), Tensor.Zeros(0, 3), new TensorShape(3)));
    }

    [Fact]
    public void A_shape_that_does_not_broadcast_to_the_product_names_both_shapes()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.SumProductTo(A, B, new TensorShape(4)));
        TensorAssert.MessageNames(error, "[2, 3]", "[4]");
        error = Assert.Throws<ArgumentException>(() => Tensor.SumProductTo(Tensor.Zeros(3), Tensor.Zeros(3), new TensorShape(1, 3)));
        TensorAssert.MessageNames(error, "[3]", "[1, 3]");
    }

    [Fact]
    public void Operands_that_do_not_broadcast_name_both_shapes()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.SumProductTo(A, Tensor.Zeros(2), new TensorShape(3)));
        TensorAssert.MessageNames(error, "[2, 3]", "[2]");
    }
}
