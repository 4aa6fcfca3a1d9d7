using System;
using BackpropGen;

namespace Samples.CharRnn;

/// <summary>The model's learnable tensors, or their gradients: the embedding, the LSTM's weights and bias, the output layer's.</summary>
public sealed record Parameters(Tensor Embedding, Tensor Wx, Tensor Wh, Tensor B, Tensor Wy, Tensor By)
{
    /// <summary>
    /// Normal weights of variance 1 / fan-in, zero biases but for the forget gate's, 1, so that the cell keeps its
    /// memory from the start (Jozefowicz et al., 2015); <paramref name="seed"/> makes it reproducible.
    /// </summary>
    public static Parameters Initial(int vocabulary, int embedding, int hidden, int seed)
    {
        var bias = new double[4 * hidden];
        // The gates are input, forget, output and candidate, H columns each (Layers.LstmStep).
        Array.Fill(bias, 1.0, hidden, hidden);
        return new Parameters(
            Embedding: Tensor.RandomNormal(seed, vocabulary, embedding),
            Wx: Tensor.RandomNormal(seed + 1, embedding, 4 * hidden) * Math.Sqrt(1.0 / embedding),
            Wh: Tensor.RandomNormal(seed + 2, hidden, 4 * hidden) * Math.Sqrt(1.0 / hidden),
            B: Tensor.FromArray(bias, 4 * hidden),
            Wy: Tensor.RandomNormal(seed + 3, hidden, vocabulary) * Math.Sqrt(1.0 / hidden),
            By: Tensor.Zeros(vocabulary));
    }

    /// <summary>The tensors in order, for the optimizer.</summary>
    public Tensor[] ToArray() => [Embedding, Wx, Wh, B, Wy, By];

    /// <summary>The tensors of <see cref="ToArray"/>'s order back as parameters.</summary>
    public static Parameters FromArray(Tensor[] tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        return new Parameters(tensors[0], tensors[1], tensors[2], tensors[3], tensors[4], tensors[5]);
    }

    /// <summary>The tensors with their names, for the gradient check's report.</summary>
    public (string Name, Tensor Value)[] Named() =>
        [("embedding", Embedding), ("Wx", Wx), ("Wh", Wh), ("b", B), ("Wy", Wy), ("by", By)];
}
