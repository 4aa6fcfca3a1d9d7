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
