using Xunit;

namespace BackpropGen.Tests.EndToEnd;

public class UserWrittenLayerTests
{
    private const double Bar = 1e-7;

    private static readonly Tensor X = Tensor.RandomNormal(21, 5, 4);
    private static readonly Tensor W = Tensor.RandomNormal(22, 4);
    private static readonly Tensor Bias = Tensor.RandomNormal(23, 4);
    private static readonly Tensor Dout = Tensor.RandomNormal(24, 5, 4);
    private static readonly int[] Labels = { 0, 3, 2, 1, 3 };

    [Fact]
    public void Cross_entropy_with_softmax_by_division_matches_central_differences()
    {
        var (_, cache) = UserWrittenLayers.CrossEntropyForward(X, Labels);
        var dlogits = UserWrittenLayers.CrossEntropyBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => UserWrittenLayers.CrossEntropy(v, Labels), X), dlogits) < Bar);
    }

    [Fact]
    public void Regularized_mse_with_a_learnt_double_matches_central_differences()
    {
        var target = Tensor.RandomNormal(25, 5, 4);
        const double lambda = 0.3;
        var (_, cache) = UserWrittenLayers.RegularizedMseForward(X, target, W, lambda);
        var (dprediction, dw, dlambda) = UserWrittenLayers.RegularizedMseBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => UserWrittenLayers.RegularizedMse(v, target, W, lambda), X), dprediction) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => UserWrittenLayers.RegularizedMse(X, target, v, lambda), W), dw) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => UserWrittenLayers.RegularizedMse(X, target, W, v), lambda), dlambda) < Bar);
    }

    [Fact]
    public void Swish_with_a_value_used_twice_in_one_expression_matches_central_differences()
    {
        var (_, cache) = UserWrittenLayers.SwishForward(X);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(UserWrittenLayers.Swish, X, Dout), UserWrittenLayers.SwishBackward(Dout, cache)) < Bar);
    }

    [Fact]
    public void Binary_cross_entropy_matches_central_differences()
    {
        var y = Tensor.Greater(Tensor.RandomNormal(26, 5, 4), 0.0);
        var (_, cache) = UserWrittenLayers.BinaryCrossEntropyForward(X, y);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => UserWrittenLayers.BinaryCrossEntropy(v, y), X), UserWrittenLayers.BinaryCrossEntropyBackward(1.0, cache)) < Bar);
    }

    [Fact]
    public void Composition_two_levels_deep_into_double_steps_matches_central_differences()
    {
        var (_, cache) = UserWrittenLayers.NormalizedSwishEnergyForward(X, W, Bias);
        var (dx, dgamma, dbeta) = UserWrittenLayers.NormalizedSwishEnergyBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => UserWrittenLayers.NormalizedSwishEnergy(v, W, Bias), X), dx) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => UserWrittenLayers.NormalizedSwishEnergy(X, v, Bias), W), dgamma) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => UserWrittenLayers.NormalizedSwishEnergy(X, W, v), Bias), dbeta) < Bar);
    }

    [Fact]
    public void Bilinear_with_row_and_column_broadcasts_matches_central_differences()
    {
        var a = Tensor.RandomNormal(27, 5, 3);
        var b = Tensor.RandomNormal(28, 4, 3);
        var rowBias = Tensor.RandomNormal(29, 4);
        var columnBias = Tensor.RandomNormal(30, 5);
        var (_, cache) = UserWrittenLayers.BilinearForward(a, b, rowBias, columnBias);
        var (da, db, drow, dcolumn) = UserWrittenLayers.BilinearBackward(Dout, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => UserWrittenLayers.Bilinear(v, b, rowBias, columnBias), a, Dout), da) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => UserWrittenLayers.Bilinear(a, v, rowBias, columnBias), b, Dout), db) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => UserWrittenLayers.Bilinear(a, b, v, columnBias), rowBias, Dout), drow) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => UserWrittenLayers.Bilinear(a, b, rowBias, v), columnBias, Dout), dcolumn) < Bar);
    }

    [Fact]
    public void Layers_called_inside_one_another_match_central_differences()
    {
        var w1 = Tensor.RandomNormal(31, 4, 6) * 0.5;
        var b1 = Tensor.RandomNormal(32, 6) * 0.1;
        var w2 = Tensor.RandomNormal(33, 6, 4) * 0.5;
        var b2 = Tensor.RandomNormal(34, 4) * 0.1;
        var (loss, cache) = UserWrittenLayers.NestedNetForward(X, Labels, w1, b1, w2, b2);
        var (dw1, db1, dw2, db2) = UserWrittenLayers.NestedNetBackward(1.0, cache);

        Assert.Equal(UserWrittenLayers.NestedNet(X, Labels, w1, b1, w2, b2), loss);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => UserWrittenLayers.NestedNet(X, Labels, v, b1, w2, b2), w1), dw1) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => UserWrittenLayers.NestedNet(X, Labels, w1, v, w2, b2), b1), db1) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => UserWrittenLayers.NestedNet(X, Labels, w1, b1, v, b2), w2), dw2) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => UserWrittenLayers.NestedNet(X, Labels, w1, b1, w2, v), b2), db2) < Bar);
    }

    [Fact]
    public void Layer_call_inside_a_compound_expression_matches_central_differences()
    {
        var w = Tensor.RandomNormal(35, 4, 4) * 0.5;
        var b = Tensor.RandomNormal(36, 4) * 0.1;
        const double lambda = 0.3;
        var (_, cache) = UserWrittenLayers.RegularizedNetForward(X, Labels, w, b, lambda);
        var (dw, db) = UserWrittenLayers.RegularizedNetBackward(1.0, cache);

        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => UserWrittenLayers.RegularizedNet(X, Labels, v, b, lambda), w), dw) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => UserWrittenLayers.RegularizedNet(X, Labels, w, v, lambda), b), db) < Bar);
    }
}
