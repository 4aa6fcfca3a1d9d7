using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BackpropGen;

/// <summary>
/// The rows of one operand of a fused pass, as broadcast to the full shape of its <see cref="RowLayout"/>; made by
/// <see cref="RowLayout.TryRead"/>. Rows are read within a block of rows (<see cref="RowLayout.ForEachBlock"/>): blocks
/// may run at once, each with its own row buffer.
/// </summary>
public sealed class RowReader
{
    private readonly Tensor _source;
    private readonly int _rows;
    private readonly int _width;

    // A row of one repeated value: for a scalar, one filled once; for a column, one per block, holding element
    // _filledRow[block] and refilled when the block moves to another row.
    private readonly double[][] _repeated;
    private readonly int[] _filledRow;

    // Full, row and scalar operands: where rows start and how far apart (0 when every row is the same), for the fast
    // path of Start. Null for a column, whose rows are filled on demand.
    private readonly double[]? _rowsAt;
    private readonly int _stride;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal RowReader(Tensor source, RowPattern pattern, int rows, int width, int blocks)
    {
        _source = source;
        _rows = rows;
        _width = width;
        var buffers = pattern switch
        {
            RowPattern.Scalar => 1,
            RowPattern.Column => blocks,
            _ => 0,
        };
        _repeated = new double[buffers][];
        for (int b = 0; b < buffers; b++)
        {
            _repeated[b] = new double[width];
        }

        _filledRow = new int[buffers];
        _filledRow.AsSpan().Fill(-1);
        if (pattern == RowPattern.Scalar)
        {
            _repeated[0].AsSpan().Fill(source.AsSpan()[0]);
        }

        (_rowsAt, _stride) = pattern switch
        {
            RowPattern.Full => (source.Elements, width),
            RowPattern.Row => (source.Elements, 0),
            RowPattern.Scalar => (_repeated[0], 0),
            _ => ((double[]?)null, 0),
        };
    }

    /// <summary>Row <paramref name="i"/> of the operand broadcast to the full shape: <c>Width</c> elements.</summary>
    /// <param name="i">The row, in [0, <c>Rows</c>).</param>
    /// <returns>A view valid until the next call (a column's row is refilled when <paramref name="i"/> changes).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is not a row of the layout.</exception>
    public ReadOnlySpan<double> Row(int i) => Row(i, 0);

    /// <summary>Row <paramref name="i"/> of the operand broadcast to the full shape, read in block <paramref name="block"/>.</summary>
    /// <param name="i">The row, in [0, <c>Rows</c>).</param>
    /// <param name="block">The block of rows it is read in, in [0, <c>Blocks</c>).</param>
    /// <returns>A view valid until the block's next call.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is not a row of the layout, or the block is not one of its blocks.</exception>
    public ReadOnlySpan<double> Row(int i, int block) => MemoryMarshal.CreateReadOnlySpan(in Start(i, block), _width);

    /// <summary>
    /// The first element of row <paramref name="i"/>, for the whole lanes of a fused pass
    /// (<see cref="Lane.LoadUnsafe"/>); the partial lanes at the row's end read <see cref="Row(int)"/> instead.
    /// </summary>
    /// <param name="i">The row, in [0, <c>Rows</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is not a row of the layout.</exception>
    public ref readonly double Start(int i) => ref Start(i, 0);

    /// <summary>The first element of row <paramref name="i"/>, read in block <paramref name="block"/>.</summary>
    /// <param name="i">The row, in [0, <c>Rows</c>).</param>
    /// <param name="block">The block of rows it is read in, in [0, <c>Blocks</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is not a row of the layout, or the block is not one of its blocks.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public ref readonly double Start(int i, int block)
    {
        // Inlined, with no call on the way that returns: a pass finds its row refs one after another, and a call between
        // them would have the JIT spill the refs found so far and reload them in the inner loop.
        if ((uint)i < (uint)_rows)
        {
            if (_rowsAt is { } rows)
            {
                return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(rows), (nint)i * _stride);
            }

            if ((uint)block < (uint)_repeated.Length)
            {
                // A column: the block's row holds element i, refilled when the block moves to another row.
                var row = _repeated[block];
                if (_filledRow[block] != i)
                {
                    var value = _source.Elements[i];
                    for (int k = 0; k < row.Length; k++)
                    {
                        row[k] = value;
                    }

                    _filledRow[block] = i;
                }

                return ref MemoryMarshal.GetArrayDataReference(row);
            }
        }

        ThrowNotARow(i, block);
        return ref Unsafe.NullRef<double>();
    }

    /// <summary>Refuses a row or block the layout does not have; it only throws, so the JIT keeps it off the inlined path.</summary>
    private void ThrowNotARow(int i, int block) => throw ((uint)i >= (uint)_rows
        ? new ArgumentOutOfRangeException(nameof(i), i, $"Row {i} does not exist in a layout of {_rows} rows.")
        : new ArgumentOutOfRangeException(nameof(block), block, $"Block {block} does not exist in a layout of {_repeated.Length} blocks."));
}
