using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BackpropGen;

/// <summary>
/// Accumulates <c>Tensor.SumTo(g, target)</c> of a full-shaped gradient g from its rows, added in one by one by a fused
/// pass; made by <see cref="RowLayout.TrySink"/>. For each row i: add row i of g into <see cref="Row(int, int)"/>, then
/// call <see cref="EndRow(int, int)"/>; after the last row, <see cref="Result"/>. Blocks of rows
/// (<see cref="RowLayout.ForEachBlock"/>) may add at once: each has its own accumulator, and the result adds them in
/// block order, so that it does not depend on how many threads ran them.
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

    // One accumulator row per block: Row (when there are several blocks), Column (the row being added, summed into its
    // element when it ends) and Scalar (summed once, at the end), so that the inner loop adds whole vectors.
    private readonly double[][] _blockRows;

    private bool _finished;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal RowSink(TensorShape target, RowPattern pattern, int rows, int width, int blocks)
    {
        _target = target;
        _pattern = pattern;
        _rows = rows;
        _width = width;
        _result = pattern == RowPattern.Scalar ? [] : new double[target.ElementCount];
        var count = pattern switch
        {
            RowPattern.Row when blocks > 1 => blocks,
            RowPattern.Column or RowPattern.Scalar => blocks,
            _ => 0,
        };
        _blockRows = new double[count][];
        for (int b = 0; b < count; b++)
        {
            _blockRows[b] = new double[width];
        }
    }

    /// <summary>Where to add row <paramref name="i"/> of the gradient: <c>Width</c> elements, zero before anything is added.</summary>
    /// <param name="i">The row, in [0, <c>Rows</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is not a row of the layout.</exception>
    /// <exception cref="InvalidOperationException"><see cref="Result"/> has been called.</exception>
    public Span<double> Row(int i) => Row(i, 0);

    /// <summary>Where block <paramref name="block"/> adds row <paramref name="i"/> of the gradient.</summary>
    /// <param name="i">The row, in [0, <c>Rows</c>).</param>
    /// <param name="block">The block of rows it belongs to, in [0, <c>Blocks</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is not a row of the layout, or the block is not one of its blocks.</exception>
    /// <exception cref="InvalidOperationException"><see cref="Result"/> has been called.</exception>
    public Span<double> Row(int i, int block) => MemoryMarshal.CreateSpan(ref Start(i, block), _width);

    /// <summary>
    /// The first element of <see cref="Row(int)"/>, for the whole lanes of a fused pass
    /// (<see cref="Lane.AddToUnsafe(ref double, int, Lane)"/>).
    /// </summary>
    /// <param name="i">The row, in [0, <c>Rows</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is not a row of the layout.</exception>
    /// <exception cref="InvalidOperationException"><see cref="Result"/> has been called.</exception>
    public ref double Start(int i) => ref Start(i, 0);

    /// <summary>The first element of <see cref="Row(int, int)"/>.</summary>
    /// <param name="i">The row, in [0, <c>Rows</c>).</param>
    /// <param name="block">The block of rows it belongs to, in [0, <c>Blocks</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is not a row of the layout, or the block is not one of its blocks.</exception>
    /// <exception cref="InvalidOperationException"><see cref="Result"/> has been called.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref double Start(int i, int block)
    {
        // Inlined and without a call on the way that returns (see RowReader.Start).
        if (!_finished && (uint)i < (uint)_rows)
        {
            if (_pattern == RowPattern.Full)
            {
                return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_result), (nint)i * _width);
            }

            if (_blockRows.Length == 0)
            {
                return ref MemoryMarshal.GetArrayDataReference(_result);
            }

            if ((uint)block < (uint)_blockRows.Length)
            {
                return ref MemoryMarshal.GetArrayDataReference(_blockRows[block]);
            }
        }

        ThrowNotARow(i, block);
        return ref Unsafe.NullRef<double>();
    }

    /// <summary>Refuses a row or block the sink does not have, or any once its result is taken; it only throws.</summary>
    private void ThrowNotARow(int i, int block)
    {
        CheckRow(i);
        throw new ArgumentOutOfRangeException(nameof(block), block, $"Block {block} does not exist in a layout of {_blockRows.Length} blocks.");
    }

    /// <summary>Ends row <paramref name="i"/>: for a column target, adds the row's sum into element i and clears the row.</summary>
    /// <param name="i">The row just added, in [0, <c>Rows</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is not a row of the layout.</exception>
    /// <exception cref="InvalidOperationException"><see cref="Result"/> has been called.</exception>
    public void EndRow(int i) => EndRow(i, 0);

    /// <summary>Ends row <paramref name="i"/> of block <paramref name="block"/> (see <see cref="EndRow(int)"/>).</summary>
    /// <param name="i">The row just added, in [0, <c>Rows</c>).</param>
    /// <param name="block">The block of rows it belongs to, in [0, <c>Blocks</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is not a row of the layout, or the block is not one of its blocks.</exception>
    /// <exception cref="InvalidOperationException"><see cref="Result"/> has been called.</exception>
    public void EndRow(int i, int block)
    {
        CheckRow(i);
        if (_pattern == RowPattern.Column)
        {
            var row = _blockRows[block];
            _result[i] += TensorPrimitives.Sum(row);
            Array.Clear(row);
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Tensor Result()
    {
        if (_finished)
        {
            throw new InvalidOperationException("The sum has been taken already; a RowSink gives its result once.");
        }

        // The tensor takes the buffer over, and tensors are immutable: nothing may add into it from here on.
        _finished = true;
        if (_pattern == RowPattern.Scalar)
        {
            double total = 0.0;
            foreach (var row in _blockRows)
            {
                total += TensorPrimitives.Sum(row);
            }

            return new Tensor([total], _target);
        }

        if (_pattern == RowPattern.Row)
        {
            foreach (var row in _blockRows)
            {
                TensorPrimitives.Add(_result, row, _result);
            }
        }

        return new Tensor(_result, _target);
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
