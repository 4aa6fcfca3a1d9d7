using BackpropGen;
using BatchNormSample;

namespace BackpropGen.Benchmarks;

/// <summary>
/// The seed's naive <c>batchnorm_backward</c> on the same Tensor operations the generated code uses: the baseline the
/// generated backward must not be slower than. The translation itself is samples/BatchNorm/SeedBackward.cs, compiled
/// into this project too, so that the sample and the benchmark measure the same code.
/// </summary>
public static class SeedNaiveBackward
{
    /// <summary>The seed's cache, <c>(xhat, gamma, xmu, ivar, sqrtvar, var, eps)</c>.</summary>
    public sealed record SeedCache(Tensor Xhat, Tensor Gamma, Tensor Xmu, Tensor Ivar, Tensor Sqrtvar, Tensor Var, double Eps);

    /// <summary>The seed's <c>batchnorm_forward</c>, returning its cache.</summary>
    public static (Tensor Out, SeedCache Cache) Forward(Tensor x, Tensor gamma, Tensor beta, double eps)
    {
        var (xhat, _, xmu, ivar, sqrtvar, var, _) = SeedBackward.Cache(x, gamma, eps);
        return (gamma * xhat + beta, new SeedCache(xhat, gamma, xmu, ivar, sqrtvar, var, eps));
    }

    public static (Tensor dx, Tensor dgamma, Tensor dbeta) Backward(Tensor dout, SeedCache cache) =>
        SeedBackward.BatchNormBackward(dout, (cache.Xhat, cache.Gamma, cache.Xmu, cache.Ivar, cache.Sqrtvar, cache.Var, cache.Eps));
}
