using System;
using System.Numerics.Tensors;

namespace BackpropGen;

public sealed partial class Tensor
{
    // Dot's panels of b: at most this many columns wide, and as many rows as fit in this many bytes (a typical L1).
    private const int DotColumnBlock = 512;
    private const int DotPanelBytes = 32 * 1024;

    // Square tiles of this many elements a side keep the rows read and the rows written of a transpose in cache.
    private const int TransposeTile = 32;

    /// <summary>The matrix product of <c>[M, K]</c> and <c>[K, N]</c>, of shape <c>[M, N]</c> (NumPy's <c>a.dot(b)</c> for 2-D arrays).</summary>
    /// <exception cref="ArgumentException">An operand is not 2-D, or the inner dimensions differ; the message names both shapes.</exception>
    public static Tensor Dot(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank != 2 || b.Rank != 2 || a.Shape[1] != b.Shape[0])
        {
            throw new ArgumentException(
                $"Cannot take Dot of shapes {a.Shape} and {b.Shape}: expected matrices [M, K] and [K, N].");
        }

        int m = a.Shape[0], k = a.Shape[1], n = b.Shape[1];
        ReadOnlySpan<double> left = a.AsSpan(), right = b.AsSpan();
        var result = new double[m * n];

        // i-k-j order: row i of the result accumulates a[i, p] times row p of b, so every inner loop is one contiguous,
        // vectorized MultiplyAdd over rows instead of a strided walk down b's columns. Blocking b into panels of a few
        // rows by at most DotColumnBlock columns keeps the panel in L1 while every row of a passes over it; without
        // it, all of b streams from memory once per row of a.
        for (int column = 0; column < n; column += DotColumnBlock)
        {
            int width = Math.Min(DotColumnBlock, n - column);
            int panelRows = Math.Max(1, DotPanelBytes / (width * sizeof(double)));
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

        return new Tensor(result, new TensorShape(m, n));
    }

    /// <summary>The transpose of a matrix: shape <c>[M, N]</c> becomes <c>[N, M]</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not 2-D; the message names its shape.</exception>
    public static Tensor Transpose(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2)
        {
            throw new ArgumentException($"Cannot transpose shape {x.Shape}: Transpose takes a 2-D tensor.", nameof(x));
        }

        int rows = x.Shape[0], columns = x.Shape[1];
        ReadOnlySpan<double> source = x.AsSpan();
        var result = NewBuffer(source.Length);
        for (int rowTile = 0; rowTile < rows; rowTile += TransposeTile)
        {
            int rowEnd = Math.Min(rowTile + TransposeTile, rows);
            for (int columnTile = 0; columnTile < columns; columnTile += TransposeTile)
            {
                int columnEnd = Math.Min(columnTile + TransposeTile, columns);

                // Contiguous writes and strided reads: a strided store costs more than a strided load.
                for (int j = columnTile; j < columnEnd; j++)
                {
                    var resultRow = result.AsSpan(j * rows, rows);
                    for (int i = rowTile; i < rowEnd; i++)
                    {
                        resultRow[i] = source[(i * columns) + j];
                    }
                }
            }
        }

        return new Tensor(result, new TensorShape(columns, rows));
    }
}
