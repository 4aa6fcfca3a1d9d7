using System;
using BackpropGen;

namespace TwoLayerNetSample;

/// <summary>
/// Affine → BatchNorm → ReLU → affine → softmax loss: training through <see cref="Layers.Loss"/>'s generated passes,
/// and inference.
/// </summary>
public static class Network
{
    /// <summary>BatchNorm's epsilon, added to the variance before its square root.</summary>
    public const double BatchNormEps = 1e-5;

    /// <summary>
    /// The mean softmax loss on a batch and its gradient with respect to every parameter, from the generated forward and
    /// backward of <see cref="Layers.Loss"/>.
    /// </summary>
    public static (double Loss, Parameters Gradients) LossAndGradients(Parameters p, Tensor x, int[] labels)
    {
        var (loss, cache) = Layers.LossForward(x, labels, p.W1, p.B1, p.Gamma, p.Beta, p.W2, p.B2, BatchNormEps);
        var (dw1, db1, dgamma, dbeta, dw2, db2) = Layers.LossBackward(1.0, cache);
        return (loss, new Parameters(dw1, db1, dgamma, dbeta, dw2, db2));
    }

    /// <summary>
    /// The same as <see cref="LossAndGradients"/>, chained by hand: each layer's generated forward in order, then their
    /// generated backwards in reverse, each fed the gradient of its output. The start-up checks hold the generated
    /// composition to it.
    /// </summary>
    public static (double Loss, Parameters Gradients) ChainedLossAndGradients(Parameters p, Tensor x, int[] labels)
    {
        var (hidden, affine1) = Layers.AffineForward(x, p.W1, p.B1);
        var (normalized, batchNorm) = Layers.BatchNormForward(hidden, p.Gamma, p.Beta, BatchNormEps);
        var (activations, relu) = Layers.ReluForward(normalized);
        var (scores, affine2) = Layers.AffineForward(activations, p.W2, p.B2);
        var (loss, softmaxLoss) = Layers.SoftmaxLossForward(scores, labels);

        var dscores = Layers.SoftmaxLossBackward(1.0, softmaxLoss);
        var (dactivations, dW2, db2) = Layers.AffineBackward(dscores, affine2);
        var dnormalized = Layers.ReluBackward(dactivations, relu);
        var (dhidden, dgamma, dbeta) = Layers.BatchNormBackward(dnormalized, batchNorm);
        var (_, dW1, db1) = Layers.AffineBackward(dhidden, affine1);
        return (loss, new Parameters(dW1, db1, dgamma, dbeta, dW2, db2));
    }

    /// <summary>The loss of <see cref="Layers.Loss"/> as written (no generated code): the reference for gradient checks.</summary>
    public static double Loss(Parameters p, Tensor x, int[] labels) =>
        Layers.Loss(x, labels, p.W1, p.B1, p.Gamma, p.Beta, p.W2, p.B2, BatchNormEps);

    /// <summary>
    /// The per-feature mean and variance of the hidden layer over the training set, which BatchNorm uses at inference.
    /// Training is full-batch, so these are exactly the statistics that BatchNorm normalized with in training.
    /// </summary>
    public static HiddenStatistics Statistics(Parameters p, Tensor trainingPoints)
    {
        var hidden = Layers.Affine(trainingPoints, p.W1, p.B1);
        var mean = Tensor.Mean(hidden, axis: 0);
        return new HiddenStatistics(mean, Tensor.Mean(Tensor.Square(hidden - mean), axis: 0));
    }

    /// <summary>The class scores of <paramref name="x"/> in inference mode: BatchNorm with fixed statistics, so each row's scores depend on that row alone.</summary>
    public static Tensor Scores(Parameters p, HiddenStatistics statistics, Tensor x)
    {
        var hidden = Layers.Affine(x, p.W1, p.B1);
        var normalized = (hidden - statistics.Mean) / Tensor.Sqrt(statistics.Variance + BatchNormEps) * p.Gamma + p.Beta;
        return Layers.Affine(Tensor.Relu(normalized), p.W2, p.B2);
    }

    /// <summary>The highest-scoring class of each row of <paramref name="x"/>.</summary>
    public static int[] Predict(Parameters p, HiddenStatistics statistics, Tensor x)
    {
        var scores = Scores(p, statistics, x);
        int rows = scores.Shape[0], classes = scores.Shape[1];
        var values = scores.ToArray();
        var predicted = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            int best = 0;
            for (int c = 1; c < classes; c++)
            {
                if (values[i * classes + c] > values[i * classes + best])
                {
                    best = c;
                }
            }

            predicted[i] = best;
        }

        return predicted;
    }

    /// <summary>The fraction of <paramref name="predicted"/> equal to <paramref name="labels"/>.</summary>
    public static double Accuracy(int[] predicted, int[] labels)
    {
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            correct += predicted[i] == labels[i] ? 1 : 0;
        }

        return (double)correct / labels.Length;
    }
}

/// <summary>The per-feature mean and variance of the hidden layer, BatchNorm's statistics at inference.</summary>
public sealed record HiddenStatistics(Tensor Mean, Tensor Variance);
