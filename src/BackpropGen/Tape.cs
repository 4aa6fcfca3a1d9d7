using System;
using System.Runtime.CompilerServices;

namespace BackpropGen;

/// <summary>
/// The values a generated forward records inside loops and branches for its backward, in the order it computed them: a
/// value that a later iteration overwrites, a trip count, which arm of a branch ran. The backward reads them back in
/// reverse through a <see cref="TapeReader{T}"/>, which leaves the tape as it is, so that one cache can be backpropagated
/// more than once.
/// </summary>
/// <typeparam name="T">
/// A <see cref="Tensor"/> (tensors never change, so the tape holds references, not copies), a <see cref="double"/>, an
/// <see cref="int"/>, a <see cref="bool"/>, a <see cref="TensorShape"/> (of a tensor whose shape alone the backward reads),
/// what an op's forward found for its backward (a <see cref="MaxPoolArgmax"/>) or a called method's cache.
/// </typeparam>
public sealed class Tape<T>
{
    private T[] _items;

    /// <summary>An empty tape with room for <paramref name="capacity"/> records before it grows.</summary>
    public Tape(int capacity = 4) => _items = new T[Math.Max(capacity, 1)];

    /// <summary>How many records the tape holds.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// What the records hold, in bytes: 8 per double, 4 per int, 1 per bool, a tensor's elements at 8 bytes each, a shape's
    /// dimensions at 4 bytes each, what an
    /// op's auxiliary value (<see cref="MaxPoolArgmax"/>) says it holds, and a
    /// reference's size for anything else (a called method's cache, whose own tensors its cache record reports).
    /// </summary>
    public long Bytes
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        get
        {
            long bytes = 0;
            for (var i = 0; i < Count; i++)
            {
                bytes += _items[i] switch
                {
                    Tensor tensor => 8L * tensor.Length,
                    double => 8,
                    int => 4,
                    bool => 1,
                    TensorShape shape => 4L * shape.Rank,
                    ITapeRecord record => record.Bytes,
                    _ => IntPtr.Size,
                };
            }

            return bytes;
        }
    }

    /// <summary>Records <paramref name="value"/>.</summary>
    public void Push(T value)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, 2 * _items.Length);
        }

        _items[Count++] = value;
    }

    /// <summary>A reader that gives the records back last first.</summary>
    public TapeReader<T> Rewind() => new(this);

    /// <summary>The record at <paramref name="index"/>, counted from the first.</summary>
    internal T this[int index] => _items[index];

    /// <inheritdoc />
    public override string ToString() => $"Tape<{typeof(T).Name}>({Count} records, {Bytes} bytes)";
}

/// <summary>Reads a <see cref="Tape{T}"/> back, last record first; the backward holds one per tape.</summary>
/// <typeparam name="T">The type of the records.</typeparam>
public sealed class TapeReader<T>
{
    private readonly Tape<T> _tape;
    private int _next;

    internal TapeReader(Tape<T> tape)
    {
        _tape = tape;
        _next = tape.Count;
    }

    /// <summary>How many records are left to read.</summary>
    public int Remaining => _next;

    /// <summary>The latest record not yet read.</summary>
    /// <exception cref="InvalidOperationException">Every record has been read: the backward asked for more than its forward recorded.</exception>
    public T Pop()
    {
        if (_next == 0)
        {
            throw new InvalidOperationException(
                $"The tape of {_tape.Count} records has been read back to its start: the backward reads more than its forward recorded, which is a bug of BackpropGen's.");
        }

        return _tape[--_next];
    }
}

/// <summary>A value a generated forward keeps for its backward that knows its own size (<see cref="MaxPoolArgmax"/>), for <see cref="Tape{T}.Bytes"/>.</summary>
internal interface ITapeRecord
{
    long Bytes { get; }
}
