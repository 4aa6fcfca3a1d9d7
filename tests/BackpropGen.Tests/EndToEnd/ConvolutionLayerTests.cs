using System.Linq;
using BackpropGen;
using Xunit;

namespace BackpropGen.Tests.EndToEnd;

public class ConvolutionLayerTests
{
    private const double Bar = 1e-7;

    [Fact]
    public void Conv_relu_pool_matches_central_differences()
    {
        var x = Tensor.RandomNormal(31, 2, 3, 6, 6);
        var w = Tensor.RandomNormal(32, 4, 3, 3, 3);
        var b = Tensor.RandomNormal(33, 1, 4, 1, 1);
        var dout = Tensor.RandomNormal(34, 2, 4, 3, 3);
        var (_, cache) = ConvolutionLayers.ConvReluPoolForward(x, w, b);
        var (dx, dw, db) = ConvolutionLayers.ConvReluPoolBackward(dout, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => ConvolutionLayers.ConvReluPool(v, w, b), x, dout), dx) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => ConvolutionLayers.ConvReluPool(x, v, b), w, dout), dw) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => ConvolutionLayers.ConvReluPool(x, w, v), b, dout), db) < Bar);
    }

    [Fact]
    public void The_cache_of_conv_relu_pool_keeps_the_argmax_of_the_pool_and_of_the_activations_only_the_relu_output()
    {
        var x = Tensor.RandomNormal(31, 2, 3, 6, 6);
        var (pooled, cache) = ConvolutionLayers.ConvReluPoolForward(x, Tensor.RandomNormal(32, 4, 3, 3, 3), Tensor.RandomNormal(33, 1, 4, 1, 1));

        var members = typeof(ConvolutionLayers.ConvReluPoolCache).GetProperties().Where(p => p.Name != "EqualityContract").ToDictionary(p => p.Name, p => p.PropertyType);

        // The pool's backward reads the argmax (4 bytes an output element), not the activations it was found in; ReLU's
        // rule reads its own output, so of the tensors before the pool only that one is kept.
        Assert.DoesNotContain("Biased", members.Keys);
        Assert.DoesNotContain("Conv", members.Keys);
        Assert.Equal(typeof(MaxPoolArgmax), members["PooledArgmax"]);
        Assert.Equal(new TensorShape(2, 4, 6, 6), cache.PooledArgmax.InputShape);
        Assert.Equal(pooled.Length, cache.PooledArgmax.Indices.Length);
        Assert.Equal(
            new[] { "X", "W", "BShape", "ConvShape", "Activated", "PooledShape", "PooledArgmax" },
            typeof(ConvolutionLayers.ConvReluPoolCache).GetConstructors().Single().GetParameters().Select(p => p.Name));
    }

    [Fact]
    public void A_max_pool_of_a_value_the_fused_pass_computes_matches_central_differences_fused_and_step_by_step()
    {
        // Positive values: every element of both gradients is well away from 0, where central differences cannot tell.
        var x = 1.0 + (0.5 * Tensor.Tanh(Tensor.RandomNormal(47, 2, 3, 6, 6)));
        var w = 1.0 + (0.5 * Tensor.Tanh(Tensor.RandomNormal(48, 2, 3, 6, 6)));
        var (_, cache) = ConvolutionLayers.PooledExpsForward(x, w);
        var fused = ConvolutionLayers.PooledExpsBackwardFused(1.0, cache);
        var (dx, dw) = ConvolutionLayers.PooledExpsBackwardSteps(1.0, cache);

        // The pool's backward, from the argmax, is computed before the pass, which reads it as rows.
        Assert.NotNull(fused);
        var numericalX = GradCheck.Numerical(v => ConvolutionLayers.PooledExps(v, w), x);
        var numericalW = GradCheck.Numerical(v => ConvolutionLayers.PooledExps(x, v), w);
        Assert.True(GradCheck.RelativeError(numericalX, dx) < Bar);
        Assert.True(GradCheck.RelativeError(numericalW, dw) < Bar);
        Assert.True(GradCheck.RelativeError(numericalX, fused.Value.dx) < Bar);
        Assert.True(GradCheck.RelativeError(numericalW, fused.Value.dw) < Bar);
    }

    [Fact]
    public void A_strided_convolution_into_an_average_pool_matches_central_differences()
    {
        var x = Tensor.RandomNormal(35, 2, 2, 7, 9);
        var w = Tensor.RandomNormal(36, 3, 2, 3, 2);
        var (_, cache) = ConvolutionLayers.StridedConvAvgPoolForward(x, w);
        var (dx, dw) = ConvolutionLayers.StridedConvAvgPoolBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => ConvolutionLayers.StridedConvAvgPool(v, w), x), dx) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => ConvolutionLayers.StridedConvAvgPool(x, v), w), dw) < Bar);
    }

    [Fact]
    public void Batched_attention_with_a_key_broadcast_over_the_batch_matches_central_differences()
    {
        var q = Tensor.RandomNormal(37, 3, 4, 5);
        var k = Tensor.RandomNormal(38, 6, 5);
        var v = Tensor.RandomNormal(39, 3, 6, 2);
        var dout = Tensor.RandomNormal(40, 3, 4, 2);
        var (_, cache) = ConvolutionLayers.BatchedAttentionForward(q, k, v);
        var (dq, dk, dv) = ConvolutionLayers.BatchedAttentionBackward(dout, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(t => ConvolutionLayers.BatchedAttention(t, k, v), q, dout), dq) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(t => ConvolutionLayers.BatchedAttention(q, t, v), k, dout), dk) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(t => ConvolutionLayers.BatchedAttention(q, k, t), v, dout), dv) < Bar);
    }

    [Fact]
    public void Cross_entropy_through_log_softmax_matches_central_differences()
    {
        var scores = Tensor.RandomNormal(41, 5, 4);
        var labels = new[] { 0, 3, 1, 1, 2 };
        var (_, cache) = SoftmaxLayers.CrossEntropyForward(scores, labels);
        var dscores = SoftmaxLayers.CrossEntropyBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => SoftmaxLayers.CrossEntropy(v, labels), scores), dscores) < Bar);
    }

    [Fact]
    public void Softmax_attention_matches_central_differences()
    {
        var q = Tensor.RandomNormal(42, 2, 3, 4);
        var k = Tensor.RandomNormal(43, 5, 4);
        var v = Tensor.RandomNormal(44, 2, 5, 3);
        var dout = Tensor.RandomNormal(45, 2, 3, 3);
        var (_, cache) = SoftmaxLayers.AttentionForward(q, k, v);
        var (dq, dk, dv) = SoftmaxLayers.AttentionBackward(dout, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(t => SoftmaxLayers.Attention(t, k, v), q, dout), dq) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(t => SoftmaxLayers.Attention(q, t, v), k, dout), dk) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(t => SoftmaxLayers.Attention(q, k, t), v, dout), dv) < Bar);
    }

    [Fact]
    public void Log_sum_exp_kept_and_removed_matches_central_differences()
    {
        var x = Tensor.RandomNormal(46, 4, 3);
        var (_, cache) = SoftmaxLayers.LogSumExpsForward(x);
        var dx = SoftmaxLayers.LogSumExpsBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(SoftmaxLayers.LogSumExps, x), dx) < Bar);
    }
}
