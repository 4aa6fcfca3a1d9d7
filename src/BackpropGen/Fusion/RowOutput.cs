using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BackpropGen;

/// <summary>
/// A full-shaped result of a fused pass, written row by row; made by <see cref="RowLayout.Output"/>. Its elements start
/// uninitialised: the pass writes every element of every row before it takes <see cref="Result"/>.
/// </summary>
public sealed class RowOutput
{
    private readonly TensorShape _shape;
    private readonly int _rows;
    private readonly int _width;
    private readonly double[] _data;
    private bool _finished;

    internal RowOutput(TensorShape shape, int rows, int width)
    {
        _shape = shape;
        _rows = rows;
        _width = width;
        _data = Tensor.NewBuffer(shape.ElementCount);
    }

    /// <summary>Row <paramref name="i"/> of the result, to write: <c>Width</c> elements.</summary>
    /// <param name="i">The row, in [0, <c>Rows</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is not a row of the layout.</exception>
    /// <exception cref="InvalidOperationException"><see cref="Result"/> has been called.</exception>
    public Span<double> Row(int i) => MemoryMarshal.CreateSpan(ref Start(i), _width);

    /// <summary>
    /// The first element of <see cref="Row"/>(<paramref name="i"/>), for the whole lanes of a fused pass
    /// (<see cref="Lane.StoreUnsafe(ref double, int, Lane)"/>).
    /// </summary>
    /// <param name="i">The row, in [0, <c>Rows</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is not a row of the layout.</exception>
    /// <exception cref="InvalidOperationException"><see cref="Result"/> has been called.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref double Start(int i)
    {
        // Inlined and without a call on the way that returns (see RowReader.Start).
        if (!_finished && (uint)i < (uint)_rows)
        {
            return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_data), (nint)i * _width);
        }

        ThrowNotARow(i);
        return ref Unsafe.NullRef<double>();
    }

    /// <summary>Refuses a row the layout does not have, or any once the result is taken; it only throws.</summary>
    private void ThrowNotARow(int i) => throw (_finished
        ? new InvalidOperationException("The result has been taken already; its rows can no longer be written.")
        : new ArgumentOutOfRangeException(nameof(i), i, $"Row {i} does not exist in a layout of {_rows} rows."));

    /// <summary>The result, a tensor of the layout's full shape. Call it once, after the last row is written.</summary>
    /// <exception cref="InvalidOperationException">It has been called before.</exception>
    public Tensor Result()
    {
        if (_finished)
        {
            throw new InvalidOperationException("The result has been taken already; a RowOutput gives it once.");
        }

        // The tensor takes the buffer over, and tensors are immutable: no row may be written from here on.
        _finished = true;
        return new Tensor(_data, _shape);
    }
}
