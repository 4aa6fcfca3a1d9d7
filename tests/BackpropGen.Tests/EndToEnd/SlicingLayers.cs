using BackpropGen;
using static BackpropGen.Tensor;

namespace BackpropGen.Tests.EndToEnd;

/// <summary>Layers that take parts of tensors and move their axes, as embeddings, gates and attention heads do: each is gradient-checked.</summary>
public static partial class SlicingLayers
{
    /// <summary>An embedding lookup (tokens repeat, so rows of the table get the sum of several gradients), then a projection.</summary>
    [Differentiable]
    public static double Embedding(Tensor table, Tensor w, int[] tokens)
    {
        var rows = Take(table, tokens, 0);
        var scores = Dot(rows, w);
        return Sum(Square(Tanh(scores)));
    }

    /// <summary>Columns gathered with negative and repeated indices from a value that is not a step of its own.</summary>
    [Differentiable]
    public static Tensor Columns(Tensor x)
    {
        var picked = Take(x * 2.0, new[] { 0, -1, 0 }, 1);
        return Sin(picked);
    }

    /// <summary>A gated linear unit: one projection cut in two halves along the last axis, the second counted from the end.</summary>
    [Differentiable]
    public static Tensor Gated(Tensor x, Tensor w)
    {
        var h = Dot(x, w);
        var value = Slice(h, 1, 0, 3);
        var gate = Slice(h, -1, -3, 3);
        return Tanh(value) * Sigmoid(gate);
    }

    /// <summary>Rows sliced from the middle of a 3-D tensor, some of x reaching no output (their gradient is 0).</summary>
    [Differentiable]
    public static double Middle(Tensor x)
    {
        var inner = Slice(x, 1, 1, 2);
        var empty = Slice(x, 2, 4, 0);
        return Sum(Exp(inner)) + Sum(empty);
    }

    /// <summary>Heads moved to the front and back, by permutations written out, negative, and kept in a local.</summary>
    [Differentiable]
    public static Tensor Heads(Tensor x, Tensor scale)
    {
        int[] order = { 2, 0, 1 };
        var moved = Transpose(x, 1, 0, -1);
        var scaled = Tanh(moved * scale);
        var rotated = Transpose(scaled, order);
        return Transpose(rotated, 2, 1, 0) * 3.0;
    }

    /// <summary>Parts of three sizes joined along the columns, one of them used twice and one an expression.</summary>
    [Differentiable]
    public static Tensor Joined(Tensor a, Tensor b, Tensor w)
    {
        var h = Concat(1, a, Tanh(b), a);
        return Dot(h, w);
    }

    /// <summary>A constant row of padding before x, joined along the rows: the constant part gets no gradient but shifts x's.</summary>
    [Differentiable]
    public static double Padded(Tensor x)
    {
        var padded = Concat(-2, Ones(1, x.Shape[1]), x);
        return Sum(Exp(padded) * padded);
    }

    /// <summary>Parts stacked along a new last axis, one of them [NoGrad] and one an expression of another.</summary>
    [Differentiable]
    public static Tensor Stacked(Tensor x, [NoGrad] Tensor y)
    {
        var stacked = Stack(-1, x, y, x * 2.0);
        return Tanh(stacked);
    }
}
