using BackpropGen;
using static BackpropGen.Tensor;

namespace BackpropGen.Benchmarks;

/// <summary>
/// The seed's naive <c>batchnorm_backward</c> translated line by line onto the same Tensor operations the generated
/// code uses (as samples/BatchNorm/SeedBackward.cs): the baseline the generated backward must not be slower than.
/// </summary>
public static class SeedNaiveBackward
{
    /// <summary>The seed's cache, <c>(xhat, gamma, xmu, ivar, sqrtvar, var, eps)</c>.</summary>
    public sealed record SeedCache(Tensor Xhat, Tensor Gamma, Tensor Xmu, Tensor Ivar, Tensor Sqrtvar, Tensor Var, double Eps);

    /// <summary>The seed's <c>batchnorm_forward</c>, returning its cache.</summary>
    public static (Tensor Out, SeedCache Cache) Forward(Tensor x, Tensor gamma, Tensor beta, double eps)
    {
        int N = x.Shape[0];
        var mu = 1.0 / N * Sum(x, axis: 0);
        var xmu = x - mu;
        var sq = Square(xmu);
        var var = 1.0 / N * Sum(sq, axis: 0);
        var sqrtvar = Sqrt(var + eps);
        var ivar = 1.0 / sqrtvar;
        var xhat = xmu * ivar;
        var gammax = gamma * xhat;
        var @out = gammax + beta;
        return (@out, new SeedCache(xhat, gamma, xmu, ivar, sqrtvar, var, eps));
    }

    public static (Tensor dx, Tensor dgamma, Tensor dbeta) Backward(Tensor dout, SeedCache cache)
    {
        // unfold the variables stored in cache
        var (xhat, gamma, xmu, ivar, sqrtvar, var, eps) = cache;
        // get the dimensions of the input/output
        int N = dout.Shape[0], D = dout.Shape[1];
        // step9
        var dbeta = Sum(dout, axis: 0);
        var dgammax = dout; // not necessary, but more understandable
        // step8
        var dgamma = Sum(dgammax * xhat, axis: 0);
        var dxhat = dgammax * gamma;
        // step7
        var divar = Sum(dxhat * xmu, axis: 0);
        var dxmu1 = dxhat * ivar;
        // step6
        var dsqrtvar = -1.0 / Square(sqrtvar) * divar;
        // step5
        var dvar = 0.5 * 1.0 / Sqrt(var + eps) * dsqrtvar;
        // step4
        var dsq = 1.0 / N * Ones(N, D) * dvar;
        // step3
        var dxmu2 = 2 * xmu * dsq;
        // step2
        var dx1 = dxmu1 + dxmu2;
        var dmu = -1 * Sum(dxmu1 + dxmu2, axis: 0);
        // step1
        var dx2 = 1.0 / N * Ones(N, D) * dmu;
        // step0
        var dx = dx1 + dx2;
        return (dx, dgamma, dbeta);
    }
}
