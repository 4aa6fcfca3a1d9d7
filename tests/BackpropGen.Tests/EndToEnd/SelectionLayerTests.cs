using Xunit;

namespace BackpropGen.Tests.EndToEnd;

/// <summary>
/// The generated backwards of <see cref="SelectionLayers"/> against central differences: the step-by-step one always, and
/// the fused one too where the layer is elementwise all through.
/// </summary>
public class SelectionLayerTests
{
    private const double Bar = 1e-7;

    private static readonly Tensor X = Tensor.RandomNormal(51, 7, 9);
    private static readonly Tensor Row = Tensor.RandomNormal(52, 9);
    private static readonly Tensor OtherRow = Tensor.RandomNormal(53, 9);
    private static readonly Tensor Dout = Tensor.RandomNormal(54, 7, 9);

    [Fact]
    public void Sin_and_Cos_of_tensors_match_central_differences_fused_and_step_by_step()
    {
        var (_, cache) = SelectionLayers.WaveForward(X, Row);
        var steps = SelectionLayers.WaveBackwardSteps(Dout, cache);
        var fused = SelectionLayers.WaveBackwardFused(Dout, cache);

        Assert.NotNull(fused);
        AssertBothClose(GradCheck.Numerical(v => SelectionLayers.Wave(v, Row), X, Dout), steps.dx, fused.Value.dx);
        AssertBothClose(GradCheck.Numerical(v => SelectionLayers.Wave(X, v), Row, Dout), steps.dfrequency, fused.Value.dfrequency);
    }

    [Fact]
    public void Clip_with_learnt_bounds_matches_central_differences_fused_and_step_by_step()
    {
        const double bound = 0.6;
        var (clipped, cache) = SelectionLayers.ClippedScaleForward(X, Row, bound);
        var steps = SelectionLayers.ClippedScaleBackwardSteps(Dout, cache);
        var fused = SelectionLayers.ClippedScaleBackwardFused(Dout, cache);

        // Some elements are clipped at each bound and some are not, so every branch of the rule is checked.
        Assert.Contains(-2 * bound, clipped.ToArray());
        Assert.Contains(bound, clipped.ToArray());
        Assert.NotNull(fused);
        AssertBothClose(GradCheck.Numerical(v => SelectionLayers.ClippedScale(v, Row, bound), X, Dout), steps.dx, fused.Value.dx);
        AssertBothClose(GradCheck.Numerical(v => SelectionLayers.ClippedScale(X, v, bound), Row, Dout), steps.dgamma, fused.Value.dgamma);
        var dbound = GradCheck.Numerical(v => SelectionLayers.ClippedScale(X, Row, v), bound, Dout);
        AssertClose(dbound, steps.dbound);
        AssertClose(dbound, fused.Value.dbound);
    }

    [Fact]
    public void Clip_with_min_above_max_sends_every_gradient_to_max()
    {
        // With bound < 0 the lower bound -bound is above the upper bound 0.5 * bound: every element is 0.5 * bound.
        const double bound = -0.4;
        var (clipped, cache) = SelectionLayers.ClippedScaleForward(X, Row, bound);
        var (dx, dgamma, dbound) = SelectionLayers.ClippedScaleBackwardSteps(Dout, cache);

        Assert.All(clipped.ToArray(), v => Assert.Equal(2 * 0.5 * bound, v));
        Assert.All(dx.ToArray(), v => Assert.Equal(0.0, v));
        Assert.All(dgamma.ToArray(), v => Assert.Equal(0.0, v));
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => SelectionLayers.ClippedScale(X, Row, v), bound, Dout), dbound) < Bar);
    }

    [Fact]
    public void Where_matches_central_differences_fused_and_step_by_step()
    {
        var (_, cache) = SelectionLayers.GatedForward(X, Row, OtherRow);
        var steps = SelectionLayers.GatedBackwardSteps(Dout, cache);
        var fused = SelectionLayers.GatedBackwardFused(Dout, cache);

        Assert.NotNull(fused);
        AssertBothClose(GradCheck.Numerical(v => SelectionLayers.Gated(v, Row, OtherRow), X, Dout), steps.dx, fused.Value.dx);
        AssertBothClose(GradCheck.Numerical(v => SelectionLayers.Gated(X, v, OtherRow), Row, Dout), steps.dgamma, fused.Value.dgamma);
        AssertBothClose(GradCheck.Numerical(v => SelectionLayers.Gated(X, Row, v), OtherRow, Dout), steps.dbeta, fused.Value.dbeta);
    }

    [Fact]
    public void Max_and_Min_of_all_elements_and_along_axes_match_central_differences()
    {
        var (_, cache) = SelectionLayers.SpreadForward(X, Row);
        var (dx, dw) = SelectionLayers.SpreadBackward(1.0, cache);

        AssertClose(GradCheck.Numerical(v => SelectionLayers.Spread(v, Row), X), dx);
        AssertClose(GradCheck.Numerical(v => SelectionLayers.Spread(X, v), Row), dw);
    }

    [Theory]
    [InlineData(0.1)]   // the floor below the energy, and twice it below the total: the gradients go to energy and floor
    [InlineData(50.0)]  // the floor above the energy, and twice it above the total
    public void Math_Max_and_Min_of_doubles_match_central_differences(double floor)
    {
        var (_, cache) = SelectionLayers.FlooredForward(X, floor);
        var (dx, dfloor) = SelectionLayers.FlooredBackward(1.0, cache);

        AssertClose(GradCheck.Numerical(v => SelectionLayers.Floored(v, floor), X), dx);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => SelectionLayers.Floored(X, v), floor), dfloor) < Bar);
    }

    [Fact]
    public void Math_Max_gives_a_tie_to_its_second_argument()
    {
        // Mean(Square(x)) is exactly the floor: Max(energy, floor)'s gradient goes to floor, as Maximum's tie goes to b.
        var energy = Tensor.Mean(Tensor.Square(X));
        var (_, cache) = SelectionLayers.FlooredForward(X, energy);
        var (dx, dfloor) = SelectionLayers.FlooredBackward(1.0, cache);

        // Min(total, 2 * floor) has no tie: its gradient goes to the smaller, through Sum to every element of x or to floor.
        var totalIsSmaller = Tensor.Sum(X) < 2 * energy;
        Assert.Equal(totalIsSmaller ? 1.0 : 3.0, dfloor);
        Assert.All(dx.ToArray(), v => Assert.Equal(totalIsSmaller ? 1.0 : 0.0, v));
    }

    /// <summary>The step-by-step and the fused gradient, each against central differences.</summary>
    private static void AssertBothClose(Tensor numerical, Tensor steps, Tensor fused)
    {
        AssertClose(numerical, steps);
        AssertClose(numerical, fused);
    }

    private static void AssertClose(double expected, double actual) =>
        Assert.True(GradCheck.RelativeError(expected, actual) < Bar, $"expected {expected:R}, got {actual:R}");

    private static void AssertClose(Tensor expected, Tensor actual) =>
        Assert.True(GradCheck.RelativeError(expected, actual) < Bar, $"relative error {GradCheck.RelativeError(expected, actual):E2}");
}
