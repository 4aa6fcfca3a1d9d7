using System;
using System.Linq;
using BackpropGen;
using Samples.Training;

namespace Samples.ConvNet;

/// <summary>
/// The start-up check: the gradients of a training step (the generated backwards of <see cref="Network.Scores"/> and of
/// the softmax loss, chained) against central differences of the loss as written, on a network small enough to check
/// every weight (two 8 × 8 images). The layers themselves are checked in samples/Layers.
/// </summary>
public static class GradientCheck
{
    /// <summary>Prints one line per gradient; true when all are under <see cref="GradientReport.Bar"/>.</summary>
    public static bool Run()
    {
        const int images = 2, size = 8, filters1 = 3, filters2 = 4, classes = 5;
        var x = Tensor.RandomNormal(seed: 100, images, 1, size, size);
        int[] labels = [1, 4];
        // Random biases too, so that their gradients are not checked at a point where every ReLU is on or off alike.
        var p = Parameters.Initial(filters1, filters2, filters2 * (size / 4) * (size / 4), classes, seed: 101) with
        {
            B1 = Tensor.RandomNormal(seed: 104, filters1) * 0.1,
            B2 = Tensor.RandomNormal(seed: 105, filters2) * 0.1,
            B3 = Tensor.RandomNormal(seed: 106, classes) * 0.1,
        };
        var (_, _, gradients) = Network.LossAndGradients(p, x, labels);
        var numerical = new Parameters(
            GradCheck.Numerical(v => Network.Loss(p with { W1 = v }, x, labels), p.W1),
            GradCheck.Numerical(v => Network.Loss(p with { B1 = v }, x, labels), p.B1),
            GradCheck.Numerical(v => Network.Loss(p with { W2 = v }, x, labels), p.W2),
            GradCheck.Numerical(v => Network.Loss(p with { B2 = v }, x, labels), p.B2),
            GradCheck.Numerical(v => Network.Loss(p with { W3 = v }, x, labels), p.W3),
            GradCheck.Numerical(v => Network.Loss(p with { B3 = v }, x, labels), p.B3));

        return GradientReport.Print(
            "Gradient check of a training step against central differences",
            gradients.Named().Zip(numerical.Named(), (g, n) => (g.Name, g.Value, n.Value)));
    }
}
