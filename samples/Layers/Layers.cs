using BackpropGen;
using static BackpropGen.Tensor;

namespace Samples.Cs231n;

/// <summary>
/// The layers and losses of CS231n's assignments, each written as numbered steps. BackpropGen writes every
/// <c>…Forward</c>, <c>…Backward</c> and <c>…Cache</c>; nothing below is differentiated by hand.
/// </summary>
public static partial class Layers
{
    /// <summary>A fully connected layer: x is [N, D], w is [D, M], b is [M].</summary>
    [Differentiable]
    public static Tensor Affine(Tensor x, Tensor w, Tensor b)
    {
        // step 1: every example times the weights
        var xw = Dot(x, w);
        // step 2: the bias, broadcast over the examples
        var @out = xw + b;
        return @out;
    }

    [Differentiable]
    public static Tensor ReLU(Tensor x)
    {
        // step 1: the subgradient at 0 is 0
        var @out = Relu(x);
        return @out;
    }

    [Differentiable]
    public static Tensor SigmoidActivation(Tensor x)
    {
        // step 1
        var @out = Sigmoid(x);
        return @out;
    }

    [Differentiable]
    public static Tensor TanhActivation(Tensor x)
    {
        // step 1
        var @out = Tanh(x);
        return @out;
    }

    /// <summary>The seed's BatchNorm: normalise every feature over the batch (axis 0), then scale and shift.</summary>
    [Differentiable]
    public static Tensor BatchNorm(Tensor x, Tensor gamma, Tensor beta, [NoGrad] double eps)
    {
        int N = x.Shape[0];
        // step 1: calculate mean
        var mu = 1.0 / N * Sum(x, axis: 0);
        // step 2: subtract mean vector of every training example
        var xmu = x - mu;
        // step 3: following the lower branch - calculation denominator
        var sq = Square(xmu);
        // step 4: calculate variance
        var @var = 1.0 / N * Sum(sq, axis: 0);
        // step 5: add eps for numerical stability, then sqrt
        var sqrtvar = Sqrt(@var + eps);
        // step 6: invert sqrtvar
        var ivar = 1.0 / sqrtvar;
        // step 7: execute normalization
        var xhat = xmu * ivar;
        // step 8: the two transformation steps
        var gammax = gamma * xhat;
        // step 9
        var @out = gammax + beta;
        return @out;
    }

    /// <summary>LayerNorm: normalise every example over its features (axis 1, kept as a column), then scale and shift.</summary>
    [Differentiable]
    public static Tensor LayerNorm(Tensor x, Tensor gamma, Tensor beta, [NoGrad] double eps)
    {
        // step 1: the mean of every example, as a column
        var mu = Mean(x, axis: 1, keepDims: true);
        // step 2
        var xmu = x - mu;
        // step 3: the variance of every example
        var variance = Mean(Square(xmu), axis: 1, keepDims: true);
        // step 4
        var std = Sqrt(variance + eps);
        // step 5
        var xhat = xmu / std;
        // step 6
        var @out = gamma * xhat + beta;
        return @out;
    }

    /// <summary>Inverted dropout: <paramref name="mask"/> holds 1 for the units kept (with probability p), 0 elsewhere.</summary>
    [Differentiable]
    public static Tensor Dropout(Tensor x, [NoGrad] Tensor mask, [NoGrad] double p)
    {
        // step 1: drop, and scale the kept units so that the expected value is unchanged
        var @out = x * mask / p;
        return @out;
    }

    /// <summary>The mean cross-entropy of a softmax over the scores [N, C], for the labels y.</summary>
    [Differentiable]
    public static double SoftmaxLoss(Tensor scores, int[] y)
    {
        int N = scores.Shape[0];
        // step 1: shift every row so that its largest score is 0, for numerical stability
        var shifted = scores - Max(scores, axis: 1, keepDims: true);
        // step 2
        var exps = Exp(shifted);
        // step 3: the normaliser of every row
        var sums = Sum(exps, axis: 1, keepDims: true);
        // step 4
        var logProbs = shifted - Log(sums);
        // step 5: the log-probability of the right class
        var correct = Pick(logProbs, y);
        // step 6
        var loss = -Sum(correct) / N;
        return loss;
    }

    /// <summary>The multiclass SVM (hinge) loss with margin <paramref name="delta"/>, averaged over the examples.</summary>
    [Differentiable]
    public static double SvmLoss(Tensor scores, int[] y, [NoGrad] double delta)
    {
        int N = scores.Shape[0];
        // step 1: the score of the right class of every example
        var correct = Pick(scores, y);
        // step 2: as a column, to broadcast over the classes
        var correctColumn = Reshape(correct, N, 1);
        // step 3: hinge; the subgradient at the kink is 0
        var margins = Maximum(scores - correctColumn + delta, 0.0);
        // step 4: the right class always contributes exactly delta: take it out
        var loss = (Sum(margins) - N * delta) / N;
        return loss;
    }

    /// <summary>affine → ReLU → affine → softmax loss, by composition: each call keeps its layer's cache.</summary>
    [Differentiable]
    public static double TwoLayerNetLoss([NoGrad] Tensor x, int[] y, Tensor w1, Tensor b1, Tensor w2, Tensor b2)
    {
        // step 1
        var hidden = Affine(x, w1, b1);
        // step 2
        var activations = ReLU(hidden);
        // step 3
        var scores = Affine(activations, w2, b2);
        // step 4
        var loss = SoftmaxLoss(scores, y);
        return loss;
    }
}
