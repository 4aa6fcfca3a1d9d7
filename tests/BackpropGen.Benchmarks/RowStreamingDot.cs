using System;
using System.Numerics.Tensors;

namespace BackpropGen.Benchmarks;

/// <summary>
/// The runtime's <c>Tensor.Dot</c> before the packed kernel (commit 18fd65d), kept here only as the baseline the
/// <c>gemm</c> mode times the new kernel against.
/// </summary>
public static class RowStreamingDot
{
    // Panels of b: at most this many columns wide, and as many rows as fit in this many bytes (a typical L1).
    private const int ColumnBlock = 512;
    private const int PanelBytes = 32 * 1024;

    public static double[] Multiply(ReadOnlySpan<double> left, ReadOnlySpan<double> right, int m, int k, int n)
    {
        var result = new double[m * n];

        // i-k-j order: row i of the result accumulates a[i, p] times row p of b, each inner loop one contiguous
        // vectorized MultiplyAdd, over panels of b small enough to stay in L1 while every row of a passes over them.
        for (int column = 0; column < n; column += ColumnBlock)
        {
            int width = Math.Min(ColumnBlock, n - column);
            int panelRows = Math.Max(1, PanelBytes / (width * sizeof(double)));
            for (int panel = 0; panel < k; panel += panelRows)
            {
                int panelEnd = Math.Min(panel + panelRows, k);
                for (int i = 0; i < m; i++)
                {
                    var resultRow = result.AsSpan((i * n) + column, width);
                    for (int p = panel; p < panelEnd; p++)
                    {
                        TensorPrimitives.MultiplyAdd(right.Slice((p * n) + column, width), left[(i * k) + p], resultRow, resultRow);
                    }
                }
            }
        }

        return result;
    }
}
