using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace BackpropGen;

/// <summary>
/// An operand of a fused pass that holds one value per row (the full shape with the last dimension 1: a row statistic
/// such as LayerNorm's mean), made by <see cref="RowLayout.TryReadColumn(Tensor, out ColumnReader)"/>. A pass reads row i's value once, as a
/// number, and broadcasts it along the row in a register, instead of loading a row of it lane by lane.
/// </summary>
public sealed class ColumnReader
{
    private readonly double[] _values;

    internal ColumnReader(Tensor source) => _values = source.Elements;

    /// <summary>The value of row <paramref name="i"/>.</summary>
    /// <param name="i">The row, in [0, <c>Rows</c>).</param>
    /// <exception cref="IndexOutOfRangeException"><paramref name="i"/> is not a row of the layout.</exception>
    public double this[int i]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _values[i];
    }
}

/// <summary>
/// Makes <c>Tensor.SumTo(g, target)</c> of a full-shaped g for a target with one element per row (the full shape with the
/// last dimension 1): the sum along each row, which a fused pass accumulates in a register as it walks the row and adds
/// here once, at the row's end (<see cref="Add"/>); made by <see cref="RowLayout.TrySinkColumn"/>. Each row belongs to
/// one block of rows, so blocks run at once never add into the same element.
/// </summary>
public sealed class ColumnSink
{
    private readonly TensorShape _target;
    private readonly double[] _result;
    private bool _finished;

    internal ColumnSink(TensorShape target)
    {
        _target = target;
        _result = new double[target.ElementCount];
    }

    /// <summary>Adds the sum of row <paramref name="i"/> (or a part of it) into element i.</summary>
    /// <param name="i">The row, in [0, <c>Rows</c>).</param>
    /// <param name="value">The sum to add.</param>
    /// <exception cref="IndexOutOfRangeException"><paramref name="i"/> is not a row of the layout.</exception>
    /// <exception cref="InvalidOperationException"><see cref="Result"/> has been called.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int i, double value)
    {
        if (_finished)
        {
            ThrowFinished();
        }

        _result[i] += value;
    }

    /// <summary>The sums, a tensor of exactly the target shape. Call it once, after the last row.</summary>
    /// <exception cref="InvalidOperationException">It has been called before.</exception>
    public Tensor Result()
    {
        if (_finished)
        {
            ThrowFinished();
        }

        // The tensor takes the buffer over, and tensors are immutable: nothing may add into it from here on.
        _finished = true;
        return new Tensor(_result, _target);
    }

    [DoesNotReturn]
    private static void ThrowFinished() => throw new InvalidOperationException("The sum has been taken already; a ColumnSink gives its result once.");
}
