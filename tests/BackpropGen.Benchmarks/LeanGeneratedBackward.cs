using BackpropGen;
using static BackpropGen.Tensor;

namespace BackpropGen.Benchmarks;

/// <summary>
/// What the generator should emit for BatchNorm: the same nine reverse steps, the seed's names, the same cache, and
/// every gradient equal to the generated one to rounding, with four rewrites that each drop a full N×D pass:
/// <list type="number">
/// <item><c>SumTo(p * q, s)</c> becomes <c>SumProductTo(p, q, s)</c>: the product is summed as it is made (steps 8, 7).</item>
/// <item>The adjoint of <c>Sum(v, axis: 0)</c> stays in the reduced shape instead of <c>ExpandAlong</c>: every use of it
/// broadcasts anyway (steps 4, 1); one <c>BroadcastTo</c> at step 0 restores the full shape if nothing else did.</item>
/// <item>A constant factor goes on the (reduced) gradient, not on the full-size cached value: <c>(2 * dsq) * xmu</c>,
/// not <c>(2 * xmu) * dsq</c> (step 3).</item>
/// <item>A negation moves past the sum: <c>-SumTo(g, s)</c>, not <c>SumTo(-g, s)</c> (step 2).</item>
/// </list>
/// Five N×D tensors made instead of eleven.
/// </summary>
public static class LeanGeneratedBackward
{
    public static (Tensor dx, Tensor dgamma, Tensor dbeta) BatchNormBackward(Tensor dout, BatchNormLayer.BatchNormCache cache)
    {
        System.ArgumentNullException.ThrowIfNull(cache);
        var (xShape, gamma, betaShape, N, muShape, xmu, sqShape, sqrtvar, ivar, xhat, gammaxShape) = cache;

        // step 9: out = gammax + beta
        var dgammax = SumTo(dout, gammaxShape);
        var dbeta = SumTo(dout, betaShape);

        // step 8: gammax = gamma * xhat
        var dgamma = SumProductTo(dgammax, xhat, gamma.Shape);
        var dxhat = SumTo(dgammax * gamma, xhat.Shape);

        // step 7: xhat = xmu * ivar
        var dxmu1 = SumTo(dxhat * ivar, xmu.Shape);
        var divar = SumProductTo(dxhat, xmu, ivar.Shape);

        // step 6: ivar = 1.0 / sqrtvar
        var dsqrtvar = -1.0 / Square(sqrtvar) * divar;

        // step 5: sqrtvar = Sqrt(@var + eps)
        var dvar = 0.5 / sqrtvar * dsqrtvar;

        // step 4: var = 1.0 / N * Sum(sq, axis: 0)
        var dsq = 1.0 / N * dvar; // the shape of var: broadcasts to sqShape wherever it is used

        // step 3: sq = Square(xmu)
        var dxmu2 = 2 * dsq * xmu;

        // step 2: xmu = x - mu
        var dxmu = dxmu1 + dxmu2;
        var dx1 = SumTo(dxmu, xShape);
        var dmu = -SumTo(dxmu, muShape);

        // step 1: mu = 1.0 / N * Sum(x, axis: 0)
        var dx2 = 1.0 / N * dmu; // the shape of mu: broadcasts to xShape in step 0

        // step 0
        var dx = BroadcastTo(dx1 + dx2, xShape);
        _ = sqShape;
        return (dx, dgamma, dbeta);
    }
}
