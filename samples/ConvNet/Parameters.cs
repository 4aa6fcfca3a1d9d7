using System;
using BackpropGen;

namespace Samples.ConvNet;

/// <summary>The network's learnable tensors, or their gradients: two convolutions' filters and biases, then the affine layer's.</summary>
public sealed record Parameters(Tensor W1, Tensor B1, Tensor W2, Tensor B2, Tensor W3, Tensor B3)
{
    /// <summary>
    /// He initialization (normal, variance 2 / fan-in, suited to a ReLU) of the filters, variance 1 / fan-in for the
    /// affine layer that gives the scores, zero biases; <paramref name="features"/> is the flattened second pooling's size.
    /// </summary>
    public static Parameters Initial(int filters1, int filters2, int features, int classes, int seed) => new(
        W1: Tensor.RandomNormal(seed, filters1, 1, 3, 3) * Math.Sqrt(2.0 / 9),
        B1: Tensor.Zeros(filters1),
        W2: Tensor.RandomNormal(seed + 1, filters2, filters1, 3, 3) * Math.Sqrt(2.0 / (9 * filters1)),
        B2: Tensor.Zeros(filters2),
        W3: Tensor.RandomNormal(seed + 2, features, classes) * Math.Sqrt(1.0 / features),
        B3: Tensor.Zeros(classes));

    /// <summary>The tensors in order, for the optimizer.</summary>
    public Tensor[] ToArray() => [W1, B1, W2, B2, W3, B3];

    /// <summary>The tensors of <see cref="ToArray"/>'s order back as parameters.</summary>
    public static Parameters FromArray(Tensor[] tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        return new Parameters(tensors[0], tensors[1], tensors[2], tensors[3], tensors[4], tensors[5]);
    }

    /// <summary>The tensors with their names, for the gradient check's report.</summary>
    public (string Name, Tensor Value)[] Named() =>
        [("W1", W1), ("b1", B1), ("W2", W2), ("b2", B2), ("W3", W3), ("b3", B3)];
}
