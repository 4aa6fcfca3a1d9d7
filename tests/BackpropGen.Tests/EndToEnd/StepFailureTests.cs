using System;
using Xunit;

namespace BackpropGen.Tests.EndToEnd;

/// <summary>A shape error inside generated code names the method, the step as the user wrote it, and both shapes.</summary>
public class StepFailureTests
{
    private static readonly Tensor X = Tensor.RandomNormal(1, 6, 4);
    private static readonly Tensor Gamma = Tensor.RandomNormal(2, 4);
    private static readonly Tensor Beta = Tensor.RandomNormal(3, 4);

    [Fact]
    public void Shape_mismatch_in_the_forward_names_the_step_and_both_shapes()
    {
        var wrongGamma = Tensor.RandomNormal(2, 3);
        var error = Assert.Throws<ArgumentException>(() => BatchNormVariants.SpecForward(X, wrongGamma, Beta, 1e-5));

        Assert.StartsWith("SpecForward, step 8: gammax = gamma * xhat: ", error.Message);
        Assert.Contains("[3]", error.Message);
        Assert.Contains("[6, 4]", error.Message);
        Assert.IsAssignableFrom<ArgumentException>(error.InnerException);
    }

    [Theory]
    [InlineData(new[] { 5, 4 })]
    [InlineData(new[] { 6, 1 })]   // broadcasts against every step: accepted before, with a wrong gradient
    [InlineData(new[] { 4 })]
    [InlineData(new[] { 6, 4, 1 })]
    public void A_dout_of_another_shape_than_the_result_is_refused_naming_the_method_and_both_shapes(int[] shape)
    {
        var (_, cache) = BatchNormVariants.SpecForward(X, Gamma, Beta, 1e-5);
        var wrongDout = Tensor.RandomNormal(4, shape);
        var expected = $"SpecBackward: dout has shape {wrongDout.Shape}, but the forward's result has shape [6, 4]";

        Assert.StartsWith(expected, Assert.Throws<ArgumentException>(() => BatchNormVariants.SpecBackward(wrongDout, cache)).Message);
        Assert.StartsWith(expected, Assert.Throws<ArgumentException>(() => BatchNormVariants.SpecBackwardSteps(wrongDout, cache)).Message);
        Assert.StartsWith(expected, Assert.Throws<ArgumentException>(() => BatchNormVariants.SpecBackwardFused(wrongDout, cache)).Message);
    }

    [Fact]
    public void A_dout_of_a_result_of_shape_one_by_one_is_checked_as_well()
    {
        var (_, cache) = Samples.Cs231n.Layers.AffineForward(Tensor.RandomNormal(1, 1, 3), Tensor.RandomNormal(2, 3, 1), Tensor.Zeros(1));
        Assert.StartsWith("AffineBackward: dout has shape [1]", Assert.Throws<ArgumentException>(() => Samples.Cs231n.Layers.AffineBackward(Tensor.Zeros(1), cache)).Message);
        Assert.Equal(new[] { 1, 3 }, Samples.Cs231n.Layers.AffineBackward(Tensor.Zeros(1, 1), cache).dx.Shape.ToArray());
    }

    [Fact]
    public void A_null_dout_is_refused_naming_the_method()
    {
        var (_, cache) = BatchNormVariants.SpecForward(X, Gamma, Beta, 1e-5);
        var error = Assert.Throws<ArgumentNullException>(() => BatchNormVariants.SpecBackward(null!, cache));
        Assert.StartsWith("SpecBackward: dout is null", error.Message);
    }

    [Fact]
    public void A_null_input_is_refused_up_front_naming_the_method_and_the_parameter()
    {
        var error = Assert.Throws<ArgumentNullException>(() => BatchNormVariants.SpecForward(X, null!, Beta, 1e-5));
        Assert.Equal("gamma", error.ParamName);
        Assert.StartsWith("SpecForward: parameter 'gamma' is null", error.Message);
    }

    [Fact]
    public void An_input_of_too_low_a_rank_fails_in_the_lines_before_the_steps_naming_the_method_and_quoting_them()
    {
        var error = Assert.Throws<ArgumentException>(() => BatchNormVariants.SpecForward(Tensor.Zeros(), Gamma, Beta, 1e-5));
        Assert.StartsWith("SpecForward, before step 1, in 'int N = x.Shape[0];': Dimension 0 does not exist in shape [] of rank 0.", error.Message);
    }

    [Fact]
    public void An_empty_batch_gets_the_same_gradients_from_the_fused_and_the_step_by_step_backward()
    {
        var x = Tensor.Zeros(0, 5);
        var (output, cache) = BatchNormVariants.SpecForward(x, Tensor.RandomNormal(2, 5), Tensor.RandomNormal(3, 5), 1e-5);
        var dout = Tensor.Zeros(output.Shape);
        var steps = BatchNormVariants.SpecBackwardSteps(dout, cache);
        var fused = BatchNormVariants.SpecBackwardFused(dout, cache);

        // Nothing depends on gamma and beta when there is no example: their gradients are 0; the fused form declines.
        Assert.Null(fused);
        Assert.Equal(new double[5], steps.dgamma.ToArray());
        Assert.Equal(new double[5], steps.dbeta.ToArray());
        Assert.Equal(new[] { 0, 5 }, steps.dx.Shape.ToArray());
        Assert.Equal(new double[5], BatchNormVariants.SpecBackward(dout, cache).dgamma.ToArray());
    }

    [Fact]
    public void A_mean_over_an_empty_batch_is_refused_naming_the_step()
    {
        var error = Assert.Throws<ArgumentException>(() => Samples.Cs231n.Layers.LayerNormForward(Tensor.Zeros(3, 0), Tensor.Zeros(0), Tensor.Zeros(0), 1e-5));
        Assert.StartsWith("LayerNormForward, step 1: ", error.Message);
        Assert.Contains("the mean of no values divides by zero", error.Message);
    }

    [Fact]
    public void Shape_mismatch_inside_a_called_layer_names_both_steps()
    {
        var x = Tensor.RandomNormal(1, 5, 4);
        var w1 = Tensor.RandomNormal(2, 3, 6);
        var error = Assert.Throws<ArgumentException>(() => Samples.Cs231n.Layers.TwoLayerNetLossForward(
            x, new[] { 0, 1, 0, 1, 0 }, w1, Tensor.Zeros(6), Tensor.Zeros(6, 2), Tensor.Zeros(2)));

        Assert.StartsWith("TwoLayerNetLossForward, step 1: hidden = Affine(x, w1, b1): AffineForward, step 1: xw = Dot(x, w): ", error.Message);
        Assert.Contains("[5, 4]", error.Message);
        Assert.Contains("[3, 6]", error.Message);
    }
}
