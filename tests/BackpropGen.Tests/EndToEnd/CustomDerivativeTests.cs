using System;
using Xunit;

namespace BackpropGen.Tests.EndToEnd;

/// <summary>
/// Hand-written derivatives (SPEC §8) used by generated backwards: <c>[CustomDerivative]</c> methods, another library's
/// functions with <c>[DerivativeOf]</c> backwards, and <c>StopGradient</c>, gradient-checked against central differences.
/// </summary>
public class CustomDerivativeTests
{
    private const double Bar = 1e-7;

    private static readonly Tensor X = Tensor.RandomNormal(31, 6, 4);
    private static readonly Tensor W = Tensor.RandomNormal(32, 4, 4) * 0.5;

    [Fact]
    public void Hand_written_softplus_backward_agrees_with_central_differences_of_softplus()
    {
        var dout = Tensor.RandomNormal(33, 6, 4);
        var (_, cache) = CustomDerivativeLayers.SoftplusForward(X);
        var dx = CustomDerivativeLayers.SoftplusBackward(dout, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(CustomDerivativeLayers.Softplus, X, dout), dx) < Bar);
    }

    [Fact]
    public void Custom_derivative_and_another_librarys_erf_nested_in_expressions_mix_with_generated_steps()
    {
        var (value, cache) = CustomDerivativeLayers.SoftplusErfForward(X, W);
        Assert.Equal(CustomDerivativeLayers.SoftplusErf(X, W), value, 12);
        var (dx, dw) = CustomDerivativeLayers.SoftplusErfBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => CustomDerivativeLayers.SoftplusErf(v, W), X), dx) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => CustomDerivativeLayers.SoftplusErf(X, v), W), dw) < Bar);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    public void Custom_derivative_in_a_loop_keeps_one_cache_per_iteration_and_matches_central_differences(int layers)
    {
        var (value, cache) = CustomDerivativeLayers.SoftplusStackForward(X, W, layers);
        Assert.Equal(CustomDerivativeLayers.SoftplusStack(X, W, layers), value, 12);
        var (dh, dw) = CustomDerivativeLayers.SoftplusStackBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => CustomDerivativeLayers.SoftplusStack(v, W, layers), X), dh) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => CustomDerivativeLayers.SoftplusStack(X, v, layers), W), dw) < Bar);
    }

    [Fact]
    public void Two_gradient_custom_derivative_and_library_functions_in_a_loop_match_central_differences()
    {
        var y = Tensor.RandomNormal(34, 6, 4);
        const double s = 0.8;
        var (_, cache) = CustomDerivativeLayers.TanhHypotForward(X, y, s, 3);
        var (dx, dy, ds) = CustomDerivativeLayers.TanhHypotBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => CustomDerivativeLayers.TanhHypot(v, y, s, 3), X), dx) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => CustomDerivativeLayers.TanhHypot(X, v, s, 3), y), dy) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => CustomDerivativeLayers.TanhHypot(X, y, v, 3), s), ds) < Bar);
    }

    [Fact]
    public void Library_function_of_doubles_with_an_int_parameter_gets_gradients_for_its_doubles_only()
    {
        const double c = 0.7;
        var (_, cache) = CustomDerivativeLayers.SeriesOfMeanForward(X, c);
        var (dx, dc) = CustomDerivativeLayers.SeriesOfMeanBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => CustomDerivativeLayers.SeriesOfMean(v, c), X), dx) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => CustomDerivativeLayers.SeriesOfMean(X, v), c), dc) < Bar);
    }

    [Fact]
    public void Custom_derivative_of_doubles_from_another_type_and_math_atan_through_branches_in_a_loop_match_central_differences()
    {
        const double scale = 1.3;
        var (value, cache) = CustomDerivativeLayers.ElementsThroughBranchesForward(X, scale, 11);
        Assert.Equal(CustomDerivativeLayers.ElementsThroughBranches(X, scale, 11), value, 12);
        var (dx, dscale) = CustomDerivativeLayers.ElementsThroughBranchesBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => CustomDerivativeLayers.ElementsThroughBranches(v, scale, 11), X), dx) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => CustomDerivativeLayers.ElementsThroughBranches(X, v, 11), scale), dscale) < Bar);
    }

    [Fact]
    public void Wrongly_shaped_gradient_of_a_hand_written_backward_is_reported_with_its_name_and_the_callers_step()
    {
        var (_, cache) = CustomDerivativeLayers.UsesDoubledForward(X);
        var failure = Assert.Throws<ArgumentException>(() => CustomDerivativeLayers.UsesDoubledBackward(1.0, cache));
        Assert.Contains("UsesDoubledBackward, step 1: y = Doubled(x)", failure.Message, StringComparison.Ordinal);
        Assert.Contains("DoubledBackward returned a gradient of shape [4] for 'x', whose argument has shape [6, 4]", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StopGradient_of_a_tensor_treats_it_as_a_constant()
    {
        var (_, cache) = CustomDerivativeLayers.CenteredByConstantForward(X);
        var dx = CustomDerivativeLayers.CenteredByConstantBackward(1.0, cache);
        var c = Tensor.Mean(X, axis: 0);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => Tensor.Sum(Tensor.Square(v - c)), X), dx) < Bar);
        Assert.True(GradCheck.RelativeError(2.0 * (X - c), dx) < 1e-12);
    }

    [Fact]
    public void StopGradient_of_a_double_treats_it_as_a_constant()
    {
        var (_, cache) = CustomDerivativeLayers.ScaledBySumForward(X);
        var dx = CustomDerivativeLayers.ScaledBySumBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(Tensor.Full(Tensor.Sum(X), 6, 4), dx) < 1e-12);
    }

    [Fact]
    public void Parameter_reached_only_through_StopGradient_gets_a_zero_gradient()
    {
        var w = Tensor.RandomNormal(35, 6, 4);
        var (_, cache) = CustomDerivativeLayers.AllStoppedForward(X, w);
        var (dx, dw) = CustomDerivativeLayers.AllStoppedBackward(1.0, cache);
        Assert.Equal(new double[24], dx.ToArray());
        Assert.True(GradCheck.RelativeError(X, dw) < 1e-12);
    }
}

/// <summary>
/// <c>[Checkpoint]</c> (SPEC §8): a caller keeps a checkpointed method's inputs, not its cache, and its backward runs the
/// method's forward again; the gradients are those of the same method without it.
/// </summary>
public class CheckpointTests
{
    private static readonly Tensor H = Tensor.RandomNormal(41, 5, 4);
    private static readonly Tensor W = Tensor.RandomNormal(42, 4, 4) * 0.4;
    private static readonly Tensor B = Tensor.RandomNormal(43, 4);
    private const double Gain = 0.7;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(6)]
    public void Checkpointed_stack_has_the_gradients_of_the_plain_one_and_of_central_differences(int layers)
    {
        var (plainValue, plainCache) = CheckpointLayers.PlainStackForward(H, W, B, Gain, layers);
        var (value, cache) = CheckpointLayers.CheckpointedStackForward(H, W, B, Gain, layers);
        Assert.Equal(plainValue, value, 14);
        var plain = CheckpointLayers.PlainStackBackward(1.0, plainCache);
        var (dh, dw, db, dgain) = CheckpointLayers.CheckpointedStackBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(plain.dh, dh) < 1e-12);
        Assert.True(GradCheck.RelativeError(plain.dw, dw) < 1e-12);
        Assert.True(GradCheck.RelativeError(plain.db, db) < 1e-12);
        Assert.True(GradCheck.RelativeError(plain.dgain, dgain) < 1e-12);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => CheckpointLayers.CheckpointedStack(v, W, B, Gain, layers), H), dh) < 1e-7);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => CheckpointLayers.CheckpointedStack(H, v, B, Gain, layers), W), dw) < 1e-7);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => CheckpointLayers.CheckpointedStack(H, W, v, Gain, layers), B), db) < 1e-7);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => CheckpointLayers.CheckpointedStack(H, W, B, v, layers), Gain), dgain) < 1e-7);
    }

    [Fact]
    public void Checkpointed_stack_tapes_each_layers_input_and_no_cache_of_a_block()
    {
        const int layers = 6;
        var (_, cache) = CheckpointLayers.CheckpointedStackForward(H, W, B, Gain, layers);
        Assert.Equal(8L * H.Length * layers, cache.TapeBytes);
        Assert.DoesNotContain(typeof(CheckpointLayers.CheckpointedStackCache).GetProperties(), p => p.PropertyType.Name.Contains("BlockCache", StringComparison.Ordinal));
        Assert.Contains(typeof(CheckpointLayers.PlainStackCache).GetProperties(), p => p.PropertyType == typeof(Tape<CheckpointLayers.BlockCache>));
    }
}
