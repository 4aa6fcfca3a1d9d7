using System;
using BackpropGen;

namespace TwoLayerNetSample;

/// <summary>
/// The network's learnable tensors, or a gradient or optimizer moment of the same shapes: affine → BatchNorm → ReLU →
/// affine.
/// </summary>
public sealed record Parameters(Tensor W1, Tensor B1, Tensor Gamma, Tensor Beta, Tensor W2, Tensor B2)
{
    /// <summary>
    /// He initialization of the weights (normal, variance 2 / fan-in, suited to a ReLU), zero biases, and the
    /// identity BatchNorm transform (gamma 1, beta 0). Deterministic for a given <paramref name="seed"/>.
    /// </summary>
    public static Parameters Initial(int inputs, int hidden, int classes, int seed) => new(
        W1: Tensor.RandomNormal(seed, inputs, hidden) * Math.Sqrt(2.0 / inputs),
        B1: Tensor.Zeros(hidden),
        Gamma: Tensor.Ones(hidden),
        Beta: Tensor.Zeros(hidden),
        W2: Tensor.RandomNormal(seed + 1, hidden, classes) * Math.Sqrt(2.0 / hidden),
        B2: Tensor.Zeros(classes));

    /// <summary>Zeros of <paramref name="like"/>'s shapes: the starting optimizer moments.</summary>
    public static Parameters ZerosLike(Parameters like) => Map(like, t => Tensor.Zeros(t.Shape));

    /// <summary>Applies <paramref name="f"/> to each tensor.</summary>
    public static Parameters Map(Parameters a, Func<Tensor, Tensor> f) =>
        new(f(a.W1), f(a.B1), f(a.Gamma), f(a.Beta), f(a.W2), f(a.B2));

    /// <summary>Applies <paramref name="f"/> to each pair of corresponding tensors.</summary>
    public static Parameters Map(Parameters a, Parameters b, Func<Tensor, Tensor, Tensor> f) =>
        new(f(a.W1, b.W1), f(a.B1, b.B1), f(a.Gamma, b.Gamma), f(a.Beta, b.Beta), f(a.W2, b.W2), f(a.B2, b.B2));

    /// <summary>Applies <paramref name="f"/> to each triple of corresponding tensors.</summary>
    public static Parameters Map(Parameters a, Parameters b, Parameters c, Func<Tensor, Tensor, Tensor, Tensor> f) =>
        new(f(a.W1, b.W1, c.W1), f(a.B1, b.B1, c.B1), f(a.Gamma, b.Gamma, c.Gamma), f(a.Beta, b.Beta, c.Beta),
            f(a.W2, b.W2, c.W2), f(a.B2, b.B2, c.B2));

    /// <summary>The tensors with their names, for reports.</summary>
    public (string Name, Tensor Value)[] Named() =>
        [("W1", W1), ("b1", B1), ("gamma", Gamma), ("beta", Beta), ("W2", W2), ("b2", B2)];
}
