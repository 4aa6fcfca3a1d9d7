using System;
using BackpropGen.Kernels;

namespace BackpropGen;

// NumPy's matmul and the products its gradients need, every matrix of a batch on the packed kernel.
public sealed partial class Tensor
{
    /// <summary>
    /// The matrix product of NumPy's <c>np.matmul(a, b)</c> (<c>a @ b</c>): the last two axes of each operand are its
    /// matrices, the axes before them are batch axes, broadcast against each other. A 1-D left operand <c>[K]</c> is a
    /// matrix <c>[1, K]</c> and a 1-D right operand <c>[K]</c> a matrix <c>[K, 1]</c>, the added axis left out of the
    /// result: <c>[B, M, K] @ [K, N]</c> is <c>[B, M, N]</c>, <c>[K] @ [B, K, N]</c> is <c>[B, N]</c>, <c>[K] @ [K]</c> a
    /// scalar of rank 0.
    /// </summary>
    /// <remarks>
    /// A broadcast operand is read in place by every batch matrix, not copied; when the right operand has no batch
    /// (the weight of a layer applied to a batch), all of the left operand's matrices are one product with it, so that
    /// its packed panels are packed once.
    /// </remarks>
    /// <exception cref="ArgumentException">An operand is a scalar, the summed dimensions differ or the batch axes do not broadcast; the message names both shapes.</exception>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var layout = MatMulLayout.Of(nameof(MatMul), a.Shape, transposeA: false, b.Shape, transposeB: false, promotesVectors: true);
        return BatchedProduct(layout, a, transposeA: false, b, transposeB: false);
    }

    /// <summary>
    /// <c>np.matmul(np.swapaxes(a, -1, -2), b)</c>: each matrix of <paramref name="a"/> (<c>[..., K, M]</c>) read
    /// transposed, without building the transpose, times the matching matrix of <paramref name="b"/>
    /// (<c>[..., K, N]</c>), batch axes broadcast; <c>[..., M, N]</c>. Both operands must have at least 2 axes.
    /// </summary>
    /// <exception cref="ArgumentException">An operand has fewer than 2 axes, the summed dimensions differ or the batch axes do not broadcast; the message names both shapes.</exception>
    public static Tensor MatMulTransposeA(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var layout = MatMulLayout.Of(nameof(MatMulTransposeA), a.Shape, transposeA: true, b.Shape, transposeB: false, promotesVectors: false);
        return BatchedProduct(layout, a, transposeA: true, b, transposeB: false);
    }

    /// <summary>
    /// <c>np.matmul(a, np.swapaxes(b, -1, -2))</c>: each matrix of <paramref name="a"/> (<c>[..., M, K]</c>) times the
    /// matching matrix of <paramref name="b"/> (<c>[..., N, K]</c>) read transposed, without building the transpose, batch
    /// axes broadcast; <c>[..., M, N]</c>. Both operands must have at least 2 axes.
    /// </summary>
    /// <exception cref="ArgumentException">An operand has fewer than 2 axes, the summed dimensions differ or the batch axes do not broadcast; the message names both shapes.</exception>
    public static Tensor MatMulTransposeB(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var layout = MatMulLayout.Of(nameof(MatMulTransposeB), a.Shape, transposeA: false, b.Shape, transposeB: true, promotesVectors: false);
        return BatchedProduct(layout, a, transposeA: false, b, transposeB: true);
    }

    /// <summary>
    /// The gradient of <c>MatMul(a, b)</c> with respect to <c>a</c>, given the gradient <paramref name="g"/> of the
    /// product: <c>g @ bᵀ</c> matrix by matrix, summed over the batch axes along which <c>a</c> was broadcast (a missing
    /// axis or one of size 1), and shaped as <paramref name="aShape"/> (a 1-D <c>a</c> gets a 1-D gradient). The sum runs
    /// inside the products, each one added to its destination in batch order; no batch of partial gradients is made.
    /// </summary>
    /// <param name="g">The gradient of the product, of the shape <c>MatMul(a, b)</c> has.</param>
    /// <param name="b">The right operand of the product.</param>
    /// <param name="aShape">The shape of the left operand.</param>
    /// <exception cref="ArgumentException"><paramref name="aShape"/> and <paramref name="b"/> have no product, or <paramref name="g"/> is not of its shape; the message names the shapes.</exception>
    public static Tensor MatMulGradientA(Tensor g, Tensor b, TensorShape aShape)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(b);
        var layout = MatMulLayout.Of(nameof(MatMul), aShape, transposeA: false, b.Shape, transposeB: false, promotesVectors: true);
        CheckProductGradient(nameof(MatMulGradientA), g, layout, aShape, b.Shape);

        // Product i: g's matrix i [M, N] times the transpose of b's matrix [K, N], into a's matrix [M, K].
        var result = NewBuffer(aShape.ElementCount);
        BatchedGemm.Multiply(
            transposeA: false, transposeB: true, layout.Rows, layout.Depth, layout.Columns, g.Elements, layout.ResultIndex(), b.Elements, layout.RightIndex,
            result, layout.LeftIndex, layout.LeftCount, ThreadsFor(layout), Gemm.Widest);
        return new Tensor(result, aShape);
    }

    /// <summary>
    /// The gradient of <c>MatMul(a, b)</c> with respect to <c>b</c>, given the gradient <paramref name="g"/> of the
    /// product: <c>aᵀ @ g</c> matrix by matrix, summed over the batch axes along which <c>b</c> was broadcast, and shaped
    /// as <paramref name="bShape"/>. A <c>b</c> without batch axes (a weight applied to a batch) gets its gradient as one
    /// product over the whole batch, the batch stacked along the summed dimension.
    /// </summary>
    /// <param name="a">The left operand of the product.</param>
    /// <param name="g">The gradient of the product, of the shape <c>MatMul(a, b)</c> has.</param>
    /// <param name="bShape">The shape of the right operand.</param>
    /// <exception cref="ArgumentException"><paramref name="a"/> and <paramref name="bShape"/> have no product, or <paramref name="g"/> is not of its shape; the message names the shapes.</exception>
    public static Tensor MatMulGradientB(Tensor a, Tensor g, TensorShape bShape)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(g);
        var layout = MatMulLayout.Of(nameof(MatMul), a.Shape, transposeA: false, bShape, transposeB: false, promotesVectors: true);
        CheckProductGradient(nameof(MatMulGradientB), g, layout, a.Shape, bShape);

        // Product i: the transpose of a's matrix [M, K] times g's matrix i [M, N], into b's matrix [K, N].
        var result = NewBuffer(bShape.ElementCount);
        BatchedGemm.Multiply(
            transposeA: true, transposeB: false, layout.Depth, layout.Columns, layout.Rows, a.Elements, layout.LeftIndex, g.Elements, layout.ResultIndex(),
            result, layout.RightIndex, layout.RightCount, ThreadsFor(layout), Gemm.Widest);
        return new Tensor(result, bShape);
    }

    private static Tensor BatchedProduct(MatMulLayout layout, Tensor a, bool transposeA, Tensor b, bool transposeB)
    {
        // Every element of the result is written by the kernel, so its buffer need not be zeroed first.
        var result = NewBuffer(layout.ResultShape.ElementCount);
        BatchedGemm.Multiply(
            transposeA, transposeB, layout.Rows, layout.Columns, layout.Depth, a.Elements, layout.LeftIndex, b.Elements, layout.RightIndex,
            result, layout.ResultIndex(), layout.Count, ThreadsFor(layout), Gemm.Widest);
        return new Tensor(result, layout.ResultShape);
    }

    private static int ThreadsFor(MatMulLayout layout) => Gemm.ThreadsForWork(layout.MultiplyAdds);

    private static void CheckProductGradient(string operation, Tensor g, MatMulLayout layout, TensorShape aShape, TensorShape bShape)
    {
        if (g.Shape != layout.ResultShape)
        {
            throw new ArgumentException(
                $"Cannot take {operation} of a gradient of shape {g.Shape}: MatMul of shapes {aShape} and {bShape} has shape {layout.ResultShape}.", nameof(g));
        }
    }
}
