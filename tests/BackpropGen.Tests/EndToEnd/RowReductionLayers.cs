using static BackpropGen.Tensor;

namespace BackpropGen.Tests.EndToEnd;

/// <summary>
/// Layers that reduce along the last axis, the rows of an [N, D] input, written in steps: their fused backward reads the
/// row statistics once a row and sums along each row in registers (FusedBackwardTests, RowReductionTests).
/// </summary>
public static partial class RowReductionLayers
{
    /// <summary>LayerNorm with the axis counted from the end.</summary>
    [Differentiable]
    public static Tensor LayerNormLastAxis(Tensor x, Tensor gamma, Tensor beta, [NoGrad] double eps)
    {
        var mu = Mean(x, axis: -1, keepDims: true);
        var xmu = x - mu;
        var variance = Mean(Square(xmu), axis: -1, keepDims: true);
        var xhat = xmu / Sqrt(variance + eps);
        return gamma * xhat + beta;
    }

    /// <summary>The mean cross-entropy of a softmax over each row of scores, against one-hot (or soft) labels.</summary>
    [Differentiable]
    public static double SoftmaxCrossEntropy(Tensor scores, [NoGrad] Tensor labels)
    {
        int N = scores.Shape[0];
        // a shift of each row by its mean: the softmax does not change, and the exponentials stay small
        var shifted = scores - Mean(scores, axis: 1, keepDims: true);
        var exps = Exp(shifted);
        var sums = Sum(exps, axis: 1, keepDims: true);
        var logProbs = shifted - Log(sums);
        var loss = -Sum(labels * logProbs) / N;
        return loss;
    }

    /// <summary>A log-softmax over each row, returned whole.</summary>
    [Differentiable]
    public static Tensor LogSoftmaxRows(Tensor x)
    {
        var sums = Sum(Exp(x), axis: 1, keepDims: true);
        return x - Log(sums);
    }

    /// <summary>Centred down the columns (axis 0), then scaled by each row's spread (axis 1): sums of both kinds in one backward.</summary>
    [Differentiable]
    public static Tensor CenteredColumnsScaledRows(Tensor x, Tensor gamma)
    {
        var xc = x - Mean(x, axis: 0);
        var spread = Sqrt(Mean(Square(xc), axis: 1, keepDims: true) + 1e-3);
        return gamma * (xc / spread);
    }

    /// <summary>Row sums not kept as a column (keepDims: false), reduced to a number.</summary>
    [Differentiable]
    public static double LogSumExpTotal(Tensor x)
    {
        var sums = Sum(Exp(x), axis: 1);
        return Sum(Log(sums));
    }
}
