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

    [Fact]
    public void Shape_mismatch_in_the_backward_names_the_step_and_both_shapes()
    {
        var (_, cache) = BatchNormVariants.SpecForward(X, Gamma, Beta, 1e-5);
        var wrongDout = Tensor.RandomNormal(4, 5, 4);
        var error = Assert.Throws<ArgumentException>(() => BatchNormVariants.SpecBackward(wrongDout, cache));

        Assert.StartsWith("SpecBackward, step 9: out = gammax + beta: ", error.Message);
        Assert.Contains("[5, 4]", error.Message);
        Assert.Contains("[6, 4]", error.Message);
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
