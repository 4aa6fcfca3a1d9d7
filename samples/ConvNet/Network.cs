using System;
using BackpropGen;
using Samples.Cs231n;
using static BackpropGen.Tensor;

namespace Samples.ConvNet;

/// <summary>
/// The network: conv 3×3 → ReLU → 2×2 max pool, twice, then affine → softmax loss, on [N, 1, H, W] images (H and W
/// multiples of 4). Every layer is one of <see cref="Layers"/>; the generator writes <c>ScoresForward</c> and
/// <c>ScoresBackward</c>, which call the layers' generated passes.
/// </summary>
public static partial class Network
{
    /// <summary>The class scores [N, classes] of images x [N, 1, H, W].</summary>
    [Differentiable]
    public static Tensor Scores([NoGrad] Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor w3, Tensor b3)
    {
        int N = x.Shape[0];
        // step 1: H × W → H/2 × W/2, the padding keeping the size through the 3 × 3 convolution
        var pooled1 = Layers.ConvReluPool(x, w1, b1, 1, 1, 2);
        // step 2: → H/4 × W/4
        var pooled2 = Layers.ConvReluPool(pooled1, w2, b2, 1, 1, 2);
        // step 3: every image's feature maps as one row
        var features = Reshape(pooled2, N, w3.Shape[0]);
        // step 4
        var scores = Layers.Affine(features, w3, b3);
        return scores;
    }

    /// <summary>
    /// One training step's forward and backward: the generated passes of <see cref="Scores"/> and of
    /// <see cref="Layers.SoftmaxLoss"/>, chained, so that the scores (for the running accuracy) come with the loss.
    /// </summary>
    public static (double Loss, Tensor Scores, Parameters Gradients) LossAndGradients(Parameters p, Tensor x, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(p);
        var (scores, scoresCache) = ScoresForward(x, p.W1, p.B1, p.W2, p.B2, p.W3, p.B3);
        var (loss, lossCache) = Layers.SoftmaxLossForward(scores, labels);
        var dscores = Layers.SoftmaxLossBackward(1.0, lossCache);
        var (dw1, db1, dw2, db2, dw3, db3) = ScoresBackward(dscores, scoresCache);
        return (loss, scores, new Parameters(dw1, db1, dw2, db2, dw3, db3));
    }

    /// <summary>The loss as written, no generated code: the reference of the gradient check.</summary>
    public static double Loss(Parameters p, Tensor x, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(p);
        return Layers.SoftmaxLoss(Scores(x, p.W1, p.B1, p.W2, p.B2, p.W3, p.B3), labels);
    }

    /// <summary>The scores of many images, a batch at a time (no cache is kept: these are the plain methods).</summary>
    public static Tensor Scores(Parameters p, Tensor images, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(images);
        int n = images.Shape[0];
        var batches = new Tensor[(n + batchSize - 1) / batchSize];
        for (int i = 0; i < batches.Length; i++)
        {
            var batch = Slice(images, 0, i * batchSize, Math.Min(batchSize, n - i * batchSize));
            batches[i] = Scores(batch, p.W1, p.B1, p.W2, p.B2, p.W3, p.B3);
        }

        return Concat(0, batches);
    }

    /// <summary>The highest-scoring class of every row of <paramref name="scores"/>.</summary>
    public static int[] Predictions(Tensor scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        int rows = scores.Shape[0], classes = scores.Shape[1];
        var values = scores.ToArray();
        var predicted = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            for (int c = 1; c < classes; c++)
            {
                if (values[i * classes + c] > values[i * classes + predicted[i]])
                {
                    predicted[i] = c;
                }
            }
        }

        return predicted;
    }

    /// <summary>How many of <paramref name="predicted"/> equal <paramref name="labels"/>.</summary>
    public static int Correct(int[] predicted, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(labels);
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            correct += predicted[i] == labels[i] ? 1 : 0;
        }

        return correct;
    }
}
