using System;

namespace BackpropGen;

/// <summary>
/// Where each output element of a <see cref="Tensor.MaxPool2D"/> came from: the flat (row-major) index in the input of the
/// element it took, one per output element, and the input's shape. It is all
/// <see cref="Tensor.MaxPool2DBackward(Tensor, MaxPoolArgmax)"/> needs, so a generated cache keeps it rather than the
/// input: 4 bytes per output element instead of 8 per input element.
/// </summary>
public sealed class MaxPoolArgmax : ITapeRecord
{
    internal MaxPoolArgmax(int[] indices, TensorShape inputShape)
    {
        Flat = indices;
        InputShape = inputShape;
    }

    /// <summary>For each output element, the flat index in the input of the first of its window's largest elements.</summary>
    public ReadOnlyMemory<int> Indices => Flat;

    /// <summary>The shape of the pooled input, which is the shape of its gradient.</summary>
    public TensorShape InputShape { get; }

    /// <summary>What it holds, in bytes: 4 per index (the shape is a few ints more).</summary>
    public long Bytes => 4L * Flat.Length;

    internal int[] Flat { get; }

    /// <inheritdoc />
    public override string ToString() => $"MaxPoolArgmax({Flat.Length} indices into {InputShape})";
}
