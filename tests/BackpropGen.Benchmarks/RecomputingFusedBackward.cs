using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace BackpropGen.Benchmarks;

/// <summary>
/// The generated fused backward's two passes written by hand in plain loops, to tell what the generated form costs
/// beyond its algorithm: over a cache that holds no N×D tensor of its own, the input <c>x</c> (which the caller holds
/// anyway) and the D-vectors <c>mu</c>, <c>ivar</c>, <c>sqrtvar</c>. <c>xmu = x - mu</c> and <c>xhat = xmu * ivar</c>
/// are recomputed in registers, so every pass reads only <c>dout</c> and <c>x</c>: the memory traffic of the closed
/// form, and the shape of what libtorch's batch_norm saves. Pass 1 keeps the generated pass's three running sums,
/// <c>Σ dout</c>, <c>Σ dout·xmu</c> and <c>Σ xmu</c>, and every sum the backward needs is made from them, the factors
/// constant down a column taken out: <c>dgamma = ivar·Σ dout·xmu</c>, <c>dmu = −(a·Σ dout + c·Σ xmu)</c>.
/// </summary>
public static class RecomputingFusedBackward
{
    /// <summary>The cache: the input and three D-vectors; <paramref name="X"/> is the caller's own tensor, not a copy.</summary>
    public sealed record InputCache(Tensor X, Tensor Gamma, Tensor Mu, Tensor Ivar, Tensor Sqrtvar, int N);

    public static InputCache CacheOf(Tensor x, Tensor gamma, double eps)
    {
        int n = x.Shape[0];
        var mu = 1.0 / n * Tensor.Sum(x, axis: 0);
        var sqrtvar = Tensor.Sqrt((1.0 / n * Tensor.Sum(Tensor.Square(x - mu), axis: 0)) + eps);
        return new InputCache(x, gamma, mu, 1.0 / sqrtvar, sqrtvar, n);
    }

    public static (double[] dx, double[] dgamma, double[] dbeta) Backward(double[] dout, InputCache cache)
    {
        int n = cache.N, d = cache.Gamma.Length;
        ReadOnlySpan<double> gamma = cache.Gamma.AsSpan(), ivar = cache.Ivar.AsSpan(), sqrtvar = cache.Sqrtvar.AsSpan();
        var dbeta = new double[d];
        var sumDoutXmu = new double[d];
        var sumXmu = new double[d];
        int width = Vector<double>.Count, vectorEnd = d - (d % width);
        ref double rg = ref MemoryMarshal.GetArrayDataReference(dout);
        ref double rx = ref MemoryMarshal.GetReference(cache.X.AsSpan());
        ref double rmu = ref MemoryMarshal.GetReference(cache.Mu.AsSpan());
        ref double rbeta = ref MemoryMarshal.GetArrayDataReference(dbeta);
        ref double rdx = ref MemoryMarshal.GetArrayDataReference(sumDoutXmu);
        ref double rsum = ref MemoryMarshal.GetArrayDataReference(sumXmu);
        var mu = cache.Mu.AsSpan();

        // pass 1: the three sums the generated pass keeps, Σ dout, Σ dout·xmu and Σ xmu, with xmu recomputed
        for (int i = 0; i < n; i++)
        {
            nuint row = (nuint)(i * d);
            int j = 0;
            for (; j < vectorEnd; j += width)
            {
                nuint at = (nuint)j;
                var gv = Vector.LoadUnsafe(ref rg, row + at);
                var xmu = Vector.LoadUnsafe(ref rx, row + at) - Vector.LoadUnsafe(ref rmu, at);
                (Vector.LoadUnsafe(ref rbeta, at) + gv).StoreUnsafe(ref rbeta, at);
                (Vector.LoadUnsafe(ref rdx, at) + (gv * xmu)).StoreUnsafe(ref rdx, at);
                (Vector.LoadUnsafe(ref rsum, at) + xmu).StoreUnsafe(ref rsum, at);
            }

            for (; j < d; j++)
            {
                double g = dout[(i * d) + j], xmu = cache.X.AsSpan()[(i * d) + j] - mu[j];
                dbeta[j] += g;
                sumDoutXmu[j] += g * xmu;
                sumXmu[j] += xmu;
            }
        }

        // the sums made from the shared ones, the factors constant down a column taken out
        var dgamma = new double[d];
        var divar = new double[d];
        for (int j = 0; j < d; j++)
        {
            dgamma[j] = ivar[j] * sumDoutXmu[j];
            divar[j] = gamma[j] * sumDoutXmu[j];
        }

        // steps 6 to 1 on D-vectors, dmu by linearity of the column sum
        var a = new double[d];
        var twoDsq = new double[d];
        var dx2 = new double[d];
        for (int j = 0; j < d; j++)
        {
            double dsqrtvar = -1.0 / (sqrtvar[j] * sqrtvar[j]) * divar[j];
            double dvar = 0.5 / sqrtvar[j] * dsqrtvar;
            twoDsq[j] = 2 * (1.0 / n * dvar);
            a[j] = gamma[j] * ivar[j];
            double dmu = -((a[j] * dbeta[j]) + (twoDsq[j] * sumXmu[j]));
            dx2[j] = 1.0 / n * dmu;
        }

        // pass 2: steps 3 to 0, dx = dout·a + 2·dsq·(x − mu) + dmu/N
        var dx = GC.AllocateUninitializedArray<double>(n * d);
        ref double ro = ref MemoryMarshal.GetArrayDataReference(dx);
        ref double ra = ref MemoryMarshal.GetArrayDataReference(a);
        ref double rk = ref MemoryMarshal.GetArrayDataReference(twoDsq);
        ref double rdx2 = ref MemoryMarshal.GetArrayDataReference(dx2);
        for (int i = 0; i < n; i++)
        {
            nuint row = (nuint)(i * d);
            int j = 0;
            for (; j < vectorEnd; j += width)
            {
                nuint at = (nuint)j;
                var xmu = Vector.LoadUnsafe(ref rx, row + at) - Vector.LoadUnsafe(ref rmu, at);
                var value = (Vector.LoadUnsafe(ref rg, row + at) * Vector.LoadUnsafe(ref ra, at)) + (Vector.LoadUnsafe(ref rk, at) * xmu) + Vector.LoadUnsafe(ref rdx2, at);
                value.StoreUnsafe(ref ro, row + at);
            }

            for (; j < d; j++)
            {
                double xmu = cache.X.AsSpan()[(i * d) + j] - mu[j];
                dx[(i * d) + j] = (dout[(i * d) + j] * a[j]) + (twoDsq[j] * xmu) + dx2[j];
            }
        }

        return (dx, dgamma, dbeta);
    }
}
