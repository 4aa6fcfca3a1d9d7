using System;
using BackpropGen;
using Xunit;

namespace BackpropGen.Tests.Runtime;

public class SoftmaxTests
{
    [Fact]
    public void Softmax_along_the_last_axis_matches_values_computed_by_hand()
    {
        var x = Tensor.FromArray(new[] { 1.0, 2.0, 3.0, 0.0, 0.0, 0.0 }, 2, 3);
        var e = new[] { Math.Exp(1), Math.Exp(2), Math.Exp(3) };
        var s = e[0] + e[1] + e[2];
        TensorAssert.Equal(new[] { 2, 3 }, new[] { e[0] / s, e[1] / s, e[2] / s, 1.0 / 3, 1.0 / 3, 1.0 / 3 }, Tensor.Softmax(x, axis: 1), 1e-15);
    }

    [Fact]
    public void Softmax_of_large_scores_does_not_overflow_and_along_axis_0_sums_each_column_to_one()
    {
        var x = Tensor.FromArray(new[] { 1000.0, -1000.0, 1001.0, -999.0 }, 2, 2);
        var e = 1.0 / (1.0 + Math.E);
        TensorAssert.Equal(new[] { 2, 2 }, new[] { e, e, 1 - e, 1 - e }, Tensor.Softmax(x, axis: 0), 1e-15);
    }

    [Fact]
    public void LogSoftmax_is_the_logarithm_of_softmax_and_stays_finite_where_softmax_rounds_to_zero()
    {
        var logp = Tensor.LogSoftmax(Tensor.FromArray(new[] { 0.0, 800.0, 1.0, 2.0 }, 2, 2), axis: -1);
        var small = Math.Log(1 / (1 + Math.E));
        TensorAssert.Equal(new[] { 2, 2 }, new[] { -800.0, 0.0, small, Math.Log(1 - 1 / (1 + Math.E)) }, logp, 1e-12);
    }

    [Fact]
    public void LogSumExp_removes_or_keeps_the_axis_and_handles_large_values()
    {
        var x = Tensor.FromArray(new[] { 1000.0, 1000.0, 0.0, Math.Log(3) }, 2, 2);
        TensorAssert.Equal(new[] { 2 }, new[] { 1000.0 + Math.Log(2), Math.Log(4) }, Tensor.LogSumExp(x, axis: 1), 1e-12);
        TensorAssert.Equal(new[] { 2, 1 }, new[] { 1000.0 + Math.Log(2), Math.Log(4) }, Tensor.LogSumExp(x, axis: 1, keepDims: true), 1e-12);
    }

    [Fact]
    public void An_empty_axis_is_refused_naming_the_shape()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Softmax(Tensor.Zeros(new TensorShape(2, 0)), axis: 1));
        TensorAssert.MessageNames(error, "[2, 0]");
    }
}
