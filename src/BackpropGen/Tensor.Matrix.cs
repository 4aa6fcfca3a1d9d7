using System;
using System.Runtime.CompilerServices;
using BackpropGen.Kernels;

namespace BackpropGen;

public sealed partial class Tensor
{
    // Square tiles of this many elements a side keep the rows read and the rows written of a transpose in cache.
    private const int TransposeTile = 32;

    /// <summary>The matrix product of <c>[M, K]</c> and <c>[K, N]</c>, of shape <c>[M, N]</c> (NumPy's <c>a.dot(b)</c> for 2-D arrays).</summary>
    /// <exception cref="ArgumentException">An operand is not 2-D, or the inner dimensions differ; the message names both shapes.</exception>
    public static Tensor Dot(Tensor a, Tensor b) => MatrixProduct(nameof(Dot), a, transposeA: false, b, transposeB: false);

    /// <summary>
    /// The matrix product of <c>[M, K]</c> and the transpose of <c>[N, K]</c>, of shape <c>[M, N]</c>: the same as
    /// <c>Dot(a, Transpose(b))</c> (a backward's <c>Dot(g, Transpose(w))</c>) without building the transpose.
    /// </summary>
    /// <exception cref="ArgumentException">An operand is not 2-D, or the dimensions summed over differ; the message names both shapes.</exception>
    public static Tensor DotTransposeB(Tensor a, Tensor b) => MatrixProduct(nameof(DotTransposeB), a, transposeA: false, b, transposeB: true);

    /// <summary>
    /// The matrix product of the transpose of <c>[K, M]</c> and <c>[K, N]</c>, of shape <c>[M, N]</c>: the same as
    /// <c>Dot(Transpose(a), b)</c> (a backward's <c>Dot(Transpose(x), g)</c>) without building the transpose.
    /// </summary>
    /// <exception cref="ArgumentException">An operand is not 2-D, or the dimensions summed over differ; the message names both shapes.</exception>
    public static Tensor DotTransposeA(Tensor a, Tensor b) => MatrixProduct(nameof(DotTransposeA), a, transposeA: true, b, transposeB: false);

    /// <summary>op(a) · op(b), op reading an operand as stored or transposed: the packed kernel reads either layout.</summary>
    private static Tensor MatrixProduct(string operation, Tensor a, bool transposeA, Tensor b, bool transposeB)
    {
        var (m, k, n) = ProductDimensions(operation, a, transposeA, b, transposeB);

        // Every element of the result is written by the kernel, so its buffer need not be zeroed first.
        var result = NewBuffer(m * n);
        Gemm.Multiply(transposeA, transposeB, m, n, k, a.Elements, b.Elements, result);
        return new Tensor(result, TensorShape.Of([m, n]));
    }

    /// <summary>
    /// op(a) · op(b)'s dimensions, <c>[M, K] · [K, N]</c>, for the product <paramref name="operation"/> names.
    /// </summary>
    /// <exception cref="ArgumentException">The operands are not matrices whose inner dimensions agree; the message names the shapes.</exception>
    internal static (int M, int K, int N) ProductDimensions(string operation, Tensor a, bool transposeA, Tensor b, bool transposeB)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank != 2 || b.Rank != 2 || a.Shape[transposeA ? 0 : 1] != b.Shape[transposeB ? 1 : 0])
        {
            throw new ArgumentException(
                $"Cannot take {operation} of shapes {a.Shape} and {b.Shape}: expected matrices {(transposeA ? "[K, M]" : "[M, K]")} and {(transposeB ? "[N, K]" : "[K, N]")}.");
        }

        return (a.Shape[transposeA ? 1 : 0], a.Shape[transposeA ? 0 : 1], b.Shape[transposeB ? 0 : 1]);
    }

    /// <summary>The transpose of a matrix: shape <c>[M, N]</c> becomes <c>[N, M]</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not 2-D; the message names its shape.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

        return new Tensor(result, TensorShape.Of([columns, rows]));
    }
}
