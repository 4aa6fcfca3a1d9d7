using BackpropGen;
using static BackpropGen.Tensor;

namespace BackpropGen.Tests.EndToEnd;

/// <summary>Convolutional and batched-product layers as users write them: each is gradient-checked.</summary>
public static partial class ConvolutionLayers
{
    /// <summary>CS231n's <c>conv_relu_pool_forward</c>: a convolution with a bias per filter, ReLU, a 2×2 max pool.</summary>
    [Differentiable]
    public static Tensor ConvReluPool(Tensor x, Tensor w, Tensor b)
    {
        var conv = Conv2D(x, w, stride: 1, padding: 1);
        var biased = conv + b;
        var activated = Relu(biased);
        var pooled = MaxPool2D(activated, size: 2, stride: 2);
        return pooled;
    }

    /// <summary>
    /// A max pool of a full-size value that also feeds a sum: the fused backward computes the pool's backward (which has no
    /// form on lanes) from the argmax before its pass over the rows, and reads it there as rows.
    /// </summary>
    [Differentiable]
    public static double PooledExps(Tensor x, Tensor w)
    {
        var scaled = x * w;
        var pooled = MaxPool2D(scaled, 2, 2);
        return Sum(Exp(scaled * 0.5)) + Sum(Exp(pooled));
    }

    /// <summary>A strided convolution without padding, then an average pool, into a double loss.</summary>
    [Differentiable]
    public static double StridedConvAvgPool(Tensor x, Tensor w)
    {
        var conv = Conv2D(x, w, stride: 2, padding: 0);
        var pooled = AvgPool2D(conv, size: 2, stride: 1);
        return Sum(Square(pooled));
    }

    /// <summary>Attention's scores and weighted sum: batched products, one of them against a key broadcast over the batch.</summary>
    [Differentiable]
    public static Tensor BatchedAttention(Tensor q, Tensor k, Tensor v)
    {
        var scores = MatMul(q, Transpose(k));
        var weights = Sigmoid(scores);
        var attended = MatMul(weights, v);
        return attended;
    }
}

/// <summary>Softmax losses and attention weights, as CS231n's temporal softmax loss and a transformer write them.</summary>
public static partial class SoftmaxLayers
{
    /// <summary>Cross-entropy through LogSoftmax along the classes, the mean over the rows.</summary>
    [Differentiable]
    public static double CrossEntropy(Tensor scores, int[] labels)
    {
        var logp = LogSoftmax(scores, axis: 1);
        var picked = Pick(logp, labels);
        return -Mean(picked);
    }

    /// <summary>Softmax attention weights over the keys, then a weighted sum of the values.</summary>
    [Differentiable]
    public static Tensor Attention(Tensor q, Tensor k, Tensor v)
    {
        var scores = MatMul(q, Transpose(k)) * 0.5;
        var weights = Softmax(scores, axis: -1);
        var attended = MatMul(weights, v);
        return attended;
    }

    /// <summary>Log-sum-exp along the first axis, kept and removed.</summary>
    [Differentiable]
    public static double LogSumExps(Tensor x)
    {
        var kept = LogSumExp(x, axis: 0, keepDims: true);
        var removed = LogSumExp(x * 2.0, axis: 1);
        return Sum(kept) + Sum(Square(removed));
    }
}
