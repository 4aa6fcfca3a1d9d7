using System;
using System.Runtime.CompilerServices;

namespace BackpropGen;

/// <summary>
/// How NumPy's <c>matmul</c> lines up two operands: the matrix dimensions, the broadcast batch axes, and for each
/// matrix of the result, which matrix of each operand it multiplies (an operand broadcast along an axis is read by every
/// matrix along it, never copied).
/// </summary>
/// <param name="Rows">M: the rows of each result matrix (1 for a 1-D left operand).</param>
/// <param name="Columns">N: the columns of each result matrix (1 for a 1-D right operand).</param>
/// <param name="Depth">K: the dimension summed over.</param>
/// <param name="LeftIndex">For each result matrix in row-major batch order, the left operand's matrix it reads.</param>
/// <param name="RightIndex">The same for the right operand.</param>
/// <param name="LeftCount">The left operand's number of matrices (the product of its batch axes).</param>
/// <param name="RightCount">The right operand's number of matrices.</param>
/// <param name="ResultShape">The batch axes, then M unless the left operand is 1-D, then N unless the right one is.</param>
internal sealed record MatMulLayout(int Rows, int Columns, int Depth, int[] LeftIndex, int[] RightIndex, int LeftCount, int RightCount, TensorShape ResultShape)
{
    /// <summary>The number of result matrices: the product of the broadcast batch axes.</summary>
    public int Count => LeftIndex.Length;

    /// <summary>The multiply-adds of the whole batch, which decide how many threads it is worth.</summary>
    public long MultiplyAdds => (long)Count * Rows * Columns * Depth;

    /// <summary>
    /// Lines up <c>op(a) · op(b)</c>, op transposing the last two axes of an operand when asked. With
    /// <paramref name="promotesVectors"/> (MatMul itself) a 1-D operand is a matrix of one row (left) or one column
    /// (right) whose added axis the result leaves out; otherwise both operands must be at least 2-D.
    /// </summary>
    /// <exception cref="ArgumentException">An operand has too few axes, the summed dimensions differ, or the batch axes do not broadcast; the message names <paramref name="operation"/> and both shapes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static MatMulLayout Of(string operation, TensorShape a, bool transposeA, TensorShape b, bool transposeB, bool promotesVectors)
    {
        int lowest = promotesVectors ? 1 : 2;
        if (a.Rank < lowest || b.Rank < lowest)
        {
            throw Mismatch(operation, a, b, promotesVectors ? "both operands need at least 1 axis" : "both operands need at least 2 axes, [..., rows, columns]");
        }

        bool leftVector = a.Rank == 1, rightVector = b.Rank == 1;
        ReadOnlySpan<int> left = a.Dims, right = b.Dims;
        int rows = leftVector ? 1 : left[transposeA ? ^1 : ^2];
        int leftDepth = leftVector ? left[0] : left[transposeA ? ^2 : ^1];
        int rightDepth = rightVector ? right[0] : right[transposeB ? ^1 : ^2];
        int columns = rightVector ? 1 : right[transposeB ? ^2 : ^1];
        if (leftDepth != rightDepth)
        {
            throw Mismatch(operation, a, b, $"the dimensions summed over differ ({leftDepth} and {rightDepth})");
        }

        var leftBatch = new TensorShape(leftVector ? [] : left[..^2].ToArray());
        var rightBatch = new TensorShape(rightVector ? [] : right[..^2].ToArray());
        int rank = Math.Max(leftBatch.Rank, rightBatch.Rank);
        var batch = new int[rank];
        for (int axis = 0; axis < rank; axis++)
        {
            int l = Broadcasting.DimensionAligned(leftBatch, axis, rank), r = Broadcasting.DimensionAligned(rightBatch, axis, rank);
            if (l != r && l != 1 && r != 1)
            {
                throw Mismatch(operation, a, b, $"the batch axes {leftBatch} and {rightBatch} do not broadcast");
            }

            batch[axis] = l == 1 ? r : l;
        }

        var resultDims = new System.Collections.Generic.List<int>(batch);
        if (!leftVector)
        {
            resultDims.Add(rows);
        }

        if (!rightVector)
        {
            resultDims.Add(columns);
        }
        var batchShape = new TensorShape(batch);
        return new MatMulLayout(
            rows, columns, leftDepth, MatrixIndices(leftBatch, batchShape), MatrixIndices(rightBatch, batchShape), leftBatch.ElementCount, rightBatch.ElementCount,
            new TensorShape([.. resultDims]));
    }

    /// <summary>Every result matrix's index in a row-major array of the result's matrices: 0, 1, 2, ….</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int[] ResultIndex()
    {
        var index = new int[Count];
        for (int i = 0; i < index.Length; i++)
        {
            index[i] = i;
        }

        return index;
    }

    private static ArgumentException Mismatch(string operation, TensorShape a, TensorShape b, string reason) =>
        new($"Cannot take {operation} of shapes {a} and {b}: {reason}.");

    /// <summary>
    /// For each index of <paramref name="batch"/> in row-major order, the index of the operand's matrix under NumPy
    /// broadcasting: the operand's axes aligned on the right, an axis of size 1 (or a missing one) read at 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int[] MatrixIndices(TensorShape operandBatch, TensorShape batch)
    {
        var strides = Broadcasting.BroadcastStrides(operandBatch, batch);
        var indices = new int[batch.ElementCount];
        var coordinates = new int[batch.Rank];
        int current = 0;
        for (int i = 0; i < indices.Length; i++)
        {
            indices[i] = current;

            // The odometer: step the last axis, carry into the ones before it.
            for (int axis = batch.Rank - 1; axis >= 0; axis--)
            {
                current += strides[axis];
                if (++coordinates[axis] < batch[axis])
                {
                    break;
                }

                current -= strides[axis] * coordinates[axis];
                coordinates[axis] = 0;
            }
        }

        return indices;
    }
}
