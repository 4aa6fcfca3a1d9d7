using static BackpropGen.Tensor;

namespace BackpropGen.Tests.EndToEnd;

/// <summary>
/// One residual block twice, with and without <c>[Checkpoint]</c>, and a deep stack of each in a loop: the stacks have
/// the same gradients, and the checkpointed one keeps each layer's input instead of each layer's cache. The end-to-end
/// tests gradient-check them; the benchmarks measure their caches (docs/benchmarks.md).
/// </summary>
public static partial class CheckpointLayers
{
    /// <summary>h + tanh(tanh(h·w + b)·w)·gain: its cache keeps h and both activations, three tensors of h's size.</summary>
    [Differentiable]
    public static Tensor Block(Tensor h, Tensor w, Tensor b, double gain)
    {
        var z1 = Dot(h, w) + b;
        var a1 = Tanh(z1);
        var z2 = Dot(a1, w);
        var a2 = Tanh(z2);
        var scaled = a2 * gain;
        return h + scaled;
    }

    /// <summary><see cref="Block"/>, checkpointed: its callers keep its inputs and run its forward again in their backward.</summary>
    [Differentiable]
    [Checkpoint]
    public static Tensor CheckpointedBlock(Tensor h, Tensor w, Tensor b, double gain)
    {
        var z1 = Dot(h, w) + b;
        var a1 = Tanh(z1);
        var z2 = Dot(a1, w);
        var a2 = Tanh(z2);
        var scaled = a2 * gain;
        return h + scaled;
    }

    /// <summary><paramref name="layers"/> checkpointed blocks sharing their weights, then one more nested in the mean of its product with h.</summary>
    [Differentiable]
    public static double CheckpointedStack(Tensor h, Tensor w, Tensor b, double gain, int layers)
    {
        for (int l = 0; l < layers; l++)
        {
            h = CheckpointedBlock(h, w, b, gain);
        }

        return Mean(CheckpointedBlock(h, w, b, gain) * h);
    }

    /// <summary><see cref="CheckpointedStack"/> of plain blocks: the same gradients, each block's cache on a tape.</summary>
    [Differentiable]
    public static double PlainStack(Tensor h, Tensor w, Tensor b, double gain, int layers)
    {
        for (int l = 0; l < layers; l++)
        {
            h = Block(h, w, b, gain);
        }

        return Mean(Block(h, w, b, gain) * h);
    }
}
