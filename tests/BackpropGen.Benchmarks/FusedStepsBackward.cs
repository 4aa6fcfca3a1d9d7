using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace BackpropGen.Benchmarks;

/// <summary>
/// What a generator that fuses elementwise steps into loops could emit for BatchNorm, from the generated cache and with
/// no BatchNorm-specific algebra: the step chain of the generated backward, each run of elementwise steps between two
/// reductions turned into one loop over the rows, intermediates that only feed that loop never stored.
/// <list type="bullet">
/// <item>pass 1 (steps 9–7): <c>dbeta += dout</c>, <c>dgamma += dout·xhat</c>, <c>divar += (dout·gamma)·xmu</c>;</item>
/// <item>steps 6–4 on D-vectors;</item>
/// <item>pass 2 (steps 3–2): <c>dmu −= dxhat·ivar + (2·dsq)·xmu</c>, with <c>dxhat = dout·gamma</c> recomputed;</item>
/// <item>pass 3 (steps 1–0): <c>dx = dxhat·ivar + (2·dsq)·xmu + dmu/N</c>, recomputed rather than stored.</item>
/// </list>
/// With <c>useLinearity</c>, pass 2 goes: the generator may use that a column sum is linear in factors that are constant
/// down a column, <c>Σ_i (a·dout + c·xmu) = a·Σ dout + c·Σ xmu</c>, with <c>Σ xmu</c> taken in pass 1.
/// </summary>
public static class FusedStepsBackward
{
    public static (double[] dx, double[] dgamma, double[] dbeta) Backward(double[] dout, BatchNormLayer.BatchNormCache cache, bool useLinearity)
    {
        int n = cache.N, d = cache.Gamma.Length;
        ReadOnlySpan<double> xhat = cache.Xhat.AsSpan(), xmu = cache.Xmu.AsSpan(), gamma = cache.Gamma.AsSpan();
        ReadOnlySpan<double> ivar = cache.Ivar.AsSpan(), sqrtvar = cache.Sqrtvar.AsSpan();
        var dbeta = new double[d];
        var dgamma = new double[d];
        var divar = new double[d];
        var sumXmu = new double[d];
        int width = Vector<double>.Count, vectorEnd = d - (d % width);

        // pass 1: steps 9, 8, 7
        ref double rg = ref MemoryMarshal.GetArrayDataReference(dout);
        ref double rh = ref MemoryMarshal.GetReference(xhat);
        ref double rm = ref MemoryMarshal.GetReference(xmu);
        ref double rgamma = ref MemoryMarshal.GetReference(gamma);
        ref double rbeta = ref MemoryMarshal.GetArrayDataReference(dbeta);
        ref double rdgamma = ref MemoryMarshal.GetArrayDataReference(dgamma);
        ref double rdivar = ref MemoryMarshal.GetArrayDataReference(divar);
        ref double rsum = ref MemoryMarshal.GetArrayDataReference(sumXmu);
        for (int i = 0; i < n; i++)
        {
            nuint row = (nuint)(i * d);
            int j = 0;
            for (; j < vectorEnd; j += width)
            {
                nuint at = (nuint)j;
                var gv = Vector.LoadUnsafe(ref rg, row + at);
                var mv = Vector.LoadUnsafe(ref rm, row + at);
                (Vector.LoadUnsafe(ref rbeta, at) + gv).StoreUnsafe(ref rbeta, at);
                (Vector.LoadUnsafe(ref rdgamma, at) + (gv * Vector.LoadUnsafe(ref rh, row + at))).StoreUnsafe(ref rdgamma, at);
                (Vector.LoadUnsafe(ref rdivar, at) + (gv * Vector.LoadUnsafe(ref rgamma, at) * mv)).StoreUnsafe(ref rdivar, at);
                if (useLinearity)
                {
                    (Vector.LoadUnsafe(ref rsum, at) + mv).StoreUnsafe(ref rsum, at);
                }
            }

            for (; j < d; j++)
            {
                int k = i * d + j;
                dbeta[j] += dout[k];
                dgamma[j] += dout[k] * xhat[k];
                divar[j] += dout[k] * gamma[j] * xmu[k];
                sumXmu[j] += xmu[k];
            }
        }

        // steps 6, 5, 4 on vectors of D; a = gamma·ivar turns dxhat·ivar into dout·a; twoDsq = 2·dsq.
        var a = new double[d];
        var twoDsq = new double[d];
        for (int j = 0; j < d; j++)
        {
            double dsqrtvar = -1.0 / (sqrtvar[j] * sqrtvar[j]) * divar[j];
            double dvar = 0.5 / sqrtvar[j] * dsqrtvar;
            twoDsq[j] = 2 * (1.0 / n * dvar);
            a[j] = gamma[j] * ivar[j];
        }

        // steps 3, 2: dmu = -Σ dxmu
        var dmu = new double[d];
        if (useLinearity)
        {
            for (int j = 0; j < d; j++)
            {
                dmu[j] = -((a[j] * dbeta[j]) + (twoDsq[j] * sumXmu[j]));
            }
        }
        else
        {
            ref double ra = ref MemoryMarshal.GetArrayDataReference(a);
            ref double rk = ref MemoryMarshal.GetArrayDataReference(twoDsq);
            ref double rdmu = ref MemoryMarshal.GetArrayDataReference(dmu);
            for (int i = 0; i < n; i++)
            {
                nuint row = (nuint)(i * d);
                int j = 0;
                for (; j < vectorEnd; j += width)
                {
                    nuint at = (nuint)j;
                    var dxmu = (Vector.LoadUnsafe(ref rg, row + at) * Vector.LoadUnsafe(ref ra, at)) + (Vector.LoadUnsafe(ref rk, at) * Vector.LoadUnsafe(ref rm, row + at));
                    (Vector.LoadUnsafe(ref rdmu, at) - dxmu).StoreUnsafe(ref rdmu, at);
                }

                for (; j < d; j++)
                {
                    int k = i * d + j;
                    dmu[j] -= (dout[k] * a[j]) + (twoDsq[j] * xmu[k]);
                }
            }
        }

        // steps 1, 0: dx = dxmu + dmu/N
        var dx2 = new double[d];
        for (int j = 0; j < d; j++)
        {
            dx2[j] = 1.0 / n * dmu[j];
        }

        var dx = GC.AllocateUninitializedArray<double>(n * d);
        ref double ro = ref MemoryMarshal.GetArrayDataReference(dx);
        ref double ra2 = ref MemoryMarshal.GetArrayDataReference(a);
        ref double rk2 = ref MemoryMarshal.GetArrayDataReference(twoDsq);
        ref double rdx2 = ref MemoryMarshal.GetArrayDataReference(dx2);
        for (int i = 0; i < n; i++)
        {
            nuint row = (nuint)(i * d);
            int j = 0;
            for (; j < vectorEnd; j += width)
            {
                nuint at = (nuint)j;
                var dxmu = (Vector.LoadUnsafe(ref rg, row + at) * Vector.LoadUnsafe(ref ra2, at)) + (Vector.LoadUnsafe(ref rk2, at) * Vector.LoadUnsafe(ref rm, row + at));
                (dxmu + Vector.LoadUnsafe(ref rdx2, at)).StoreUnsafe(ref ro, row + at);
            }

            for (; j < d; j++)
            {
                int k = i * d + j;
                dx[k] = (dout[k] * a[j]) + (twoDsq[j] * xmu[k]) + dx2[j];
            }
        }

        return (dx, dgamma, dbeta);
    }
}
