using System;
using Xunit;

namespace BackpropGen.Tests.Runtime;

public class MatrixTests
{
    [Fact]
    public void Dot_multiplies_matrices()
    {
        var a = Tensor.FromArray(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        var b = Tensor.FromArray(new double[,] { { 7, 8 }, { 9, 10 }, { 11, 12 } });

        TensorAssert.Equal([2, 2], [58, 64, 139, 154], Tensor.Dot(a, b));
    }

    [Fact]
    public void Dot_of_a_row_and_a_column_is_a_one_by_one_matrix()
    {
        TensorAssert.Equal([1, 1], [32], Tensor.Dot(Tensor.FromArray([1, 2, 3], 1, 3), Tensor.FromArray([4, 5, 6], 3, 1)));
    }

    [Fact]
    public void Dot_with_an_empty_inner_dimension_is_zeros()
    {
        TensorAssert.Equal([2, 3], [0, 0, 0, 0, 0, 0], Tensor.Dot(Tensor.Zeros(2, 0), Tensor.Zeros(0, 3)));
    }

    // The second shape spans several panels of b's rows and two blocks of its columns.
    [Theory]
    [InlineData(7, 5, 9)]
    [InlineData(3, 40, 600)]
    public void Dot_agrees_with_the_textbook_triple_loop(int m, int k, int n)
    {
        var a = Tensor.RandomNormal(1, m, k);
        var b = Tensor.RandomNormal(2, k, n);
        var expected = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                for (int p = 0; p < k; p++)
                {
                    expected[(i * n) + j] += a[i, p] * b[p, j];
                }
            }
        }

        TensorAssert.Equal([m, n], expected, Tensor.Dot(a, b), 1e-12);
    }

    [Theory]
    [InlineData(new[] { 2, 3 }, new[] { 2, 3 })]
    [InlineData(new[] { 3 }, new[] { 3, 2 })]
    [InlineData(new[] { 2, 3 }, new[] { 3, 2, 1 })]
    public void Dot_of_mismatched_shapes_names_both(int[] left, int[] right)
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Dot(Tensor.Zeros(left), Tensor.Zeros(right)));

        TensorAssert.MessageNames(error, new TensorShape(left).ToString(), new TensorShape(right).ToString());
    }

    [Fact]
    public void Transpose_swaps_rows_and_columns()
    {
        var x = Tensor.FromArray(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });

        TensorAssert.Equal([3, 2], [1, 4, 2, 5, 3, 6], Tensor.Transpose(x));
    }

    [Fact]
    public void Transpose_of_a_matrix_larger_than_one_tile_moves_every_element()
    {
        var x = Tensor.RandomNormal(3, 70, 37);

        var t = Tensor.Transpose(x);

        Assert.Equal(new TensorShape(37, 70), t.Shape);
        for (int i = 0; i < 70; i++)
        {
            for (int j = 0; j < 37; j++)
            {
                Assert.Equal(x[i, j], t[j, i]);
            }
        }

        Assert.Equal(x.ToArray(), Tensor.Transpose(t).ToArray());
    }

    [Theory]
    [InlineData(new[] { 3 })]
    [InlineData(new[] { 2, 3, 4 })]
    [InlineData(new int[0])]
    public void Transpose_of_a_tensor_that_is_not_2d_names_its_shape(int[] shape)
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Transpose(Tensor.Zeros(shape)));

        TensorAssert.MessageNames(error, new TensorShape(shape).ToString());
    }
}
