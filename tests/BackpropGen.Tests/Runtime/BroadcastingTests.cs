using System;
using Xunit;

namespace BackpropGen.Tests.Runtime;

public class BroadcastingTests
{
    private static readonly Tensor A23 = Tensor.FromArray(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });

    [Fact]
    public void Same_shape_operators_work_elementwise()
    {
        var b = Tensor.FromArray(new double[,] { { 6, 5, 4 }, { 3, 2, 1 } });

        TensorAssert.Equal([2, 3], [7, 7, 7, 7, 7, 7], A23 + b);
        TensorAssert.Equal([2, 3], [-5, -3, -1, 1, 3, 5], A23 - b);
        TensorAssert.Equal([2, 3], [6, 10, 12, 12, 10, 6], A23 * b);
        TensorAssert.Equal([2, 3], [1.0 / 6, 0.4, 0.75, 4.0 / 3, 2.5, 6], A23 / b);
    }

    [Fact]
    public void Matrix_plus_vector_adds_the_vector_to_every_row()
    {
        var row = Tensor.FromArray([10, 20, 30], 3);

        TensorAssert.Equal([2, 3], [11, 22, 33, 14, 25, 36], A23 + row);
    }

    [Fact]
    public void Vector_minus_matrix_broadcasts_the_vector_on_the_left()
    {
        var row = Tensor.FromArray([10, 20, 30], 3);

        TensorAssert.Equal([2, 3], [9, 18, 27, 6, 15, 24], row - A23);
    }

    [Fact]
    public void Matrix_times_a_one_row_matrix_scales_every_row()
    {
        var row = Tensor.FromArray([1, 0, -1], 1, 3);

        TensorAssert.Equal([2, 3], [1, 0, -3, 4, 0, -6], A23 * row);
        TensorAssert.Equal([2, 3], [1, 0, -3, 4, 0, -6], row * A23);
    }

    [Fact]
    public void Matrix_minus_column_subtracts_each_row_own_value()
    {
        var column = Tensor.FromArray([1, 10], 2, 1);

        TensorAssert.Equal([2, 3], [0, 1, 2, -6, -5, -4], A23 - column);
    }

    [Fact]
    public void Column_divided_by_matrix_broadcasts_the_column_on_the_left()
    {
        var column = Tensor.FromArray([6, 12], 2, 1);
        var b = Tensor.FromArray(new double[,] { { 1, 2, 3 }, { 4, 6, 12 } });

        TensorAssert.Equal([2, 3], [6, 3, 2, 3, 2, 1], column / b);
    }

    [Fact]
    public void Column_times_row_is_the_outer_product()
    {
        var column = Tensor.FromArray([1, 2], 2, 1);
        var row = Tensor.FromArray([10, 20, 30], 1, 3);

        TensorAssert.Equal([2, 3], [10, 20, 30, 20, 40, 60], column * row);
    }

    [Fact]
    public void Column_plus_vector_broadcasts_both_operands()
    {
        var column = Tensor.FromArray([1, 2, 3], 3, 1);
        var vector = Tensor.FromArray([10, 20], 2);

        TensorAssert.Equal([3, 2], [11, 21, 12, 22, 13, 23], column + vector);
    }

    [Fact]
    public void Rank_3_broadcasts_against_a_lower_rank_on_every_axis()
    {
        var a = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 1, 3);
        var b = Tensor.FromArray([10, 20], 2, 1);

        TensorAssert.Equal([2, 2, 3], [11, 12, 13, 21, 22, 23, 14, 15, 16, 24, 25, 26], a + b);
    }

    [Fact]
    public void Rank_3_minus_a_matrix_subtracts_it_from_every_slab()
    {
        var a = Tensor.Full(10, 2, 2, 3);
        var b = Tensor.FromArray(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });

        TensorAssert.Equal([2, 2, 3], [9, 8, 7, 6, 5, 4, 9, 8, 7, 6, 5, 4], a - b);
    }

    [Fact]
    public void Rank_3_times_a_column_of_slabs_scales_each_slab()
    {
        var a = Tensor.FromArray([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 2, 2, 3);
        var b = Tensor.FromArray([1, -1], 2, 1, 1);

        TensorAssert.Equal([2, 2, 3], [1, 2, 3, 4, 5, 6, -7, -8, -9, -10, -11, -12], a * b);
    }

    [Fact]
    public void Rank_0_tensor_broadcasts_against_any_shape()
    {
        var two = Tensor.Full(2.0);
        var three = Tensor.Full(3.0);
        var x = Tensor.FromArray([1, 2, 3, 4], 2, 2);

        TensorAssert.Equal([2, 2], [2, 4, 6, 8], two * x);
        TensorAssert.Equal([2, 2], [-2, -1, 0, 1], x - three);
        TensorAssert.Equal([], [5], two + three);
    }

    [Fact]
    public void Shapes_that_differ_only_in_leading_ones_take_the_higher_rank()
    {
        var row = Tensor.FromArray([1, 2, 3], 1, 3);
        var vector = Tensor.FromArray([10, 20, 30], 3);

        TensorAssert.Equal([1, 3], [11, 22, 33], row + vector);
        TensorAssert.Equal([1, 1, 3], [11, 22, 33], Tensor.Reshape(row, 1, 1, 3) + vector);
        TensorAssert.Equal([1, 3], [5, 6, 7], Tensor.Full(4, 1, 1) + row);
    }

    [Fact]
    public void Empty_tensors_broadcast_to_empty_results()
    {
        TensorAssert.Equal([0, 3], [], Tensor.Zeros(0, 3) + Tensor.Ones(3));
        TensorAssert.Equal([2, 0], [], Tensor.Zeros(2, 0) * Tensor.Ones(2, 1));
        TensorAssert.Equal([0], [], Tensor.Zeros(0) - Tensor.Ones(1));
    }

    [Fact]
    public void Tensor_and_double_operators_apply_the_double_to_every_element()
    {
        var x = Tensor.FromArray([1, 2, 4], 3);

        TensorAssert.Equal([3], [2, 3, 5], x + 1);
        TensorAssert.Equal([3], [0, 1, 3], x - 1);
        TensorAssert.Equal([3], [2, 4, 8], x * 2);
        TensorAssert.Equal([3], [0.5, 1, 2], x / 2);
    }

    [Fact]
    public void Double_and_tensor_operators_apply_the_double_to_every_element()
    {
        var x = Tensor.FromArray([1, 2, 4], 3);

        TensorAssert.Equal([3], [2, 3, 5], 1 + x);
        TensorAssert.Equal([3], [0, -1, -3], 1 - x);
        TensorAssert.Equal([3], [2, 4, 8], 2 * x);
        TensorAssert.Equal([3], [2, 1, 0.5], 2 / x);
    }

    [Fact]
    public void Unary_minus_negates_every_element_and_keeps_the_shape()
    {
        TensorAssert.Equal([1, 3], [-1, 2, -0.0], -Tensor.FromArray([1, -2, 0], 1, 3));
        TensorAssert.Equal([], [-3], -Tensor.Full(3.0));
    }

    [Fact]
    public void Operators_leave_their_operands_unchanged()
    {
        var a = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        var b = Tensor.FromArray([1, 2, 3], 3);

        _ = a + b;
        _ = a * 2;
        _ = 1 / b;
        _ = -a;

        Assert.Equal([1.0, 2, 3, 4, 5, 6], a.ToArray());
        Assert.Equal([1.0, 2, 3], b.ToArray());
    }

    [Theory]
    [InlineData("+")]
    [InlineData("-")]
    [InlineData("*")]
    [InlineData("/")]
    public void Shapes_that_do_not_broadcast_name_both_shapes_and_the_operator(string op)
    {
        var a = Tensor.Zeros(2, 3);
        var b = Tensor.Zeros(4);
        Func<Tensor> apply = op switch
        {
            "+" => () => a + b,
            "-" => () => a - b,
            "*" => () => a * b,
            _ => () => a / b,
        };

        var error = Assert.Throws<ArgumentException>(apply);

        Assert.Equal($"Cannot broadcast shapes [2, 3] and [4] for '{op}'.", error.Message);
    }

    [Theory]
    [InlineData(new[] { 2, 3 }, new[] { 3, 2 })]
    [InlineData(new[] { 2, 1, 3 }, new[] { 2, 2, 1, 4 })]
    [InlineData(new[] { 0 }, new[] { 2 })]
    public void Mismatched_dimensions_anywhere_are_rejected_naming_both_shapes(int[] left, int[] right)
    {
        var a = Tensor.Zeros(left);
        var b = Tensor.Zeros(right);

        var error = Assert.Throws<ArgumentException>(() => b * a);

        TensorAssert.MessageNames(error, new TensorShape(right).ToString(), new TensorShape(left).ToString(), "'*'");
    }

    // Every fast path and the general strided path, both operand orders, against a naive index-by-index reference.
    [Theory]
    [InlineData(new[] { 4, 5 }, new[] { 5 })]
    [InlineData(new[] { 4, 5 }, new[] { 1, 5 })]
    [InlineData(new[] { 4, 5 }, new[] { 4, 1 })]
    [InlineData(new[] { 4, 5 }, new[] { 1, 1 })]
    [InlineData(new[] { 4, 5 }, new int[0])]
    [InlineData(new[] { 4, 1 }, new[] { 1, 5 })]
    [InlineData(new[] { 1, 5 }, new[] { 5 })]
    [InlineData(new[] { 3, 4, 5 }, new[] { 4, 5 })]
    [InlineData(new[] { 3, 4, 5 }, new[] { 3, 1, 1 })]
    [InlineData(new[] { 3, 4, 5 }, new[] { 3, 4, 1 })]
    [InlineData(new[] { 3, 4, 5 }, new[] { 3, 1, 5 })]
    [InlineData(new[] { 3, 4, 5 }, new[] { 4, 1 })]
    [InlineData(new[] { 3, 1, 5 }, new[] { 1, 4, 1 })]
    [InlineData(new[] { 2, 1, 3, 1 }, new[] { 1, 4, 1, 5 })]
    public void Broadcasting_agrees_with_an_element_by_element_reference(int[] left, int[] right)
    {
        var a = Tensor.RandomNormal(1, left);
        var b = Tensor.RandomNormal(2, right) + 3.0;

        AssertMatchesReference(a, b, a - b, (x, y) => x - y);
        AssertMatchesReference(b, a, b / a, (x, y) => x / y);
        AssertMatchesReference(a, b, Tensor.Maximum(a, b), Math.Max);
        AssertMatchesReference(b, a, Tensor.Greater(b, a), (x, y) => x > y ? 1 : 0);
        AssertMatchesReference(a, b, Tensor.LessOrEqual(a, b), (x, y) => x <= y ? 1 : 0);
    }

    private static void AssertMatchesReference(Tensor a, Tensor b, Tensor actual, Func<double, double, double> op)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        var shape = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            shape[i] = Math.Max(Aligned(a.Shape, i, rank), Aligned(b.Shape, i, rank));
        }

        var expected = new double[actual.Length];
        var position = new int[rank];
        for (int flat = 0; flat < expected.Length; flat++)
        {
            int rest = flat;
            for (int i = rank - 1; i >= 0; i--)
            {
                position[i] = rest % shape[i];
                rest /= shape[i];
            }

            expected[flat] = op(a[At(position, a.Shape)], b[At(position, b.Shape)]);
        }

        TensorAssert.Equal(shape, expected, actual);
    }

    private static int Aligned(TensorShape shape, int i, int rank) => i < rank - shape.Rank ? 1 : shape[i - (rank - shape.Rank)];

    // The operand's own index of a result position: its trailing coordinates, 0 where it has size 1.
    private static int[] At(int[] position, TensorShape shape)
    {
        var index = new int[shape.Rank];
        for (int i = 0; i < index.Length; i++)
        {
            index[i] = shape[i] == 1 ? 0 : position[position.Length - shape.Rank + i];
        }

        return index;
    }
}
