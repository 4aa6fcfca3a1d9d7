using BackpropGen;
using static BackpropGen.Tensor;

namespace BackpropGen.Benchmarks;

/// <summary>
/// The seed's BatchNorm as a user writes it (SPEC.md §1, with the seed's names): the generator adds
/// <c>BatchNormCache</c>, <c>BatchNormForward</c> and <c>BatchNormBackward</c>, the code under measurement.
/// </summary>
public static partial class BatchNormLayer
{
    [Differentiable]
    public static Tensor BatchNorm(Tensor x, Tensor gamma, Tensor beta, [NoGrad] double eps)
    {
        int N = x.Shape[0];
        // step 1: calculate mean
        var mu = 1.0 / N * Sum(x, axis: 0);
        // step 2: subtract mean vector of every training example
        var xmu = x - mu;
        // step 3: following the lower branch - calculation denominator
        var sq = Square(xmu);
        // step 4: calculate variance
        var @var = 1.0 / N * Sum(sq, axis: 0);
        // step 5: add eps for numerical stability, then sqrt
        var sqrtvar = Sqrt(@var + eps);
        // step 6: invert sqrtvar
        var ivar = 1.0 / sqrtvar;
        // step 7: execute normalization
        var xhat = xmu * ivar;
        // step 8: the two transformation steps
        var gammax = gamma * xhat;
        // step 9
        var @out = gammax + beta;
        return @out;
    }
}
