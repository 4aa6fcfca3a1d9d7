using System;
using System.Linq;
using BackpropGen.Kernels;
using Xunit;

namespace BackpropGen.Tests.Runtime;

/// <summary>NumPy's matmul and its gradients against loops over coordinates written from NumPy's definition.</summary>
public class MatMulTests
{
    // Left shape, right shape: vectors, awkward sizes, tall and wide, batch axes broadcast both ways (missing, size 1,
    // both at once), a right operand without batch (the folded product), empty batches.
    public static TheoryData<int[], int[]> Shapes() => new()
    {
        { [3], [3] },
        { [7], [7, 33] },
        { [33, 7], [7] },
        { [1, 1], [1, 1] },
        { [7, 33], [33, 257] },
        { [257, 3], [3, 1] },
        { [3, 257], [257, 7] },
        { [4, 5, 7], [7, 3] },
        { [2, 3, 33, 7], [7, 9] },
        { [3, 4], [6, 4, 5] },
        { [7], [2, 7, 3] },
        { [2, 3, 7], [7] },
        { [5, 1, 3, 7], [4, 7, 2] },
        { [2, 1, 3, 4], [1, 5, 4, 6] },
        { [1, 9, 8], [3, 8, 1] },
        { [0, 2, 3], [3, 4] },
        { [1, 2, 3], [0, 3, 4] },
        { [2, 3, 0], [2, 0, 4] },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatMul_agrees_with_numpys_definition(int[] left, int[] right)
    {
        var a = Tensor.RandomNormal(1, left);
        var b = Tensor.RandomNormal(2, right);

        var product = Tensor.MatMul(a, b);

        var expected = Naive(a, b);
        TensorAssert.Equal(expected.Shape.ToArray(), expected.ToArray(), product, 1e-12);
        Assert.Equal(expected.Shape, TensorShape.OfMatMul(a.Shape, b.Shape));
    }

    [Fact]
    public void MatMul_of_two_vectors_is_a_scalar()
    {
        var product = Tensor.MatMul(Tensor.FromArray([1, 2, 3], 3), Tensor.FromArray([4, 5, 6], 3));

        TensorAssert.Equal([], [32], product);
    }

    [Fact]
    public void MatMul_of_matrices_is_Dot_to_the_bit()
    {
        var a = Tensor.RandomNormal(3, 130, 300);
        var b = Tensor.RandomNormal(4, 300, 70);

        Assert.True(GemmTests.SameBits(Tensor.Dot(a, b).ToArray(), Tensor.MatMul(a, b).ToArray()));
    }

    [Theory]
    [InlineData(new[] { 2, 3, 7 }, new[] { 7, 5 })]
    [InlineData(new[] { 3, 1, 4, 6 }, new[] { 2, 6, 5 })]
    [InlineData(new[] { 7, 33 }, new[] { 4, 33, 3 })]
    public void The_transposed_products_agree_with_matmul_over_the_built_transpose(int[] left, int[] right)
    {
        var a = Tensor.RandomNormal(5, left);
        var b = Tensor.RandomNormal(6, right);
        var aT = SwapLastAxes(a);

        var transposedLeft = Tensor.MatMulTransposeA(aT, b);
        var transposedRight = Tensor.MatMulTransposeB(a, SwapLastAxes(b));

        var expected = Naive(a, b);
        TensorAssert.Equal(expected.Shape.ToArray(), expected.ToArray(), transposedLeft, 1e-12);
        TensorAssert.Equal(expected.Shape.ToArray(), expected.ToArray(), transposedRight, 1e-12);
    }

    // The gradients against central differences: each is the derivative of Σ MatMul(a, b) · g.
    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_gradients_agree_with_central_differences(int[] left, int[] right)
    {
        var a = Tensor.RandomNormal(7, left);
        var b = Tensor.RandomNormal(8, right);
        var g = Tensor.RandomNormal(9, TensorShape.OfMatMul(a.Shape, b.Shape).ToArray());

        var da = Tensor.MatMulGradientA(g, b, a.Shape);
        var db = Tensor.MatMulGradientB(a, g, b.Shape);

        Assert.Equal(a.Shape, da.Shape);
        Assert.Equal(b.Shape, db.Shape);
        AssertCloseToCentralDifferences(da, x => Tensor.MatMul(x, b), a, g, "da");
        AssertCloseToCentralDifferences(db, x => Tensor.MatMul(a, x), b, g, "db");
    }

    /// <summary>Above this many elements an operand's gradient is checked along random directions, not element by element.</summary>
    private const int ElementwiseLimit = 2000;

    /// <summary>
    /// The gradient of Σ f(x)·g against central differences: element by element, or, for an operand of more than
    /// <see cref="ElementwiseLimit"/> elements (8,481 central differences of a 7×33×257 product take a second), along
    /// four random directions v, ⟨gradient, v⟩ against (F(x + h·v) − F(x − h·v)) / 2h, which a gradient wrong in any
    /// element fails all the same.
    /// </summary>
    private static void AssertCloseToCentralDifferences(Tensor analytic, Func<Tensor, Tensor> f, Tensor x, Tensor g, string name)
    {
        if (x.Length <= ElementwiseLimit)
        {
            AssertCloseToCentralDifferences(analytic, GradCheck.Numerical(f, x, g), name);
            return;
        }

        Assert.Equal(x.Shape, analytic.Shape);
        const double h = 1e-5;
        for (int direction = 0; direction < 4; direction++)
        {
            var v = Tensor.RandomNormal(100 + direction, x.Shape.ToArray());
            double along = Tensor.Sum(analytic * v);
            double numerical = (Tensor.Sum(f(x + h * v) * g) - Tensor.Sum(f(x - h * v) * g)) / (2 * h);
            Assert.True(Math.Abs(numerical - along) / Math.Max(1, Math.Abs(numerical)) < 1e-8,
                $"{name} along direction {direction} is {along:E6}, central differences {numerical:E6}.");
        }
    }

    // Larger shapes, where central differences would take long: against the naive products summed back with SumTo.
    [Theory]
    [InlineData(new[] { 4, 33, 70 }, new[] { 70, 9 })] // b without batch: db is one product, the batch stacked in depth
    [InlineData(new[] { 70, 9 }, new[] { 5, 9, 33 })] // a without batch: da sums five products in place
    [InlineData(new[] { 3, 1, 40, 50 }, new[] { 3, 4, 50, 30 })] // each of a's matrices sums four products
    [InlineData(new[] { 257 }, new[] { 2, 257, 7 })]
    public void The_gradients_agree_with_naive_products_summed_over_the_broadcast_axes(int[] left, int[] right)
    {
        var a = Tensor.RandomNormal(10, left);
        var b = Tensor.RandomNormal(11, right);
        var g = Tensor.RandomNormal(12, TensorShape.OfMatMul(a.Shape, b.Shape).ToArray());
        var (a2, b2, g2) = Promoted(a, b, g);

        var expectedA = Tensor.Reshape(Tensor.SumTo(Naive(g2, SwapLastAxes(b2)), a2.Shape), a.Shape);
        var expectedB = Tensor.Reshape(Tensor.SumTo(Naive(SwapLastAxes(a2), g2), b2.Shape), b.Shape);

        TensorAssert.Equal(left, expectedA.ToArray(), Tensor.MatMulGradientA(g, b, a.Shape), 1e-11);
        TensorAssert.Equal(right, expectedB.ToArray(), Tensor.MatMulGradientB(a, g, b.Shape), 1e-11);
    }

    // Batches run in parallel (one destination per thread), one by one with threads inside each product, or folded into
    // one product; every way computes each element in the same order.
    [Theory]
    [InlineData(new[] { 6, 30, 70 }, new[] { 6, 70, 40 })]
    [InlineData(new[] { 2, 130, 300 }, new[] { 300, 50 })]
    [InlineData(new[] { 3, 1, 40, 50 }, new[] { 3, 4, 50, 30 })]
    [InlineData(new[] { 40, 50 }, new[] { 5, 50, 300 })]
    [InlineData(new[] { 2, 330, 330 }, new[] { 2, 330, 330 })] // products large enough for threads of their own, one by one
    public void Any_number_of_threads_gives_the_same_bits(int[] left, int[] right)
    {
        var a = Tensor.RandomNormal(13, left);
        var b = Tensor.RandomNormal(14, right);
        var layout = MatMulLayout.Of("MatMul", a.Shape, false, b.Shape, false, promotesVectors: true);
        var g = Tensor.RandomNormal(15, layout.ResultShape.ToArray());

        double[] Run(int threads, int which)
        {
            switch (which)
            {
                case 0:
                    var c = new double[layout.ResultShape.ElementCount];
                    BatchedGemm.Multiply(false, false, layout.Rows, layout.Columns, layout.Depth, a.ToArray(), layout.LeftIndex, b.ToArray(), layout.RightIndex, c, layout.ResultIndex(), layout.Count, threads, Gemm.Widest);
                    return c;
                case 1:
                    var da = Enumerable.Repeat(double.NaN, a.Length).ToArray();
                    BatchedGemm.Multiply(false, true, layout.Rows, layout.Depth, layout.Columns, g.ToArray(), layout.ResultIndex(), b.ToArray(), layout.RightIndex, da, layout.LeftIndex, layout.LeftCount, threads, Gemm.Widest);
                    return da;
                default:
                    var db = Enumerable.Repeat(double.NaN, b.Length).ToArray();
                    BatchedGemm.Multiply(true, false, layout.Depth, layout.Columns, layout.Rows, a.ToArray(), layout.LeftIndex, g.ToArray(), layout.ResultIndex(), db, layout.RightIndex, layout.RightCount, threads, Gemm.Widest);
                    return db;
            }
        }

        for (int which = 0; which < 3; which++)
        {
            var one = Run(1, which);
            Assert.DoesNotContain(one, double.IsNaN);
            foreach (int threads in new[] { 2, 3, 8 })
            {
                Assert.True(GemmTests.SameBits(one, Run(threads, which)), $"{threads} threads changed some bits of product {which}.");
            }
        }

        Assert.True(GemmTests.SameBits(Run(1, 0), Tensor.MatMul(a, b).ToArray()), "MatMul differs from its one-thread batch.");
    }

    [Theory]
    [InlineData(nameof(Tensor.MatMul), new[] { 2, 3 }, new[] { 4, 5 }, "summed over differ (3 and 4)")]
    [InlineData(nameof(Tensor.MatMul), new[] { 3 }, new[] { 4 }, "summed over differ")]
    [InlineData(nameof(Tensor.MatMul), new int[0], new[] { 4 }, "at least 1 axis")]
    [InlineData(nameof(Tensor.MatMul), new[] { 2, 3, 4 }, new[] { 3, 4, 5 }, "batch axes [2] and [3] do not broadcast")]
    [InlineData(nameof(Tensor.MatMulTransposeA), new[] { 3 }, new[] { 3, 2 }, "at least 2 axes")]
    [InlineData(nameof(Tensor.MatMulTransposeA), new[] { 2, 3 }, new[] { 3, 2 }, "summed over differ (2 and 3)")]
    [InlineData(nameof(Tensor.MatMulTransposeB), new[] { 2, 3 }, new[] { 3, 2 }, "summed over differ (3 and 2)")]
    public void A_product_of_mismatched_shapes_names_itself_and_both_shapes(string operation, int[] left, int[] right, string reason)
    {
        Func<Tensor, Tensor, Tensor> product = operation switch
        {
            nameof(Tensor.MatMulTransposeA) => Tensor.MatMulTransposeA,
            nameof(Tensor.MatMulTransposeB) => Tensor.MatMulTransposeB,
            _ => Tensor.MatMul,
        };

        var error = Assert.Throws<ArgumentException>(() => product(Tensor.Zeros(left), Tensor.Zeros(right)));

        TensorAssert.MessageNames(error, operation, new TensorShape(left).ToString(), new TensorShape(right).ToString(), reason);
    }

    [Fact]
    public void A_gradient_of_the_wrong_shape_is_refused_naming_the_shapes()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.MatMulGradientA(Tensor.Zeros(2, 4), Tensor.Zeros(3, 5), new TensorShape(2, 3)));

        TensorAssert.MessageNames(error, nameof(Tensor.MatMulGradientA), "[2, 4]", "[2, 3]", "[3, 5]", "[2, 5]");
    }

    /// <summary>
    /// The largest difference relative to the largest element (at least 1), under 1e-8: central differences of a sum of
    /// many products carry rounding error of about 1e-10 of the sum, which an elementwise relative error would blow up
    /// at elements near 0.
    /// </summary>
    internal static void AssertCloseToCentralDifferences(Tensor analytic, Tensor numerical, string name)
    {
        Assert.Equal(numerical.Shape, analytic.Shape);
        double largest = 1, difference = 0;
        for (int i = 0; i < analytic.Length; i++)
        {
            largest = Math.Max(largest, Math.Abs(numerical.AsSpan()[i]));
            difference = Math.Max(difference, Math.Abs(numerical.AsSpan()[i] - analytic.AsSpan()[i]));
        }

        Assert.True(difference / largest < 1e-8, $"{name} differs from central differences by {difference:E2} (largest element {largest:E2}).");
    }

    /// <summary>np.matmul written out: every output coordinate, its batch coordinates mapped into each operand.</summary>
    internal static Tensor Naive(Tensor a, Tensor b)
    {
        var a2 = a.Rank == 1 ? Tensor.Reshape(a, 1, a.Length) : a;
        var b2 = b.Rank == 1 ? Tensor.Reshape(b, b.Length, 1) : b;
        int m = a2.Shape[a2.Rank - 2], k = a2.Shape[a2.Rank - 1], n = b2.Shape[b2.Rank - 1];
        Assert.Equal(k, b2.Shape[b2.Rank - 2]);
        int rank = Math.Max(a2.Rank, b2.Rank) - 2;
        var batch = new int[rank];
        for (int axis = 0; axis < rank; axis++)
        {
            int left = Aligned(a2, axis, rank), right = Aligned(b2, axis, rank);
            batch[axis] = left == 1 ? right : left;
        }

        var result = new double[batch.Aggregate(1, (x, y) => x * y) * m * n];
        int flat = 0;
        foreach (var coordinates in Coordinates(batch))
        {
            // Each operand's element (batch coordinates, row, column), read through the tensor's own indexer.
            int[] aIndex = [.. Index(a2, coordinates), 0, 0], bIndex = [.. Index(b2, coordinates), 0, 0];
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double sum = 0;
                    for (int p = 0; p < k; p++)
                    {
                        (aIndex[^2], aIndex[^1], bIndex[^2], bIndex[^1]) = (i, p, p, j);
                        sum += a2[aIndex] * b2[bIndex];
                    }

                    result[flat++] = sum;
                }
            }
        }

        int[] shape = [.. batch, .. a.Rank == 1 ? Array.Empty<int>() : [m], .. b.Rank == 1 ? Array.Empty<int>() : [n]];
        return Tensor.FromArray(result, shape);
    }

    internal static Tensor SwapLastAxes(Tensor x)
    {
        int rows = x.Shape[x.Rank - 2], columns = x.Shape[x.Rank - 1], matrices = x.Length / Math.Max(1, rows * columns);
        var source = x.ToArray();
        var result = new double[source.Length];
        for (int q = 0; q < matrices; q++)
        {
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < columns; j++)
                {
                    result[(q * rows * columns) + (j * rows) + i] = source[(q * rows * columns) + (i * columns) + j];
                }
            }
        }

        int[] shape = [.. x.Shape.ToArray()[..^2], columns, rows];
        return Tensor.FromArray(result, shape);
    }

    // The operands and the product's gradient with their 1-D axes put back, as matmul promotes them.
    private static (Tensor A, Tensor B, Tensor G) Promoted(Tensor a, Tensor b, Tensor g)
    {
        var a2 = a.Rank == 1 ? Tensor.Reshape(a, 1, a.Length) : a;
        var b2 = b.Rank == 1 ? Tensor.Reshape(b, b.Length, 1) : b;
        return (a2, b2, Tensor.Reshape(g, TensorShape.OfMatMul(a2.Shape, b2.Shape)));
    }

    private static int Aligned(Tensor x, int axis, int batchRank)
    {
        int own = axis - (batchRank - (x.Rank - 2));
        return own < 0 ? 1 : x.Shape[own];
    }

    private static int[] Index(Tensor x, int[] batchCoordinates)
    {
        int own = x.Rank - 2;
        return [.. batchCoordinates[(batchCoordinates.Length - own)..].Select((c, axis) => x.Shape[axis] == 1 ? 0 : c)];
    }

    private static System.Collections.Generic.IEnumerable<int[]> Coordinates(int[] shape)
    {
        if (shape.Any(d => d == 0))
        {
            yield break;
        }

        var current = new int[shape.Length];
        while (true)
        {
            yield return (int[])current.Clone();
            int axis = shape.Length - 1;
            for (; axis >= 0; axis--)
            {
                if (++current[axis] < shape[axis])
                {
                    break;
                }

                current[axis] = 0;
            }

            if (axis < 0)
            {
                yield break;
            }
        }
    }
}
