using BackpropGen;
using static BackpropGen.Tensor;

namespace BackpropGen.Tests.EndToEnd;

/// <summary>Layers and losses written the way users write them, beyond the CS231n set: each is gradient-checked.</summary>
public static partial class UserWrittenLayers
{
    /// <summary>Softmax probabilities with a division, and the cross-entropy as a mean of logs.</summary>
    [Differentiable]
    public static double CrossEntropy(Tensor logits, int[] labels)
    {
        var exps = Exp(logits - Max(logits, 1, true));
        var probs = exps / Sum(exps, axis: 1, keepDims: true);
        return -Mean(Log(Pick(probs, labels)));
    }

    /// <summary>Mean squared error plus an L2 penalty whose strength is itself learnt.</summary>
    [Differentiable]
    public static double RegularizedMse(Tensor prediction, [NoGrad] Tensor target, Tensor w, double lambda)
    {
        var error = prediction - target;
        var mse = Mean(error * error);
        var penalty = lambda * Sum(Square(w));
        return mse + 0.5 * penalty;
    }

    /// <summary>Swish, expression-bodied: a value used twice in one expression.</summary>
    [Differentiable]
    public static Tensor Swish(Tensor x) => x * Sigmoid(x);

    /// <summary>Binary cross-entropy on sigmoid outputs, with the label tensor [NoGrad].</summary>
    [Differentiable]
    public static double BinaryCrossEntropy(Tensor z, [NoGrad] Tensor y)
    {
        var p = Sigmoid(z);
        var losses = -(y * Log(p) + (1.0 - y) * Log(1.0 - p));
        return Mean(losses);
    }

    /// <summary>Composition two levels deep, with a double result used in further double steps.</summary>
    [Differentiable]
    public static double NormalizedSwishEnergy(Tensor x, Tensor gamma, Tensor beta)
    {
        var normalized = RmsNorm(x, gamma, beta);
        var activated = Swish(normalized);
        var energy = Mean(Square(activated));
        return System.Math.Sqrt(energy + 1e-3);
    }

    /// <summary>
    /// Centring, then two scales: with per-feature scales the fused backward multiplies them once, between its passes;
    /// given a column for one of them it makes a full-size product there, and must still be right.
    /// </summary>
    [Differentiable]
    public static Tensor CenteredTwiceScaled(Tensor x, Tensor a, Tensor b)
    {
        var mu = Mean(x, axis: 0);
        var centered = x - mu;
        var scaled = centered * a;
        var twice = scaled * b;
        return twice;
    }

    /// <summary>RMSNorm over the features, dividing by a column that broadcasts over them.</summary>
    [Differentiable]
    public static Tensor RmsNorm(Tensor x, Tensor gamma, Tensor beta)
    {
        var rms = Sqrt(Mean(x * x, axis: 1, keepDims: true) + 1e-5);
        return x / rms * gamma + beta;
    }

    /// <summary>A tensor broadcast against a column and a row, both learnt, and a transposed product.</summary>
    [Differentiable]
    public static Tensor Bilinear(Tensor a, Tensor b, Tensor rowBias, Tensor columnBias)
    {
        var product = Dot(a, Transpose(b));
        var biased = product + rowBias + Reshape(columnBias, a.Shape[0], 1);
        return Tanh(biased) * 2.0;
    }

    /// <summary>Layers called inside one another, as users compose functions: each nested call becomes a step of its own.</summary>
    [Differentiable]
    public static double NestedNet([NoGrad] Tensor x, int[] y, Tensor w1, Tensor b1, Tensor w2, Tensor b2) =>
        Samples.Cs231n.Layers.SoftmaxLoss(Samples.Cs231n.Layers.Affine(Samples.Cs231n.Layers.ReLU(Samples.Cs231n.Layers.Affine(x, w1, b1)), w2, b2), y);

    /// <summary>A layer call inside a compound expression, beside an L2 penalty.</summary>
    [Differentiable]
    public static double RegularizedNet([NoGrad] Tensor x, int[] y, Tensor w, Tensor b, [NoGrad] double lambda)
    {
        var loss = Samples.Cs231n.Layers.SoftmaxLoss(Samples.Cs231n.Layers.Affine(x, w, b), y) + lambda * Sum(Square(w));
        return loss;
    }
}
