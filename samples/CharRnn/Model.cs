using System;
using BackpropGen;
using Samples.Cs231n;
using static BackpropGen.Tensor;

namespace Samples.CharRnn;

/// <summary>
/// A character-level language model: an embedding of each character, an LSTM over the sequence (the recurrence is the
/// <c>for</c> loop of <see cref="Layers.LstmStates"/>, its cell <see cref="Layers.LstmStep"/>), and at every step an affine
/// layer to scores over the vocabulary and a softmax loss against the next character. Two <c>[Differentiable]</c>
/// methods, so that a training step can keep the LSTM's last state for the next chunk of text.
/// </summary>
public static partial class Model
{
    /// <summary>The LSTM's state at every step, [N, T, 2H], of the characters <paramref name="inputs"/> [N, T], from h0 and c0 [N, H].</summary>
    [Differentiable]
    public static Tensor States(int[,] inputs, Tensor embedding, [NoGrad] Tensor h0, [NoGrad] Tensor c0, Tensor wx, Tensor wh, Tensor b)
    {
        // step 1: every character's row of the embedding, [N, T, D]
        var x = Layers.WordEmbedding(inputs, embedding);
        // step 2
        var states = Layers.LstmStates(x, h0, c0, wx, wh, b);
        return states;
    }

    /// <summary>
    /// The softmax loss of predicting <paramref name="targets"/> [N, T] (each input's next character) from the hidden
    /// halves of <paramref name="states"/>, summed over the steps and averaged over the N sequences.
    /// </summary>
    [Differentiable]
    public static double Loss(Tensor states, int[,] targets, Tensor wy, Tensor by)
    {
        int N = states.Shape[0], T = states.Shape[1], H = wy.Shape[0];
        // Every step counts: there is no padding in a chunk of running text.
        var mask = Ones(N, T);
        // step 1: next_h of every step
        var hs = Slice(states, 2, 0, H);
        // step 2: scores over the vocabulary, [N, T, V]
        var scores = Layers.TemporalAffine(hs, wy, by);
        // step 3
        var loss = Layers.TemporalSoftmaxLoss(scores, targets, mask);
        return loss;
    }

    /// <summary>
    /// One step of truncated backpropagation through time on a chunk: the loss, the gradients, and the state the chunk
    /// ends in (the next chunk starts from it; no gradient flows back into this chunk from there).
    /// </summary>
    public static (double Loss, Parameters Gradients, Tensor LastH, Tensor LastC) LossAndGradients(
        Parameters p, int[,] inputs, int[,] targets, Tensor h0, Tensor c0)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(inputs);
        var (states, statesCache) = StatesForward(inputs, p.Embedding, h0, c0, p.Wx, p.Wh, p.B);
        var (loss, lossCache) = LossForward(states, targets, p.Wy, p.By);
        var (dstates, dwy, dby) = LossBackward(1.0, lossCache);
        var (dembedding, dwx, dwh, db) = StatesBackward(dstates, statesCache);
        int steps = inputs.GetLength(1), hidden = h0.Shape[1];
        var last = Reshape(Slice(states, 1, steps - 1, 1), inputs.GetLength(0), 2 * hidden);
        return (loss, new Parameters(dembedding, dwx, dwh, db, dwy, dby), Slice(last, 1, 0, hidden), Slice(last, 1, hidden, hidden));
    }

    /// <summary>The loss of a chunk as written, no generated code: the reference of the gradient check.</summary>
    public static double ChunkLoss(Parameters p, int[,] inputs, int[,] targets, Tensor h0, Tensor c0)
    {
        ArgumentNullException.ThrowIfNull(p);
        return Loss(States(inputs, p.Embedding, h0, c0, p.Wx, p.Wh, p.B), targets, p.Wy, p.By);
    }

    /// <summary>
    /// <paramref name="length"/> characters drawn one at a time from the model's distribution (sharpened by
    /// <paramref name="temperature"/> below 1), each fed back as the next input, starting from <paramref name="first"/>.
    /// </summary>
    public static int[] Sample(Parameters p, int first, int length, double temperature, Random random)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(random);
        int hidden = p.Wh.Shape[0];
        var h = Zeros(1, hidden);
        var c = Zeros(1, hidden);
        var drawn = new int[length];
        int current = first;
        for (int i = 0; i < length; i++)
        {
            var x = Take(p.Embedding, [current], 0);
            var state = Layers.LstmStep(x, h, c, p.Wx, p.Wh, p.B);
            h = Slice(state, 1, 0, hidden);
            c = Slice(state, 1, hidden, hidden);
            var probabilities = Softmax(Layers.Affine(h, p.Wy, p.By) / temperature, axis: 1).ToArray();
            current = Draw(probabilities, random);
            drawn[i] = current;
        }

        return drawn;
    }

    private static int Draw(double[] probabilities, Random random)
    {
        double u = random.NextDouble(), cumulative = 0;
        for (int k = 0; k < probabilities.Length; k++)
        {
            cumulative += probabilities[k];
            if (u < cumulative)
            {
                return k;
            }
        }

        return probabilities.Length - 1;
    }
}
