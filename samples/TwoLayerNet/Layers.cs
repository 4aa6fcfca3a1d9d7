using BackpropGen;
using static BackpropGen.Tensor;

namespace TwoLayerNetSample;

/// <summary>
/// The network's layers, each its own <c>[Differentiable]</c> method (the generator writes <c>AffineForward</c>,
/// <c>AffineBackward</c> and so on), and <see cref="Loss"/>, the network, which calls them.
/// </summary>
public static partial class Layers
{
    /// <summary>
    /// The network's mean softmax loss on a batch: affine → BatchNorm → ReLU → affine → softmax loss. Each step calls a
    /// layer, so the generated <c>LossBackward</c> calls the layers' backwards in reverse and returns the gradients of
    /// the six parameters; <paramref name="x"/> is data and needs none.
    /// </summary>
    [Differentiable]
    public static double Loss([NoGrad] Tensor x, int[] labels, Tensor w1, Tensor b1, Tensor gamma, Tensor beta, Tensor w2, Tensor b2, [NoGrad] double eps)
    {
        var hidden = Affine(x, w1, b1);
        var normalized = BatchNorm(hidden, gamma, beta, eps);
        var activations = Relu(normalized);
        var scores = Affine(activations, w2, b2);
        var loss = SoftmaxLoss(scores, labels);
        return loss;
    }

    /// <summary>A fully connected layer: <c>x·w + b</c>, with <c>b</c> broadcast over the rows.</summary>
    [Differentiable]
    public static Tensor Affine(Tensor x, Tensor w, Tensor b)
    {
        var scores = Dot(x, w);
        var @out = scores + b;
        return @out;
    }

    /// <summary>Batch normalization in training mode (the statistics of this batch), the steps of the BatchNorm sample.</summary>
    [Differentiable]
    public static Tensor BatchNorm(Tensor x, Tensor gamma, Tensor beta, [NoGrad] double eps)
    {
        int N = x.Shape[0];
        var mu = 1.0 / N * Sum(x, axis: 0);
        var xmu = x - mu;
        var sq = Square(xmu);
        var @var = 1.0 / N * Sum(sq, axis: 0);
        var sqrtvar = Sqrt(@var + eps);
        var ivar = 1.0 / sqrtvar;
        var xhat = xmu * ivar;
        var gammax = gamma * xhat;
        var @out = gammax + beta;
        return @out;
    }

    /// <summary>The rectifier, <c>max(x, 0)</c>. Qualified because this method's own name hides <see cref="Tensor.Relu"/>.</summary>
    [Differentiable]
    public static Tensor Relu(Tensor x)
    {
        var @out = Tensor.Relu(x);
        return @out;
    }

    /// <summary>
    /// The mean cross-entropy of a softmax over each row of <paramref name="scores"/> against the class in
    /// <paramref name="labels"/>: <c>mean(log Σⱼ exp(sᵢⱼ) - sᵢ,yᵢ)</c>, as a log-softmax.
    /// </summary>
    [Differentiable]
    public static double SoftmaxLoss(Tensor scores, int[] labels)
    {
        // Subtracting each row's maximum keeps Exp from overflowing; it changes neither the softmax nor the gradient
        // (the gradient that flows back through the maximum sums to zero over the row).
        var rowMax = Max(scores, axis: 1, keepDims: true);
        var shifted = scores - rowMax;
        var exps = Exp(shifted);
        var sumExps = Sum(exps, axis: 1, keepDims: true);
        var logSumExps = Log(sumExps);
        var logProbs = shifted - logSumExps;
        var correctLogProbs = Pick(logProbs, labels);
        var loss = -Mean(correctLogProbs);
        return loss;
    }
}
