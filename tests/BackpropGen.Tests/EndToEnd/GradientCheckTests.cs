using System;
using Xunit;

namespace BackpropGen.Tests.EndToEnd;

/// <summary>Every generated backward against central differences (relative error below 1e-7, SPEC.md §4).</summary>
public class GradientCheckTests
{
    private const double Bar = 1e-7;
    private const double Eps = 1e-5;

    private static readonly Tensor X = Tensor.RandomNormal(11, 6, 4) * 2.0 + 1.0;
    private static readonly Tensor Gamma = Tensor.RandomNormal(12, 4);
    private static readonly Tensor Beta = Tensor.RandomNormal(13, 4);
    private static readonly Tensor Dout = Tensor.RandomNormal(14, 6, 4);

    [Fact]
    public void Spec_batchnorm_backward_matches_central_differences()
    {
        var (_, cache) = BatchNormVariants.SpecForward(X, Gamma, Beta, Eps);
        var (dx, dgamma, dbeta) = BatchNormVariants.SpecBackward(Dout, cache);

        AssertClose(GradCheck.Numerical(v => BatchNormVariants.Spec(v, Gamma, Beta, Eps), X, Dout), dx);
        AssertClose(GradCheck.Numerical(v => BatchNormVariants.Spec(X, v, Beta, Eps), Gamma, Dout), dgamma);
        AssertClose(GradCheck.Numerical(v => BatchNormVariants.Spec(X, Gamma, v, Eps), Beta, Dout), dbeta);
    }

    [Fact]
    public void Batchnorm_written_with_mean_other_names_and_operand_order_matches_central_differences()
    {
        var (_, cache) = BatchNormVariants.WithMeanForward(X, Gamma, Beta, Eps);
        var (dinput, dscale, dshift) = BatchNormVariants.WithMeanBackward(Dout, cache);

        AssertClose(GradCheck.Numerical(v => BatchNormVariants.WithMean(v, Gamma, Beta, Eps), X, Dout), dinput);
        AssertClose(GradCheck.Numerical(v => BatchNormVariants.WithMean(X, v, Beta, Eps), Gamma, Dout), dscale);
        AssertClose(GradCheck.Numerical(v => BatchNormVariants.WithMean(X, Gamma, v, Eps), Beta, Dout), dshift);
    }

    [Fact]
    public void Compound_steps_with_keepDims_match_central_differences()
    {
        var (_, cache) = BatchNormVariants.CompactForward(X, Gamma, Beta, Eps);
        var (dx, dgamma, dbeta) = BatchNormVariants.CompactBackward(Dout, cache);

        AssertClose(GradCheck.Numerical(v => BatchNormVariants.Compact(v, Gamma, Beta, Eps), X, Dout), dx);
        AssertClose(GradCheck.Numerical(v => BatchNormVariants.Compact(X, v, Beta, Eps), Gamma, Dout), dgamma);
        AssertClose(GradCheck.Numerical(v => BatchNormVariants.Compact(X, Gamma, v, Eps), Beta, Dout), dbeta);
    }

    [Fact]
    public void Learnable_double_scaling_a_tensor_gets_the_gradient_summed_over_the_broadcast()
    {
        const double scale = 1.7;
        var (_, cache) = BatchNormVariants.ScaledBatchNormForward(X, scale, Beta, Eps);
        var (dx, dscale, dbeta) = BatchNormVariants.ScaledBatchNormBackward(Dout, cache);

        AssertClose(GradCheck.Numerical(v => BatchNormVariants.ScaledBatchNorm(v, scale, Beta, Eps), X, Dout), dx);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => BatchNormVariants.ScaledBatchNorm(X, v, Beta, Eps), scale, Dout), dscale) < Bar);
        AssertClose(GradCheck.Numerical(v => BatchNormVariants.ScaledBatchNorm(X, scale, v, Eps), Beta, Dout), dbeta);
    }

    [Fact]
    public void Scalar_method_of_doubles_and_math_functions_matches_central_differences()
    {
        const double a = 0.7, b = -1.3;
        var (_, cache) = BatchNormVariants.ScalarLossForward(a, b);
        var (da, db) = BatchNormVariants.ScalarLossBackward(1.0, cache);

        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => BatchNormVariants.ScalarLoss(v, b), a), da) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => BatchNormVariants.ScalarLoss(a, v), b), db) < Bar);
    }

    [Fact]
    public void Forward_returns_what_the_method_returns_to_rounding()
    {
        // In passes over the rows the sums are added in another order than the steps add them: the same values, not
        // the same bits.
        var (output, _) = BatchNormVariants.SpecForward(X, Gamma, Beta, Eps);
        Assert.NotNull(BatchNormVariants.SpecForwardFused(X, Gamma, Beta, Eps));
        var expected = BatchNormVariants.Spec(X, Gamma, Beta, Eps).ToArray();
        var actual = output.ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-13 * Math.Max(1.0, Math.Abs(expected[i])), $"element {i}: {actual[i]} against {expected[i]}");
        }
    }

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var error = GradCheck.RelativeError(expected, actual);
        Assert.True(error < Bar, $"relative error {error:E2} is not below {Bar:E0}");
    }
}
