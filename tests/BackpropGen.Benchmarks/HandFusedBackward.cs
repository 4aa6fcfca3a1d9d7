using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks;

namespace BackpropGen.Benchmarks;

/// <summary>
/// The closed-form BatchNorm backward written by hand, as fast as plain C# gets: from the cache <c>(xhat, gamma, ivar)</c>,
/// <code>
/// dbeta  = Σ_i dout            dgamma = Σ_i dout · xhat
/// dx     = gamma · ivar / N · (N · dout − dbeta − xhat · dgamma)
/// </code>
/// in two passes over the row-major N×D data: one accumulating both column sums a row at a time (the two rows of
/// accumulators stay in L1), one writing dx as <c>a·dout + c·xhat + b</c> with per-column a, b, c. Vectorized with
/// <see cref="Vector{T}"/>; the parallel form splits the rows in blocks, one per core, with an accumulator pair per block.
/// </summary>
public static class HandFusedBackward
{
    /// <summary>Below this many elements the parallel form runs serially: a fork/join costs more than the work.</summary>
    public const int ParallelThreshold = 1 << 18;

    /// <summary>The closed-form cache: the normalized input, the scale and the inverse standard deviation.</summary>
    public sealed record ClosedFormCache(double[] Xhat, double[] Gamma, double[] Ivar, int N, int D);

    public static ClosedFormCache CacheOf(Tensor xhat, Tensor gamma, Tensor ivar) =>
        new(xhat.ToArray(), gamma.ToArray(), ivar.ToArray(), xhat.Shape[0], xhat.Shape[1]);

    public static (double[] dx, double[] dgamma, double[] dbeta) Backward(double[] dout, ClosedFormCache cache, bool parallel)
    {
        int n = cache.N, d = cache.D;
        if (dout.Length != n * d)
        {
            throw new ArgumentException($"dout has {dout.Length} elements, expected {n}×{d}.", nameof(dout));
        }

        int blocks = parallel && n * d >= ParallelThreshold ? Math.Min(Environment.ProcessorCount, n) : 1;
        var dbeta = new double[d];
        var dgamma = new double[d];
        if (blocks == 1)
        {
            AccumulateColumnSums(dout, cache.Xhat, 0, n, d, dbeta, dgamma);
        }
        else
        {
            // One accumulator pair per block, merged after: no sharing, no locks.
            var partialBeta = new double[blocks * d];
            var partialGamma = new double[blocks * d];
            Parallel.For(0, blocks, block =>
            {
                var (first, end) = RowRange(block, blocks, n);
                AccumulateColumnSums(dout, cache.Xhat, first, end, d, partialBeta.AsSpan(block * d, d), partialGamma.AsSpan(block * d, d));
            });
            for (int block = 0; block < blocks; block++)
            {
                Add(dbeta, partialBeta.AsSpan(block * d, d));
                Add(dgamma, partialGamma.AsSpan(block * d, d));
            }
        }

        // dx = a·dout + c·xhat + b, column by column constants.
        var a = new double[d];
        var b = new double[d];
        var c = new double[d];
        for (int j = 0; j < d; j++)
        {
            double scale = cache.Gamma[j] * cache.Ivar[j];
            a[j] = scale;
            b[j] = -scale / n * dbeta[j];
            c[j] = -scale / n * dgamma[j];
        }

        var dx = GC.AllocateUninitializedArray<double>(n * d);
        if (blocks == 1)
        {
            WriteDx(dout, cache.Xhat, 0, n, d, a, b, c, dx);
        }
        else
        {
            Parallel.For(0, blocks, block =>
            {
                var (first, end) = RowRange(block, blocks, n);
                WriteDx(dout, cache.Xhat, first, end, d, a, b, c, dx);
            });
        }

        return (dx, dgamma, dbeta);
    }

    private static (int First, int End) RowRange(int block, int blocks, int n) => (block * n / blocks, (block + 1) * n / blocks);

    private static void AccumulateColumnSums(double[] dout, double[] xhat, int firstRow, int endRow, int d, Span<double> dbeta, Span<double> dgamma)
    {
        ref double g = ref MemoryMarshal.GetArrayDataReference(dout);
        ref double h = ref MemoryMarshal.GetArrayDataReference(xhat);
        ref double sumBeta = ref MemoryMarshal.GetReference(dbeta);
        ref double sumGamma = ref MemoryMarshal.GetReference(dgamma);
        int width = Vector<double>.Count;
        int vectorEnd = d - (d % width);
        for (int i = firstRow; i < endRow; i++)
        {
            nuint row = (nuint)(i * d);
            int j = 0;
            for (; j < vectorEnd; j += width)
            {
                var gv = Vector.LoadUnsafe(ref g, row + (nuint)j);
                var hv = Vector.LoadUnsafe(ref h, row + (nuint)j);
                (Vector.LoadUnsafe(ref sumBeta, (nuint)j) + gv).StoreUnsafe(ref sumBeta, (nuint)j);
                Vector.FusedMultiplyAdd(gv, hv, Vector.LoadUnsafe(ref sumGamma, (nuint)j)).StoreUnsafe(ref sumGamma, (nuint)j);
            }

            for (; j < d; j++)
            {
                double gj = Unsafe.Add(ref g, row + (nuint)j);
                Unsafe.Add(ref sumBeta, j) += gj;
                Unsafe.Add(ref sumGamma, j) += gj * Unsafe.Add(ref h, row + (nuint)j);
            }
        }
    }

    private static void WriteDx(double[] dout, double[] xhat, int firstRow, int endRow, int d, double[] a, double[] b, double[] c, double[] dx)
    {
        ref double g = ref MemoryMarshal.GetArrayDataReference(dout);
        ref double h = ref MemoryMarshal.GetArrayDataReference(xhat);
        ref double o = ref MemoryMarshal.GetArrayDataReference(dx);
        ref double ar = ref MemoryMarshal.GetArrayDataReference(a);
        ref double br = ref MemoryMarshal.GetArrayDataReference(b);
        ref double cr = ref MemoryMarshal.GetArrayDataReference(c);
        int width = Vector<double>.Count;
        int vectorEnd = d - (d % width);
        for (int i = firstRow; i < endRow; i++)
        {
            nuint row = (nuint)(i * d);
            int j = 0;
            for (; j < vectorEnd; j += width)
            {
                var sum = Vector.FusedMultiplyAdd(
                    Vector.LoadUnsafe(ref g, row + (nuint)j),
                    Vector.LoadUnsafe(ref ar, (nuint)j),
                    Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref h, row + (nuint)j), Vector.LoadUnsafe(ref cr, (nuint)j), Vector.LoadUnsafe(ref br, (nuint)j)));
                sum.StoreUnsafe(ref o, row + (nuint)j);
            }

            for (; j < d; j++)
            {
                Unsafe.Add(ref o, row + (nuint)j) = (Unsafe.Add(ref g, row + (nuint)j) * a[j]) + (Unsafe.Add(ref h, row + (nuint)j) * c[j]) + b[j];
            }
        }
    }

    private static void Add(Span<double> accumulated, ReadOnlySpan<double> next)
    {
        for (int j = 0; j < accumulated.Length; j++)
        {
            accumulated[j] += next[j];
        }
    }
}
