using System.Linq;
using BackpropGen;
using Samples.Training;

namespace Samples.CharRnn;

/// <summary>
/// The start-up check: a training step's gradients (the generated backwards of <see cref="Model.Loss"/> and
/// <see cref="Model.States"/>, chained) against central differences of the chunk's loss as written, on a model small
/// enough to check every weight, from a state that is not zero. The layers themselves are checked in samples/Layers.
/// </summary>
public static class GradientCheck
{
    /// <summary>Prints one line per gradient; true when all are under <see cref="GradientReport.Bar"/>.</summary>
    public static bool Run()
    {
        const int vocabulary = 5, embedding = 3, hidden = 4, streams = 2;
        int[,] inputs = { { 0, 3, 1, 4 }, { 2, 2, 0, 1 } };
        int[,] targets = { { 3, 1, 4, 4 }, { 2, 0, 1, 3 } };
        var h0 = Tensor.RandomNormal(seed: 200, streams, hidden) * 0.5;
        var c0 = Tensor.RandomNormal(seed: 201, streams, hidden) * 0.5;
        var p = Parameters.Initial(vocabulary, embedding, hidden, seed: 202) with { By = Tensor.RandomNormal(seed: 206, vocabulary) * 0.1 };
        var (_, gradients, _, _) = Model.LossAndGradients(p, inputs, targets, h0, c0);
        var numerical = new Parameters(
            GradCheck.Numerical(v => Model.ChunkLoss(p with { Embedding = v }, inputs, targets, h0, c0), p.Embedding),
            GradCheck.Numerical(v => Model.ChunkLoss(p with { Wx = v }, inputs, targets, h0, c0), p.Wx),
            GradCheck.Numerical(v => Model.ChunkLoss(p with { Wh = v }, inputs, targets, h0, c0), p.Wh),
            GradCheck.Numerical(v => Model.ChunkLoss(p with { B = v }, inputs, targets, h0, c0), p.B),
            GradCheck.Numerical(v => Model.ChunkLoss(p with { Wy = v }, inputs, targets, h0, c0), p.Wy),
            GradCheck.Numerical(v => Model.ChunkLoss(p with { By = v }, inputs, targets, h0, c0), p.By));

        return GradientReport.Print(
            "Gradient check of a training step against central differences",
            gradients.Named().Zip(numerical.Named(), (g, n) => (g.Name, g.Value, n.Value)));
    }
}
