using System;
using System.Collections.Generic;
using System.Linq;
using BackpropGen.Kernels;
using Xunit;

namespace BackpropGen.Tests.Runtime;

/// <summary>The packed matrix-product kernel against a textbook triple loop, per kernel width, layout and thread count.</summary>
public class GemmTests
{
    private static readonly int[] AwkwardSizes = [1, 3, 7, 33, 257];

    private static readonly MicroKernelWidth[] Kernels =
        [MicroKernelWidth.Scalar, MicroKernelWidth.Vector128, MicroKernelWidth.Vector256, MicroKernelWidth.Vector512];

    // Every combination of the awkward sizes, plus 1023 in tall, wide, deep and outer-product shapes. Products of at
    // most 2^22 multiply-adds keep the triple loop fast.
    public static TheoryData<int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int m in AwkwardSizes)
        {
            foreach (int n in AwkwardSizes)
            {
                foreach (int k in AwkwardSizes)
                {
                    if ((long)m * n * k <= 1 << 22)
                    {
                        data.Add(m, n, k);
                    }
                }
            }
        }

        data.Add(1023, 7, 33);
        data.Add(7, 1023, 33);
        data.Add(3, 7, 1023);
        data.Add(33, 33, 1023);
        data.Add(1023, 1023, 1);
        data.Add(1, 1023, 1023);
        data.Add(1023, 1, 1023);
        return data;
    }

    // Kernels by name: the kernel enum is internal, and a public test method cannot take it.
    public static TheoryData<string, bool, bool> KernelsAndLayouts()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (var kernel in Kernels.Select(kernel => kernel.ToString()))
        {
            foreach (bool transposeA in new[] { false, true })
            {
                foreach (bool transposeB in new[] { false, true })
                {
                    data.Add(kernel, transposeA, transposeB);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_widest_kernel_agrees_with_the_triple_loop_in_every_layout(int m, int n, int k)
    {
        foreach (bool transposeA in new[] { false, true })
        {
            foreach (bool transposeB in new[] { false, true })
            {
                AssertAgreesWithTripleLoop(m, n, k, transposeA, transposeB, Gemm.Widest, threads: 2);
            }
        }
    }

    // Shapes that leave a partial tile on both edges, span two depth blocks (the accumulating path) and, for the
    // larger, several row blocks; each kernel width, each layout, 1 and 3 partitions.
    [Theory]
    [MemberData(nameof(KernelsAndLayouts))]
    public void Every_kernel_agrees_with_the_triple_loop(string kernelName, bool transposeA, bool transposeB)
    {
        var kernel = Enum.Parse<MicroKernelWidth>(kernelName);
        foreach (var (m, n, k) in new[] { (1, 1, 1), (9, 17, 5), (13, 11, 300), (130, 37, 520) })
        {
            AssertAgreesWithTripleLoop(m, n, k, transposeA, transposeB, kernel, threads: 1);
            AssertAgreesWithTripleLoop(m, n, k, transposeA, transposeB, kernel, threads: 3);
        }
    }

    // Each element's sum runs over the depth in the same order whichever partition computes it: any change to that
    // (splitting the depth between threads, a different path for a thread's last rows) changes some bits here.
    [Theory]
    [InlineData(nameof(MicroKernelWidth.Vector256), false, false)]
    [InlineData(nameof(MicroKernelWidth.Vector256), true, false)]
    [InlineData(nameof(MicroKernelWidth.Vector256), false, true)]
    [InlineData(nameof(MicroKernelWidth.Vector128), true, true)]
    [InlineData(nameof(MicroKernelWidth.Scalar), false, false)]
    public void Any_number_of_threads_gives_the_same_bits(string kernelName, bool transposeA, bool transposeB)
    {
        var kernel = Enum.Parse<MicroKernelWidth>(kernelName);

        // Threads share the first shape's rows; the second has too few rows to share and shares its columns.
        foreach (var (m, n, k) in new[] { (257, 131, 1023), (13, 131, 600) })
        {
            var (a, b) = Operands(m, n, k, transposeA, transposeB);
            var oneThread = new double[m * n];
            Gemm.Multiply(transposeA, transposeB, m, n, k, a, b, oneThread, threads: 1, kernel);

            foreach (int threads in new[] { 2, 3, 5, 8, 64 })
            {
                var many = new double[m * n];
                Gemm.Multiply(transposeA, transposeB, m, n, k, a, b, many, threads, kernel);

                Assert.True(SameBits(oneThread, many), $"{threads} threads changed some bits of the {m}×{k}·{k}×{n} product.");
            }
        }
    }

    [Theory]
    [InlineData(43, 8, 2, false)] // 1024 × 1024 on 6 × 8 tiles: 43 row items of 24 rows, 22 and 21, about 2 % idle
    [InlineData(1, 2, 2, true)] // one row item leaves half idle; two column items none
    [InlineData(2, 8, 2, false)] // rows share out evenly
    [InlineData(3, 3, 2, false)] // columns would leave as much idle
    public void Threads_split_columns_only_when_rows_share_out_badly_and_columns_better(int rowItems, int columnItems, int threads, bool columns)
    {
        Assert.Equal(columns, Gemm.ThreadSplit.SplitsColumns(rowItems, columnItems, threads));
    }

    [Fact]
    public void Dot_above_the_parallel_threshold_agrees_with_the_triple_loop()
    {
        const int m = 400, n = 257, k = 330;
        Assert.True((long)m * n * k >= Gemm.ParallelThreshold);
        var a = Tensor.RandomNormal(11, m, k);
        var b = Tensor.RandomNormal(12, k, n);

        TensorAssert.Equal([m, n], TripleLoop(a.ToArray(), b.ToArray(), m, n, k, false, false), Tensor.Dot(a, b), Tolerance(k));
    }

    [Fact]
    public void An_empty_depth_writes_zeros_over_whatever_was_there()
    {
        var c = Enumerable.Repeat(double.NaN, 6).ToArray();

        Gemm.Multiply(false, false, 2, 3, 0, [], [], c, threads: 1, Gemm.Widest);

        Assert.Equal(new double[6], c);
    }

    [Theory]
    [InlineData(0, 3, 4)]
    [InlineData(3, 0, 4)]
    [InlineData(0, 0, 0)]
    public void An_empty_result_writes_nothing(int m, int n, int k)
    {
        var c = new[] { double.NaN };

        Gemm.Multiply(false, false, m, n, k, new double[m * k], new double[k * n], c, threads: 2, Gemm.Widest);

        Assert.True(double.IsNaN(c[0]));
    }

    [Theory]
    [InlineData(0, 5, 4)]
    [InlineData(5, 4, 0)]
    [InlineData(4, 0, 5)]
    public void Dot_of_empty_dimensions_has_the_empty_shape(int m, int k, int n)
    {
        TensorAssert.Equal([m, n], new double[m * n], Tensor.Dot(Tensor.Zeros(m, k), Tensor.Zeros(k, n)));
    }

    [Fact]
    public void Arrays_too_small_for_the_shapes_are_refused_before_anything_is_read()
    {
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 20, 20, 20, new double[400], new double[399], new double[400]));
    }

    // Packing reads either layout into the same panels, so where the packed kernel runs (more than Gemm.FewRows rows
    // and columns), a transposed product and Dot over the built transpose run the same arithmetic.
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 33, 3)]
    [InlineData(257, 130, 300)]
    [InlineData(64, 1023, 300)] // Dot reads B in place (few rows), with a partial last panel, over two depth blocks
    [InlineData(97, 17, 9)] // one row more than reads B in place
    public void The_transposed_products_are_Dot_with_the_transpose_built_to_the_bit(int m, int n, int k)
    {
        var a = Tensor.RandomNormal(5, m, k);
        var b = Tensor.RandomNormal(6, k, n);
        var expected = Tensor.Dot(a, b);

        var transposedRight = Tensor.DotTransposeB(a, Tensor.Transpose(b));
        var transposedLeft = Tensor.DotTransposeA(Tensor.Transpose(a), b);

        Assert.Equal(expected.Shape, transposedRight.Shape);
        Assert.Equal(expected.Shape, transposedLeft.Shape);
        Assert.True(SameBits(expected.ToArray(), transposedRight.ToArray()), "DotTransposeB differs from Dot.");
        Assert.True(SameBits(expected.ToArray(), transposedLeft.ToArray()), "DotTransposeA differs from Dot.");
    }

    [Fact]
    public void The_transposed_products_multiply_small_matrices()
    {
        var a = Tensor.FromArray(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });

        TensorAssert.Equal([2, 2], [14, 32, 32, 77], Tensor.DotTransposeB(a, a));
        TensorAssert.Equal([3, 3], [17, 22, 27, 22, 29, 36, 27, 36, 45], Tensor.DotTransposeA(a, a));
    }

    [Theory]
    [InlineData(nameof(Tensor.DotTransposeB), new[] { 2, 3 }, new[] { 2, 4 })]
    [InlineData(nameof(Tensor.DotTransposeB), new[] { 3 }, new[] { 2, 3 })]
    [InlineData(nameof(Tensor.DotTransposeB), new[] { 2, 3 }, new[] { 4, 3, 1 })]
    [InlineData(nameof(Tensor.DotTransposeA), new[] { 2, 3 }, new[] { 3, 3 })]
    [InlineData(nameof(Tensor.DotTransposeA), new[] { 3 }, new[] { 3, 2 })]
    [InlineData(nameof(Tensor.DotTransposeA), new[] { 2, 3 }, new[] { 2, 3, 1 })]
    public void A_transposed_product_of_mismatched_shapes_names_itself_and_both_shapes(string operation, int[] left, int[] right)
    {
        Func<Tensor, Tensor, Tensor> product = operation == nameof(Tensor.DotTransposeA) ? Tensor.DotTransposeA : Tensor.DotTransposeB;

        var error = Assert.Throws<ArgumentException>(() => product(Tensor.Zeros(left), Tensor.Zeros(right)));

        TensorAssert.MessageNames(error, operation, new TensorShape(left).ToString(), new TensorShape(right).ToString());
    }

    // One matrix of a batch: operands and result inside larger arrays, the elements around them left alone; and the
    // product added to what the result holds, in every path (direct loop, few rows, few columns, in place, packed).
    [Theory]
    [InlineData(2, 3, 4, false, false)]
    [InlineData(3, 40, 17, false, false)]
    [InlineData(40, 3, 17, true, false)]
    [InlineData(30, 50, 300, false, false)]
    [InlineData(30, 50, 300, true, true)]
    [InlineData(130, 37, 520, false, true)]
    public void A_product_at_offsets_reads_and_writes_only_its_own_elements_and_can_accumulate(int m, int n, int k, bool transposeA, bool transposeB)
    {
        var (a, b) = Operands(m, n, k, transposeA, transposeB);
        const int aOffset = 5, bOffset = 11, cOffset = 7;
        var paddedA = Enumerable.Repeat(double.NaN, aOffset).Concat(a).Concat([double.NaN]).ToArray();
        var paddedB = Enumerable.Repeat(double.NaN, bOffset).Concat(b).Concat([double.NaN]).ToArray();
        var start = Tensor.RandomNormal(99, m * n).ToArray();
        var c = Enumerable.Repeat(-1.0, cOffset).Concat(start).Concat([-1.0]).ToArray();

        Gemm.Multiply(transposeA, transposeB, m, n, k, paddedA, aOffset, paddedB, bOffset, c, cOffset, accumulate: true, threads: 2, Gemm.Widest);

        var product = TripleLoop(a, b, m, n, k, transposeA, transposeB);
        for (int i = 0; i < m * n; i++)
        {
            Assert.True(Math.Abs(start[i] + product[i] - c[cOffset + i]) <= Tolerance(k), $"element {i}: {c[cOffset + i]:R}, expected {start[i] + product[i]:R}");
        }

        Assert.All(c.Take(cOffset).Append(c[^1]), value => Assert.Equal(-1.0, value));
    }

    [Fact]
    public void Accumulating_an_empty_depth_leaves_the_result_as_it_was()
    {
        var c = new[] { 1.0, 2.0, 3.0 };

        Gemm.Multiply(false, false, 1, 3, 0, [], 0, [], 0, c, 0, accumulate: true, threads: 1, Gemm.Widest);

        Assert.Equal(new[] { 1.0, 2.0, 3.0 }, c);
    }

    [Fact]
    public void An_offset_that_leaves_too_few_elements_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(false, false, 4, 4, 4, new double[20], 5, new double[16], 0, new double[16], 0, accumulate: false, threads: 1, Gemm.Widest));

        Assert.Contains("offsets 5, 0 and 0", error.Message, StringComparison.Ordinal);
    }

    private static void AssertAgreesWithTripleLoop(int m, int n, int k, bool transposeA, bool transposeB, MicroKernelWidth kernel, int threads)
    {
        var (a, b) = Operands(m, n, k, transposeA, transposeB);

        // NaN where the product has not written: the kernel must write every element.
        var c = Enumerable.Repeat(double.NaN, m * n).ToArray();
        Gemm.Multiply(transposeA, transposeB, m, n, k, a, b, c, threads, kernel);

        var expected = TripleLoop(a, b, m, n, k, transposeA, transposeB);
        double tolerance = Tolerance(k);
        // The message is made only for an element that fails: made for each of a million elements, it took most of the time.
        for (int i = 0; i < expected.Length; i++)
        {
            if (!(Math.Abs(expected[i] - c[i]) <= tolerance))
            {
                Assert.Fail($"{kernel}, {m}×{k}·{k}×{n}, transposeA {transposeA}, transposeB {transposeB}, {threads} threads: element ({i / n}, {i % n}) is {c[i]:R}, expected {expected[i]:R}.");
            }
        }
    }

    // Standard normal operands: a sum of k products has a spread of about √k and a rounding error well under k·ε of it.
    internal static double Tolerance(int k) => 1e-15 * (k + 1) * Math.Sqrt(k + 1) * 10;

    private static (double[] A, double[] B) Operands(int m, int n, int k, bool transposeA, bool transposeB) =>
        (Tensor.RandomNormal((m * 31) + k, transposeA ? [k, m] : [m, k]).ToArray(),
         Tensor.RandomNormal((n * 17) + k + 1, transposeB ? [n, k] : [k, n]).ToArray());

    internal static double[] TripleLoop(double[] a, double[] b, int m, int n, int k, bool transposeA, bool transposeB)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    sum += (transposeA ? a[(p * m) + i] : a[(i * k) + p]) * (transposeB ? b[(j * k) + p] : b[(p * n) + j]);
                }

                c[(i * n) + j] = sum;
            }
        }

        return c;
    }

    internal static bool SameBits(IReadOnlyList<double> expected, IReadOnlyList<double> actual) =>
        expected.Count == actual.Count
        && expected.Select(BitConverter.DoubleToInt64Bits).SequenceEqual(actual.Select(BitConverter.DoubleToInt64Bits));
}
