using BackpropGen;
using Xunit;

namespace BackpropGen.Tests.EndToEnd;

public class ReassignmentTests
{
    private const double Bar = 1e-7;
    private static readonly Tensor X = Tensor.RandomNormal(11, 6, 4);
    private static readonly Tensor W = Tensor.RandomNormal(12, 4);
    private static readonly Tensor Dout = Tensor.RandomNormal(13, 6, 4);

    [Fact]
    public void A_tensor_local_reassigned_from_itself_and_by_compound_assignment_matches_central_differences()
    {
        var (_, cache) = ReassignedLayers.RescaledForward(X, W);
        var (dx, dw) = ReassignedLayers.RescaledBackward(Dout, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => ReassignedLayers.Rescaled(v, W), X, Dout), dx) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => ReassignedLayers.Rescaled(X, v), W, Dout), dw) < Bar);
    }

    [Fact]
    public void A_double_accumulated_by_compound_assignments_matches_central_differences()
    {
        const double a = 0.7;
        var (_, cache) = ReassignedLayers.AccumulatedForward(X, a);
        var (dx, da) = ReassignedLayers.AccumulatedBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => ReassignedLayers.Accumulated(v, a), X), dx) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => ReassignedLayers.Accumulated(X, v), a), da) < Bar);
    }

    [Fact]
    public void A_reassigned_parameter_gets_the_gradient_of_the_value_passed_in()
    {
        var (_, cache) = ReassignedLayers.ParameterReassignedForward(X, W);
        var (dx, dgamma) = ReassignedLayers.ParameterReassignedBackward(Dout, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => ReassignedLayers.ParameterReassigned(v, W), X, Dout), dx) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => ReassignedLayers.ParameterReassigned(X, v), W, Dout), dgamma) < Bar);
    }

    [Fact]
    public void Old_versions_and_a_changed_counter_are_read_as_they_were_where_they_were_used()
    {
        var (_, cache) = ReassignedLayers.OldVersionsStillReadForward(X);
        var dx = ReassignedLayers.OldVersionsStillReadBackward(Dout, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(ReassignedLayers.OldVersionsStillRead, X, Dout), dx) < Bar);
    }

    [Fact]
    public void A_local_that_starts_constant_is_differentiated_from_the_reassignment_that_reads_a_parameter()
    {
        var (value, cache) = ReassignedLayers.StartsConstantForward(X);
        Assert.Equal(ReassignedLayers.StartsConstant(X), value);
        var dx = ReassignedLayers.StartsConstantBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(ReassignedLayers.StartsConstant, X), dx) < Bar);
    }

    [Fact]
    public void A_value_overwritten_by_a_constant_passes_no_gradient_to_what_it_was_computed_from()
    {
        const double a = 0.3;
        var (_, cache) = ReassignedLayers.OverwrittenByAConstantForward(X, a);
        var (dx, da) = ReassignedLayers.OverwrittenByAConstantBackward(1.0, cache);
        Assert.Equal(0.0, da);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => ReassignedLayers.OverwrittenByAConstant(v, a), X), dx) < Bar);
    }

    [Fact]
    public void A_reassignment_by_a_differentiable_call_keeps_one_cache_per_call()
    {
        var (_, cache) = ReassignedLayers.CallReassignedForward(X, W);
        var (dx, dw) = ReassignedLayers.CallReassignedBackward(Dout, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => ReassignedLayers.CallReassigned(v, W), X, Dout), dx) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => ReassignedLayers.CallReassigned(X, v), W, Dout), dw) < Bar);
    }
}
