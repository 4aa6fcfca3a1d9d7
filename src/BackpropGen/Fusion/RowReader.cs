using System;
using System.Runtime.InteropServices;

namespace BackpropGen;

/// <summary>
/// The rows of one operand of a fused pass, as broadcast to the full shape of its <see cref="RowLayout"/>; made by
/// <see cref="RowLayout.TryRead"/>.
/// </summary>
public sealed class RowReader
{
    private readonly Tensor _source;
    private readonly RowPattern _pattern;
    private readonly int _rows;
    private readonly int _width;

    // A row of one repeated value, for a scalar or a column; the column's holds element _filledRow.
    private readonly double[] _repeated;
    private int _filledRow = -1;

    internal RowReader(Tensor source, RowPattern pattern, int rows, int width)
    {
        _source = source;
        _pattern = pattern;
        _rows = rows;
        _width = width;
        _repeated = pattern is RowPattern.Scalar or RowPattern.Column ? new double[width] : [];
        if (pattern == RowPattern.Scalar)
        {
            _repeated.AsSpan().Fill(source.AsSpan()[0]);
        }
    }

    /// <summary>Row <paramref name="i"/> of the operand broadcast to the full shape: <c>Width</c> elements.</summary>
    /// <param name="i">The row, in [0, <c>Rows</c>).</param>
    /// <returns>A view valid until the next call (a column's row is refilled when <paramref name="i"/> changes).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is not a row of the layout.</exception>
    public ReadOnlySpan<double> Row(int i)
    {
        if ((uint)i >= (uint)_rows)
        {
            throw new ArgumentOutOfRangeException(nameof(i), i, $"Row {i} does not exist in a layout of {_rows} rows.");
        }

        switch (_pattern)
        {
            case RowPattern.Full:
                return _source.AsSpan().Slice(i * _width, _width);
            case RowPattern.Row:
                return _source.AsSpan();
            case RowPattern.Column when i != _filledRow:
                _repeated.AsSpan().Fill(_source.AsSpan()[i]);
                _filledRow = i;
                return _repeated;
            default:
                return _repeated;
        }
    }

    /// <summary>
    /// The first element of row <paramref name="i"/>, for the whole lanes of a fused pass
    /// (<see cref="Lane.LoadUnsafe"/>); the partial lanes at the row's end read <see cref="Row"/> instead.
    /// </summary>
    /// <param name="i">The row, in [0, <c>Rows</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is not a row of the layout.</exception>
    public ref readonly double Start(int i) => ref MemoryMarshal.GetReference(Row(i));
}
