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
    // The first record is kept in the tape itself and the rest in an array made at the second record: the locals of a
    // branch outside any loop are recorded once a call, and a tape of them then costs one object, not two.
    private readonly int _capacity;
    private T _first = default!;
    private T[]? _rest;

    /// <summary>An empty tape with room for <paramref name="capacity"/> records before it grows.</summary>
    public Tape(int capacity = 4) => _capacity = Math.Max(capacity, 1);

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
                bytes += this[i] switch
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
        if (Count == 0)
        {
            _first = value;
        }
        else
        {
            if (_rest is null)
            {
                _rest = new T[Math.Max(_capacity - 1, 3)];
            }
            else if (Count - 1 == _rest.Length)
            {
                Array.Resize(ref _rest, 2 * _rest.Length);
            }

            _rest[Count - 1] = value;
        }

        Count++;
    }

    /// <summary>A reader that gives the records back last first.</summary>
    public TapeReader<T> Rewind() => new(this);

    /// <summary>The record at <paramref name="index"/>, counted from the first.</summary>
    internal T this[int index] => index == 0 ? _first : _rest![index - 1];

    /// <inheritdoc />
    public override string ToString() => $"Tape<{typeof(T).Name}>({Count} records, {Bytes} bytes)";
}

/// <summary>Reads a <see cref="Tape{T}"/> back, last record first; the backward holds one per tape, in a local.</summary>
/// <remarks>
/// A struct, so that rewinding a tape allocates nothing: a backward rewinds each of its tapes once a call. Popping
/// advances the reader it is called on; a copy reads on from where the original was when it was copied.
/// </remarks>
/// <typeparam name="T">The type of the records.</typeparam>
public struct TapeReader<T>
{
    private readonly Tape<T> _tape;
    private int _next;

    internal TapeReader(Tape<T> tape)
    {
        _tape = tape;
        _next = tape.Count;
    }

    /// <summary>How many records are left to read.</summary>
    public readonly int Remaining => _next;

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
