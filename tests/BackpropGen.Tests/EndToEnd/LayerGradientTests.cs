using System.Collections.Generic;
using System.Linq;
using Samples.Cs231n;
using Xunit;

namespace BackpropGen.Tests.EndToEnd;

/// <summary>The CS231n layers of samples/Layers, each generated gradient against central differences (SPEC.md §4).</summary>
public class LayerGradientTests
{
    /// <summary>
    /// Every layer's checks, run once: <see cref="LayerChecks.All"/> computes each check as it is enumerated, and the
    /// theory's rows (enumerated to be discovered, then each looking up its own) would otherwise run all of them again.
    /// </summary>
    private static readonly IReadOnlyList<LayerCheck> s_checks = LayerChecks.All().ToList();

    public static TheoryData<string, string> Gradients()
    {
        var data = new TheoryData<string, string>();
        foreach (var check in s_checks)
        {
            data.Add(check.Layer, check.Gradient);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Gradients))]
    public void Generated_gradient_of_every_layer_matches_central_differences(string layer, string gradient)
    {
        var check = s_checks.Single(c => c.Layer == layer && c.Gradient == gradient);
        Assert.True(check.RelativeError < LayerChecks.Bar, $"{layer} {gradient}: relative error {check.RelativeError:E2}");
    }

    /// <summary>
    /// The RNN's dx, a slice of it each step, is summed in one buffer (GradientBuffer.AddUnsliced): its backward allocates
    /// one x besides each step's own small tensors (7 x's worth here), not an x a step (47 x's worth before, for 40 steps).
    /// </summary>
    [Fact]
    public void The_rnn_backward_sums_its_input_gradient_in_one_buffer_not_one_tensor_a_step()
    {
        var x = Tensor.RandomNormal(seed: 1, 2, 40, 64);
        var h0 = Tensor.RandomNormal(seed: 2, 2, 4);
        var wx = Tensor.RandomNormal(seed: 3, 64, 4) * 0.1;
        var wh = Tensor.RandomNormal(seed: 4, 4, 4) * 0.1;
        var b = Tensor.RandomNormal(seed: 5, 4);
        var (hs, cache) = Layers.RnnForward(x, h0, wx, wh, b);
        var dout = Tensor.RandomNormal(seed: 6, hs.Shape.ToArray());
        Layers.RnnBackward(dout, cache);
        var before = System.GC.GetAllocatedBytesForCurrentThread();
        Layers.RnnBackward(dout, cache);
        var allocated = System.GC.GetAllocatedBytesForCurrentThread() - before;

        var xBytes = x.Shape.ElementCount * sizeof(double);
        Assert.True(allocated < 20 * xBytes, $"the backward allocated {allocated} bytes, {allocated / (double)xBytes:F1} times x's {xBytes}");
    }

    [Fact]
    public void Composed_loss_equals_its_layers_applied_in_turn()
    {
        var x = Tensor.RandomNormal(seed: 1, 4, 3);
        var w1 = Tensor.RandomNormal(seed: 2, 3, 5);
        var b1 = Tensor.RandomNormal(seed: 3, 5);
        var w2 = Tensor.RandomNormal(seed: 4, 5, 2);
        var b2 = Tensor.RandomNormal(seed: 5, 2);
        int[] y = { 0, 1, 1, 0 };

        var (loss, _) = Layers.TwoLayerNetLossForward(x, y, w1, b1, w2, b2);
        var byHand = Layers.SoftmaxLoss(Layers.Affine(Layers.ReLU(Layers.Affine(x, w1, b1)), w2, b2), y);
        Assert.Equal(byHand, loss);
    }

    [Fact]
    public void Lstm_over_time_equals_its_step_applied_in_turn_from_a_zero_cell()
    {
        const int n = 2, t = 3, d = 4, h = 3;
        var x = Tensor.RandomNormal(seed: 1, n, t, d);
        var h0 = Tensor.RandomNormal(seed: 2, n, h);
        var wx = Tensor.RandomNormal(seed: 3, d, 4 * h);
        var wh = Tensor.RandomNormal(seed: 4, h, 4 * h);
        var b = Tensor.RandomNormal(seed: 5, 4 * h);

        var (hs, _) = Layers.LstmForward(x, h0, wx, wh, b);
        Assert.Equal(new[] { n, t, h }, hs.Shape.ToArray());
        var prevH = h0;
        var prevC = Tensor.Zeros(n, h);
        for (var step = 0; step < t; step++)
        {
            var state = Layers.LstmStep(Tensor.Reshape(Tensor.Slice(x, 1, step, 1), n, d), prevH, prevC, wx, wh, b);
            prevH = Tensor.Slice(state, 1, 0, h);
            prevC = Tensor.Slice(state, 1, h, h);
            Assert.Equal(prevH.ToArray(), Tensor.Slice(hs, 1, step, 1).ToArray());
        }
    }

    [Fact]
    public void Spatial_batchnorm_normalises_every_channel_over_the_examples_and_the_positions()
    {
        var x = Tensor.RandomNormal(seed: 6, 3, 2, 4, 5) * 3.0 + 2.0;
        var output = Layers.SpatialBatchNorm(x, Tensor.Ones(2), Tensor.Zeros(2), 1e-12);
        for (var channel = 0; channel < 2; channel++)
        {
            var values = Tensor.Slice(output, 1, channel, 1).ToArray();
            var mean = values.Average();
            Assert.Equal(0.0, mean, 12);
            Assert.Equal(1.0, values.Select(v => (v - mean) * (v - mean)).Average(), 9);
        }
    }

    [Fact]
    public void Word_embedding_puts_the_row_of_each_word_at_its_position()
    {
        int[,] words = { { 2, 0 }, { 2, 1 } };
        var w = Tensor.RandomNormal(seed: 7, 3, 4);
        var output = Layers.WordEmbedding(words, w);
        Assert.Equal(new[] { 2, 2, 4 }, output.Shape.ToArray());
        Assert.Equal(Tensor.Slice(w, 0, 2, 1).ToArray(), Tensor.Slice(Tensor.Slice(output, 0, 1, 1), 1, 0, 1).ToArray());
        Assert.Equal(Tensor.Slice(w, 0, 1, 1).ToArray(), Tensor.Slice(Tensor.Slice(output, 0, 1, 1), 1, 1, 1).ToArray());
    }

    [Fact]
    public void Temporal_softmax_loss_of_even_scores_is_log_v_per_counted_step_averaged_over_the_examples()
    {
        // Every word equally likely: each step that counts adds log V, and the sum is divided by N = 2, not by the 3 steps.
        var scores = Tensor.Zeros(2, 2, 5);
        var mask = Tensor.FromArray(new double[] { 1, 1, 1, 0 }, 2, 2);
        var loss = Layers.TemporalSoftmaxLoss(scores, new[,] { { 0, 1 }, { 2, 3 } }, mask);
        Assert.Equal(3 * System.Math.Log(5) / 2, loss, 12);
    }
}
