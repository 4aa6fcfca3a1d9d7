using System;
using System.Runtime.InteropServices;
using System.Numerics.Tensors;

namespace BackpropGen;

/// <summary>
/// Accumulates <c>Tensor.SumTo(g, target)</c> of a full-shaped gradient g from its rows, added in one by one by a fused
/// pass; made by <see cref="RowLayout.TrySink"/>. For each row i: add row i of g into <see cref="Row"/>(i), then call
/// <see cref="EndRow"/>(i); after the last row, <see cref="Result"/>.
/// </summary>
public sealed class RowSink
{
    private readonly TensorShape _target;
    private readonly RowPattern _pattern;
    private readonly int _rows;
    private readonly int _width;

    // Full: the result itself, row i at i * width. Row: the result, one accumulator shared by every row. Column: the
    // result, one element per row. Scalar: unused.
    private readonly double[] _result;

    // Column and Scalar: the row being accumulated, summed into the result at the end of each row (Column) or once at
    // the end (Scalar), so that the inner loop adds whole vectors whatever the target.
    private readonly double[] _scratch;

    private bool _finished;

    internal RowSink(TensorShape target, RowPattern pattern, int rows, int width)
    {
        _target = target;
        _pattern = pattern;
        _rows = rows;
        _width = width;
        _result = pattern == RowPattern.Scalar ? [] : new double[target.ElementCount];
        _scratch = pattern is RowPattern.Column or RowPattern.Scalar ? new double[width] : [];
    }

    /// <summary>Where to add row <paramref name="i"/> of the gradient: <c>Width</c> elements, zero before anything is added.</summary>
    /// <param name="i">The row, in [0, <c>Rows</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is not a row of the layout.</exception>
    /// <exception cref="InvalidOperationException"><see cref="Result"/> has been called.</exception>
    public Span<double> Row(int i)
    {
        CheckRow(i);
        return _pattern switch
        {
            RowPattern.Full => _result.AsSpan(i * _width, _width),
            RowPattern.Row => _result,
            _ => _scratch,
        };
    }

    /// <summary>
    /// The first element of <see cref="Row"/>(<paramref name="i"/>), for the whole lanes of a fused pass
    /// (<see cref="Lane.AddToUnsafe(ref double, int, Lane)"/>).
    /// </summary>
    /// <param name="i">The row, in [0, <c>Rows</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is not a row of the layout.</exception>
    /// <exception cref="InvalidOperationException"><see cref="Result"/> has been called.</exception>
    public ref double Start(int i) => ref MemoryMarshal.GetReference(Row(i));

    /// <summary>Ends row <paramref name="i"/>: for a column target, adds the row's sum into element i and clears the row.</summary>
    /// <param name="i">The row just added, in [0, <c>Rows</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is not a row of the layout.</exception>
    /// <exception cref="InvalidOperationException"><see cref="Result"/> has been called.</exception>
    public void EndRow(int i)
    {
        CheckRow(i);
        if (_pattern == RowPattern.Column)
        {
            _result[i] += TensorPrimitives.Sum(_scratch);
            Array.Clear(_scratch);
        }
    }

    /// <summary>
    /// The sum as a number, for a sink to a single element (the gradient of a <c>double</c> that scaled a tensor). Call
    /// it, or <see cref="Result"/>, once, after the last row.
    /// </summary>
    /// <exception cref="InvalidOperationException">The target has more than one element, or the sum has been taken already.</exception>
    public double Total()
    {
        if (_target.ElementCount != 1)
        {
            throw new InvalidOperationException($"A sum to shape {_target} is not one number.");
        }

        return Result().AsSpan()[0];
    }

    /// <summary>The sum, a tensor of exactly the target shape. Call it once, after the last row.</summary>
    /// <exception cref="InvalidOperationException">It has been called before.</exception>
    public Tensor Result()
    {
        if (_finished)
        {
            throw new InvalidOperationException("The sum has been taken already; a RowSink gives its result once.");
        }

        // The tensor takes the buffer over, and tensors are immutable: nothing may add into it from here on.
        _finished = true;
        return _pattern == RowPattern.Scalar
            ? new Tensor([TensorPrimitives.Sum(_scratch)], _target)
            : new Tensor(_result, _target);
    }

    private void CheckRow(int i)
    {
        if (_finished)
        {
            throw new InvalidOperationException("The sum has been taken already; no row can be added to it.");
        }

        if ((uint)i >= (uint)_rows)
        {
            throw new ArgumentOutOfRangeException(nameof(i), i, $"Row {i} does not exist in a layout of {_rows} rows.");
        }
    }
}
