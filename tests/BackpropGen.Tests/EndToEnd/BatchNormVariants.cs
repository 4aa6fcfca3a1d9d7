using static BackpropGen.Tensor;

namespace BackpropGen.Tests.EndToEnd;

/// <summary>BatchNorm written the ways users write it: the generator must differentiate every one of them correctly.</summary>
public static partial class BatchNormVariants
{
    /// <summary>SPEC.md §1.</summary>
    [Differentiable]
    public static Tensor Spec(Tensor x, Tensor gamma, Tensor beta, [NoGrad] double eps)
    {
        int N = x.Shape[0];
        var mu = 1.0 / N * Sum(x, axis: 0);
        var xmu = x - mu;
        var sq = Square(xmu);
        var variance = 1.0 / N * Sum(sq, axis: 0);
        var sqrtvar = Sqrt(variance + eps);
        var ivar = 1.0 / sqrtvar;
        var xhat = xmu * ivar;
        var gammax = gamma * xhat;
        var @out = gammax + beta;
        return @out;
    }

    /// <summary>Mean instead of 1/N * Sum, other names, operands in another order, a division instead of 1/sqrt.</summary>
    [Differentiable]
    public static Tensor WithMean(Tensor input, Tensor scale, Tensor shift, [NoGrad] double epsilon)
    {
        var mean = Mean(input, axis: 0);
        var centered = -mean + input;
        var variance = Mean(centered * centered, axis: 0);
        var std = Sqrt(epsilon + variance);
        var normalized = centered / std;
        var scaled = normalized * scale;
        return shift + scaled;
    }

    /// <summary>Compound right-hand sides, keepDims, and a normalisation over the feature axis (LayerNorm-like).</summary>
    [Differentiable]
    public static Tensor Compact(Tensor x, Tensor gamma, Tensor beta, [NoGrad] double eps)
    {
        var xc = x - Mean(x, axis: 1, keepDims: true);
        var inv = 1.0 / Sqrt(Mean(Square(xc), axis: 1, keepDims: true) + eps);
        return gamma * (xc * inv) + beta;
    }

    /// <summary>A learnable double scaling a tensor: its gradient is summed over the broadcast.</summary>
    [Differentiable]
    public static Tensor ScaledBatchNorm(Tensor x, double scale, Tensor beta, [NoGrad] double eps)
    {
        var mu = Mean(x, axis: 0);
        var xmu = x - mu;
        var variance = Mean(Square(xmu), axis: 0);
        var xhat = xmu / Sqrt(variance + eps);
        return scale * xhat + beta;
    }

    /// <summary>A scalar loss of doubles and System.Math.</summary>
    [Differentiable]
    public static double ScalarLoss(double a, double b)
    {
        var s = System.Math.Sin(a) * b;
        var e = System.Math.Exp(s) + System.Math.Pow(a, 3.0);
        var l = System.Math.Log(e) / (b * b + 1.0);
        return l;
    }
}
