using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace BackpropGen.Kernels;

/// <summary>
/// Many matrix products on <see cref="Gemm"/> at once: product i is <c>C[cIndex[i]] (+)= op(A[aIndex[i]]) · op(B[bIndex[i]])</c>,
/// where a matrix index numbers the <c>[m, k]</c> (<c>[k, n]</c>, <c>[m, n]</c>) matrices laid end to end in an array.
/// A broadcast operand is read in place by every product that uses it (its index repeats), never copied. Products
/// that share a destination are summed into it in the order of i: that is how a gradient is summed over the batch axes
/// its operand was broadcast along.
/// </summary>
/// <remarks>
/// Two batches fold into one product, so that the packed panels of the shared operand are packed once and the kernel
/// sees one large product: every A beside each other in rows with one B (<c>[batch · m, k] · [k, n]</c>, a matrix product
/// of a batch of inputs and one weight), and a sum over the batch of <c>Aᵢᵀ · Bᵢ</c> with both stacked in depth
/// (<c>[batch · k, m]ᵀ · [batch · k, n]</c>, that weight's gradient). Otherwise the products run one by one, or the
/// destinations are shared out over the threads, each destination's products in order on one thread; each product
/// computes its elements as <see cref="Gemm"/> does, so the result does not depend on the number of threads. Products
/// too small for threads of their own are the ones shared out.
/// </remarks>
internal static class BatchedGemm
{
    /// <summary>
    /// Runs the products. <paramref name="cCount"/> destinations are written in all: a destination no product writes
    /// (an operand broadcast along an empty batch axis) is set to zeros.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k, double[] a, int[] aIndex, double[] b, int[] bIndex, double[] c, int[] cIndex, int cCount, int threads,
        MicroKernelWidth kernel)
    {
        int count = aIndex.Length;
        if (bIndex.Length != count || cIndex.Length != count)
        {
            throw new ArgumentException($"{count}, {bIndex.Length} and {cIndex.Length} matrix indices: one of each per product is needed.");
        }

        if (count > 0 && FoldsIntoRows(transposeA, aIndex, bIndex, cIndex))
        {
            Gemm.Multiply(transposeA, transposeB, count * m, n, k, a, aIndex[0] * m * k, b, bIndex[0] * k * n, c, cIndex[0] * m * n, accumulate: false, threads, kernel);
            ClearUnwritten(c, m * n, cCount, cIndex);
            return;
        }

        if (count > 0 && FoldsIntoDepth(transposeA, transposeB, aIndex, bIndex, cIndex))
        {
            Gemm.Multiply(transposeA, transposeB, m, n, count * k, a, aIndex[0] * m * k, b, bIndex[0] * k * n, c, cIndex[0] * m * n, accumulate: false, threads, kernel);
            ClearUnwritten(c, m * n, cCount, cIndex);
            return;
        }

        var destinations = ProductsByDestination(cIndex);
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void MultiplyInto(List<int> products, int productThreads)
        {
            for (int p = 0; p < products.Count; p++)
            {
                int i = products[p];
                Gemm.Multiply(
                    transposeA, transposeB, m, n, k, a, aIndex[i] * m * k, b, bIndex[i] * k * n, c, cIndex[i] * m * n, accumulate: p > 0, productThreads, kernel);
            }
        }

        // A product large enough for threads of its own shares its tiles evenly however many products there are; smaller
        // ones are shared out whole.
        if (threads > 1 && destinations.Count >= threads && (long)m * n * k < Gemm.ParallelThreshold)
        {
            Parallel.For(0, destinations.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, d => MultiplyInto(destinations[d], 1));
        }
        else
        {
            foreach (var products in destinations)
            {
                MultiplyInto(products, threads);
            }
        }

        ClearUnwritten(c, m * n, cCount, cIndex);
    }

    /// <summary>Whether every product reads the same B and consecutive As stored as is into consecutive destinations.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool FoldsIntoRows(bool transposeA, int[] aIndex, int[] bIndex, int[] cIndex)
    {
        if (transposeA)
        {
            return false;
        }

        for (int i = 0; i < aIndex.Length; i++)
        {
            if (bIndex[i] != bIndex[0] || aIndex[i] != aIndex[0] + i || cIndex[i] != cIndex[0] + i)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether every product sums into the same destination from consecutive transposed As and consecutive Bs as stored:
    /// stacked, the As are one <c>[count · k, m]</c> matrix and the Bs one <c>[count · k, n]</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool FoldsIntoDepth(bool transposeA, bool transposeB, int[] aIndex, int[] bIndex, int[] cIndex)
    {
        if (!transposeA || transposeB)
        {
            return false;
        }

        for (int i = 0; i < aIndex.Length; i++)
        {
            if (cIndex[i] != cIndex[0] || aIndex[i] != aIndex[0] + i || bIndex[i] != bIndex[0] + i)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The products of each destination, in increasing order, destinations in the order they are first written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static List<List<int>> ProductsByDestination(int[] cIndex)
    {
        var groups = new List<List<int>>();
        var groupOf = new Dictionary<int, int>();
        for (int i = 0; i < cIndex.Length; i++)
        {
            if (!groupOf.TryGetValue(cIndex[i], out int group))
            {
                group = groups.Count;
                groupOf.Add(cIndex[i], group);
                groups.Add([]);
            }

            groups[group].Add(i);
        }

        return groups;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ClearUnwritten(double[] c, int matrixLength, int cCount, int[] cIndex)
    {
        var written = new bool[cCount];
        foreach (int index in cIndex)
        {
            written[index] = true;
        }

        for (int index = 0; index < cCount; index++)
        {
            if (!written[index])
            {
                c.AsSpan(index * matrixLength, matrixLength).Clear();
            }
        }
    }
}
