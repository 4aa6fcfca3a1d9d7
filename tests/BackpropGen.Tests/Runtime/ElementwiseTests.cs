using System;
using Xunit;

namespace BackpropGen.Tests.Runtime;

public class ElementwiseTests
{
    private const double Tight = 1e-15;

    [Fact]
    public void Sqrt_takes_the_square_root_of_every_element()
    {
        TensorAssert.Equal([2, 2], [0, 1, 2, 3], Tensor.Sqrt(Tensor.FromArray([0, 1, 4, 9], 2, 2)));
    }

    [Fact]
    public void Exp_raises_e_to_every_element()
    {
        TensorAssert.Equal([3], [1, Math.E, 1 / Math.E], Tensor.Exp(Tensor.FromArray([0, 1, -1], 3)), Tight);
    }

    [Fact]
    public void Log_is_the_natural_logarithm_with_ieee_results_outside_its_domain()
    {
        var x = Tensor.FromArray([1, Math.E, 0.5, 0, -1], 5);

        TensorAssert.Equal([5], [0, 1, -0.6931471805599453, double.NegativeInfinity, double.NaN], Tensor.Log(x), Tight);
    }

    [Fact]
    public void Tanh_is_the_hyperbolic_tangent()
    {
        var x = Tensor.FromArray([0, 1, -2], 3);

        TensorAssert.Equal([3], [0, 0.7615941559557649, -0.9640275800758169], Tensor.Tanh(x), Tight);
    }

    [Fact]
    public void Sigmoid_is_the_logistic_function()
    {
        var x = Tensor.FromArray([0, 2, -2], 3);

        TensorAssert.Equal([3], [0.5, 0.8807970779778823, 0.11920292202211755], Tensor.Sigmoid(x), Tight);
    }

    [Fact]
    public void Sigmoid_saturates_to_exactly_0_and_1_without_nan_for_large_magnitudes()
    {
        var x = Tensor.FromArray([1000, -1000, double.MaxValue, double.MinValue], 4);

        TensorAssert.Equal([4], [1, 0, 1, 0], Tensor.Sigmoid(x));
    }

    [Fact]
    public void Sigmoid_keeps_relative_precision_far_into_the_negative_tail()
    {
        double tail = Tensor.Sigmoid(Tensor.Full(-40.0))[[]];

        Assert.True(GradCheck.RelativeError(Math.Exp(-40) / (1 + Math.Exp(-40)), tail) < 1e-14, $"sigmoid(-40) = {tail}");
    }

    [Fact]
    public void Abs_drops_the_sign_of_every_element()
    {
        TensorAssert.Equal([3], [2, 0, 3], Tensor.Abs(Tensor.FromArray([-2, 0, 3], 3)));
    }

    [Fact]
    public void Square_multiplies_every_element_by_itself()
    {
        TensorAssert.Equal([3], [9, 0.25, 0], Tensor.Square(Tensor.FromArray([-3, 0.5, 0], 3)));
    }

    [Fact]
    public void Pow_raises_every_element_to_the_power_as_math_pow_does()
    {
        TensorAssert.Equal([3], [-8, 0.125, 27], Tensor.Pow(Tensor.FromArray([-2, 0.5, 3], 3), 3), Tight);
        TensorAssert.Equal([2], [2, 3], Tensor.Pow(Tensor.FromArray([4, 9], 2), 0.5), Tight);
        TensorAssert.Equal([2], [0.5, 0.25], Tensor.Pow(Tensor.FromArray([2, 4], 2), -1), Tight);
        TensorAssert.Equal([1], [double.NaN], Tensor.Pow(Tensor.FromArray([-4], 1), 0.5));
    }

    [Fact]
    public void Relu_zeroes_the_negative_elements()
    {
        TensorAssert.Equal([2, 2], [0, 0, 2, 0.5], Tensor.Relu(Tensor.FromArray([-1, 0, 2, 0.5], 2, 2)));
    }

    [Fact]
    public void Maximum_and_minimum_with_a_double_clamp_every_element()
    {
        var x = Tensor.FromArray([-1, 1, 3], 3);

        TensorAssert.Equal([3], [1, 1, 3], Tensor.Maximum(x, 1.0));
        TensorAssert.Equal([3], [-1, 1, 1], Tensor.Minimum(x, 1.0));
    }

    [Fact]
    public void Maximum_and_minimum_of_two_tensors_broadcast()
    {
        var a = Tensor.FromArray([1, 5, 3, 2], 2, 2);
        var b = Tensor.FromArray([2, 4], 2);

        TensorAssert.Equal([2, 2], [2, 5, 3, 4], Tensor.Maximum(a, b));
        TensorAssert.Equal([2, 2], [1, 4, 2, 2], Tensor.Minimum(a, b));
        TensorAssert.Equal([2, 2], [2, 5, 3, 4], Tensor.Maximum(b, a));
    }

    [Fact]
    public void Maximum_and_minimum_propagate_nan()
    {
        var x = Tensor.FromArray([double.NaN, 1], 2);

        TensorAssert.Equal([2], [double.NaN, 1], Tensor.Maximum(x, 0.0));
        TensorAssert.Equal([2], [double.NaN, 0], Tensor.Minimum(x, Tensor.Zeros(2)));
    }

    [Fact]
    public void Maximum_and_minimum_of_shapes_that_do_not_broadcast_name_both_shapes_and_the_function()
    {
        var a = Tensor.Zeros(2, 3);
        var b = Tensor.Zeros(2);

        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Maximum(a, b)), "[2, 3]", "[2]", "'Maximum'");
        TensorAssert.MessageNames(Assert.Throws<ArgumentException>(() => Tensor.Minimum(b, a)), "[2]", "[2, 3]", "'Minimum'");
    }

    [Fact]
    public void Elementwise_functions_keep_rank_0_and_rank_3_shapes()
    {
        TensorAssert.Equal([], [2], Tensor.Sqrt(Tensor.Full(4.0)));
        TensorAssert.Equal([], [0.5], Tensor.Sigmoid(Tensor.Zeros()));
        TensorAssert.Equal([1, 2, 1], [1, 4], Tensor.Square(Tensor.FromArray([-1, 2], 1, 2, 1)));
    }

    [Fact]
    public void Elementwise_functions_of_an_empty_tensor_return_an_empty_tensor()
    {
        var empty = Tensor.Zeros(0, 2);

        foreach (var f in new Func<Tensor, Tensor>[] { Tensor.Sqrt, Tensor.Exp, Tensor.Log, Tensor.Tanh, Tensor.Sigmoid, Tensor.Abs, Tensor.Square, Tensor.Relu, Tensor.Sign })
        {
            TensorAssert.Equal([0, 2], [], f(empty));
        }
    }

    [Fact]
    public void Elementwise_functions_leave_their_input_unchanged()
    {
        var x = Tensor.FromArray([-1, 4], 2);

        _ = Tensor.Sqrt(x);
        _ = Tensor.Exp(x);
        _ = Tensor.Relu(x);
        _ = Tensor.Pow(x, 2);

        Assert.Equal([-1.0, 4], x.ToArray());
    }

    [Fact]
    public void Sin_and_Cos_are_the_trigonometric_functions_with_nan_at_infinity()
    {
        var x = Tensor.FromArray([0, Math.PI / 2, -Math.PI / 6, double.PositiveInfinity, double.NaN, -0.0], 2, 3);

        TensorAssert.Equal([2, 3], [0, 1, -0.5, double.NaN, double.NaN, -0.0], Tensor.Sin(x), Tight);
        TensorAssert.Equal([2, 3], [1, 0, Math.Sqrt(3) / 2, double.NaN, double.NaN, 1], Tensor.Cos(x), Tight);
        TensorAssert.Equal([0, 3], [], Tensor.Sin(Tensor.Zeros(0, 3)));
    }

    [Fact]
    public void Clip_limits_to_the_bounds_and_keeps_what_lies_between_them()
    {
        var x = Tensor.FromArray([-3, -1, 0.5, 1, 2, double.NaN], 3, 2);

        TensorAssert.Equal([3, 2], [-1, -1, 0.5, 1, 1, double.NaN], Tensor.Clip(x, -1, 1));
        TensorAssert.Equal([0], [], Tensor.Clip(Tensor.Zeros(0), -1, 1));
    }

    [Fact]
    public void Clip_with_min_above_max_gives_max_everywhere_and_a_nan_bound_gives_nan_as_NumPy()
    {
        var x = Tensor.FromArray([-3, 0, 3], 3);

        // np.clip(x, 2, -2) is np.minimum(np.maximum(x, 2), -2).
        TensorAssert.Equal([3], [-2, -2, -2], Tensor.Clip(x, 2, -2));
        TensorAssert.Equal([3], [double.NaN, double.NaN, double.NaN], Tensor.Clip(x, double.NaN, 1));
        TensorAssert.Equal([3], [-3, 0, 1], Tensor.Clip(x, double.NegativeInfinity, 1));
    }

    [Fact]
    public void Where_picks_a_where_the_condition_is_nonzero_or_nan_and_b_where_it_is_zero()
    {
        var condition = Tensor.FromArray([1, 0, -0.0, double.NaN, -2, 0], 2, 3);
        var a = Tensor.FromArray([10, 11, 12, 13, 14, 15], 2, 3);
        var b = Tensor.FromArray([20, 21, 22, 23, 24, 25], 2, 3);

        TensorAssert.Equal([2, 3], [10, 21, 22, 13, 14, 25], Tensor.Where(condition, a, b));
    }

    [Fact]
    public void Where_broadcasts_the_condition_and_both_choices_together()
    {
        var column = Tensor.FromArray([1, 0], 2, 1);
        var row = Tensor.FromArray([10, 11, 12], 3);
        var single = Tensor.FromArray([-1], 1);

        TensorAssert.Equal([2, 3], [10, 11, 12, -1, -1, -1], Tensor.Where(column, row, single));
        TensorAssert.Equal([2, 3], [-1, -1, -1, 10, 11, 12], Tensor.Where(column, single, row));
        TensorAssert.Equal([1, 3], [10, 11, 12], Tensor.Where(Tensor.Full(1.0), Tensor.Reshape(row, 1, 3), Tensor.Full(0.0)));
        TensorAssert.Equal([0, 3], [], Tensor.Where(Tensor.Zeros(0, 1), row, single));
    }

    [Fact]
    public void Where_of_shapes_that_do_not_broadcast_names_all_three()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Where(Tensor.Zeros(2, 1), Tensor.Zeros(3), Tensor.Zeros(4)));

        TensorAssert.MessageNames(error, "[2, 1]", "[3]", "[4]", "Where");
    }
}
