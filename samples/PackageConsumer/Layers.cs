using BackpropGen;
using static BackpropGen.Tensor;

namespace PackageConsumer;

/// <summary>The consumer's one layer; the generator adds <c>TanhLayerCache</c>, <c>TanhLayerForward</c> and the backward.</summary>
public static partial class Layers
{
    /// <summary>
    /// A tanh layer, <c>tanh(x·w + b)</c>: small, but it goes through a matrix product, a broadcast (b over the rows) and
    /// an elementwise function, so the packed generator's backward has something of each to get right.
    /// </summary>
    [Differentiable]
    public static Tensor TanhLayer(Tensor x, Tensor w, Tensor b)
    {
        var scores = Dot(x, w);
        var z = scores + b;
        var h = Tanh(z);
        return h;
    }
}
