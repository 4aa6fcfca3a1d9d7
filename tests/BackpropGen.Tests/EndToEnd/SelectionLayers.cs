using BackpropGen;
using static BackpropGen.Tensor;

namespace BackpropGen.Tests.EndToEnd;

/// <summary>Layers made of the trigonometric, clipping, choosing and extreme-value operations: each is gradient-checked.</summary>
public static partial class SelectionLayers
{
    // The layers with a fused backward centre x first: a fused backward walks the rows of an input that is reduced.

    /// <summary>Sin and Cos of tensors, with a per-feature frequency broadcast over the rows.</summary>
    [Differentiable]
    public static Tensor Wave(Tensor x, Tensor frequency)
    {
        var mu = Mean(x, axis: 0);
        var centered = x - mu;
        var phase = centered * frequency;
        var sine = Sin(phase);
        var cosine = Cos(centered);
        var scaledCosine = cosine * frequency;
        return sine + scaledCosine;
    }

    /// <summary>Clip with learnt bounds: a double for the lower and a multiple of it for the upper.</summary>
    [Differentiable]
    public static Tensor ClippedScale(Tensor x, Tensor gamma, double bound)
    {
        var mu = Mean(x, axis: 0);
        var centered = x - mu;
        var scaled = centered * gamma;
        var clipped = Clip(scaled, -bound, bound * 0.5);
        return clipped * 2.0;
    }

    /// <summary>Where with a condition that is zero for about half the elements, choices of two shapes broadcast to the rows.</summary>
    [Differentiable]
    public static Tensor Gated(Tensor x, Tensor gamma, Tensor beta)
    {
        var mu = Mean(x, axis: 0);
        var centered = x - mu;
        var gate = Relu(centered);
        var activated = Tanh(centered);
        var scaled = activated * gamma;
        var chosen = Where(gate, scaled, beta);
        return chosen;
    }

    /// <summary>Max and Min of all elements and along axes, into a double.</summary>
    [Differentiable]
    public static double Spread(Tensor x, Tensor w)
    {
        var y = x * w;
        var range = Max(y) - Min(y);
        var rowMinima = Min(y, axis: 1, keepDims: true);
        var columnMinima = Min(y, 0);
        return range + (0.1 * Sum(Square(y - rowMinima))) + Sum(columnMinima);
    }

    /// <summary>Math.Max and Math.Min of doubles, one of them a parameter.</summary>
    [Differentiable]
    public static double Floored(Tensor x, double floor)
    {
        var energy = Mean(Square(x));
        var total = Sum(x);
        return System.Math.Max(energy, floor) + System.Math.Min(total, floor * 2.0);
    }
}
