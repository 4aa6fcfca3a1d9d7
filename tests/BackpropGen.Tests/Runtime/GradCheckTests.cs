using System;
using System.Collections.Generic;
using Xunit;

namespace BackpropGen.Tests.Runtime;

public class GradCheckTests
{
    private const double Agrees = 1e-8;

    private static readonly Tensor X = Tensor.FromArray([0.5, -1.2, 2.0, 0.3, -0.7, 1.1], 2, 3);
    private static readonly Tensor Dout = Tensor.FromArray([1.0, -2.0, 0.5, 3.0, 0.25, -1.5], 2, 3);

    [Fact]
    public void Numerical_gradient_of_square_is_two_x_times_dout()
    {
        var numerical = GradCheck.Numerical(Tensor.Square, X, Dout);

        Assert.Equal(X.Shape, numerical.Shape);
        Assert.True(GradCheck.RelativeError(2 * X * Dout, numerical) < Agrees);
    }

    [Fact]
    public void Numerical_gradient_of_tanh_and_exp_match_their_derivatives()
    {
        var tanh = Tensor.Tanh(X);

        Assert.True(GradCheck.RelativeError((1 - Tensor.Square(tanh)) * Dout, GradCheck.Numerical(Tensor.Tanh, X, Dout)) < Agrees);
        Assert.True(GradCheck.RelativeError(Tensor.Exp(X) * Dout, GradCheck.Numerical(Tensor.Exp, X, Dout)) < Agrees);
    }

    [Fact]
    public void Numerical_gradient_of_a_sum_along_an_axis_repeats_dout()
    {
        var dout = Tensor.FromArray([1.0, -2.0, 4.0], 3);

        var numerical = GradCheck.Numerical(x => Tensor.Sum(x, axis: 0), X, dout);

        TensorAssert.Equal([2, 3], [1, -2, 4, 1, -2, 4], numerical, 1e-9);
    }

    [Fact]
    public void Numerical_evaluates_f_at_fresh_copies_and_never_mutates_x()
    {
        var seen = new List<Tensor>();
        var before = X.ToArray();

        _ = GradCheck.Numerical(
            x =>
            {
                seen.Add(x);
                return x * 2;
            },
            X,
            Dout);

        Assert.Equal(before, X.ToArray());
        Assert.Equal(2 * X.Length, seen.Count);
        for (int i = 0; i < seen.Count; i++)
        {
            Assert.NotSame(X, seen[i]);
            var moved = seen[i].ToArray();
            for (int j = 0; j < moved.Length; j++)
            {
                double expected = j == i / 2 ? before[j] + (i % 2 == 0 ? 1e-5 : -1e-5) : before[j];
                Assert.Equal(expected, moved[j], 1e-15);
            }
        }
    }

    [Fact]
    public void Numerical_with_an_output_shape_other_than_dout_names_both_shapes()
    {
        var error = Assert.Throws<ArgumentException>(() => GradCheck.Numerical(x => Tensor.Sum(x, 1), X, Tensor.Zeros(3)));

        TensorAssert.MessageNames(error, "[2]", "[3]");
    }

    [Fact]
    public void Numerical_derivative_of_a_tensor_valued_function_of_a_double_weights_by_dout()
    {
        // f(s) = s² X, so d/ds sum(f(s) * dout) = 2 s sum(X * dout).
        const double s = 1.5;

        double numerical = GradCheck.Numerical(v => v * v * X, s, Dout);

        Assert.True(GradCheck.RelativeError(2 * s * Tensor.Sum(X * Dout), numerical) < Agrees);
    }

    [Fact]
    public void Numerical_derivative_of_a_double_valued_function_of_a_double_is_its_derivative()
    {
        Assert.True(GradCheck.RelativeError(Math.Cos(0.3), GradCheck.Numerical(Math.Sin, 0.3)) < Agrees);
        Assert.True(GradCheck.RelativeError(2 * Math.Cos(0.3), GradCheck.Numerical(Math.Sin, 0.3, dout: 2.0)) < Agrees);
    }

    [Fact]
    public void Numerical_gradient_of_a_loss_is_the_gradient_times_dout()
    {
        static double Loss(Tensor x) => Tensor.Sum(Tensor.Square(x)) / 2;

        Assert.True(GradCheck.RelativeError(X, GradCheck.Numerical(Loss, X)) < Agrees);
        Assert.True(GradCheck.RelativeError(3 * X, GradCheck.Numerical(Loss, X, dout: 3.0)) < Agrees);
    }

    [Fact]
    public void Numerical_gradient_of_a_rank_0_input_has_rank_0()
    {
        var numerical = GradCheck.Numerical(x => Tensor.Sum(Tensor.Exp(x)), Tensor.Full(1.0));

        Assert.Equal(0, numerical.Rank);
        Assert.True(GradCheck.RelativeError(Math.E, numerical[[]]) < Agrees);
    }

    [Fact]
    public void RelativeError_of_doubles_is_the_difference_over_the_sum_of_magnitudes()
    {
        Assert.Equal(0.1 / 2.1, GradCheck.RelativeError(1.0, 1.1), 1e-15);
        Assert.Equal(1.0, GradCheck.RelativeError(-1.0, 1.0));
        Assert.Equal(0.0, GradCheck.RelativeError(3.0, 3.0));
    }

    [Fact]
    public void RelativeError_floors_the_denominator_at_1e_minus_8()
    {
        Assert.Equal(0.0, GradCheck.RelativeError(0.0, 0.0));
        Assert.Equal(0.1, GradCheck.RelativeError(1e-9, 0.0), 1e-15);
    }

    [Fact]
    public void RelativeError_of_tensors_is_the_largest_elementwise_error()
    {
        var a = Tensor.FromArray([1, 2, 0], 3);
        var b = Tensor.FromArray([1, 3, 1e-9], 3);

        Assert.Equal(0.2, GradCheck.RelativeError(a, b), 1e-15);
        Assert.Equal(0.0, GradCheck.RelativeError(Tensor.Zeros(0), Tensor.Zeros(0)));
    }

    [Fact]
    public void RelativeError_of_tensors_of_different_shapes_names_both()
    {
        var error = Assert.Throws<ArgumentException>(() => GradCheck.RelativeError(Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)));

        TensorAssert.MessageNames(error, "[2, 3]", "[3, 2]");
    }
}
