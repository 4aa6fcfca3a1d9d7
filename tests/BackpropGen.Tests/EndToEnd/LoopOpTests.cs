using System;
using System.Linq;
using BackpropGen;
using Xunit;

namespace BackpropGen.Tests.EndToEnd;

/// <summary>Each operation of <see cref="LoopOpLayers"/> inside a loop body, against central differences.</summary>
public class LoopOpTests
{
    private const double Bar = 1e-7;

    private static void AssertClose(Tensor numerical, Tensor generated, string gradient)
    {
        var error = GradCheck.RelativeError(numerical, generated);
        Assert.True(error < Bar, $"{gradient}: relative error {error:E2}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Slice_and_concat_that_roll_the_columns_in_a_loop_match_central_differences(int n)
    {
        var x = Tensor.RandomNormal(1, 3, 4);
        var w = Tensor.RandomNormal(2, 4);
        var dout = Tensor.RandomNormal(3, 3, 4);
        var (_, cache) = LoopOpLayers.RolledForward(x, w, n);
        var (dx, dw) = LoopOpLayers.RolledBackward(dout, cache);
        AssertClose(GradCheck.Numerical(v => LoopOpLayers.Rolled(v, w, n), x, dout), dx, "dx");
        AssertClose(GradCheck.Numerical(v => LoopOpLayers.Rolled(x, v, n), w, dout), dw, "dw");
    }

    [Fact]
    public void Stack_along_a_new_last_axis_in_a_loop_matches_central_differences()
    {
        var x = Tensor.RandomNormal(4, 3, 4);
        var w = Tensor.RandomNormal(5, 4, 4) * 0.5;
        var mix = Tensor.FromArray(new[] { 0.7, 0.4 }, 2);
        var dout = Tensor.RandomNormal(6, 3, 4);
        var (_, cache) = LoopOpLayers.MixedForward(x, w, mix, 4);
        var (dx, dw, dmix) = LoopOpLayers.MixedBackward(dout, cache);
        AssertClose(GradCheck.Numerical(v => LoopOpLayers.Mixed(v, w, mix, 4), x, dout), dx, "dx");
        AssertClose(GradCheck.Numerical(v => LoopOpLayers.Mixed(x, v, mix, 4), w, dout), dw, "dw");
        AssertClose(GradCheck.Numerical(v => LoopOpLayers.Mixed(x, w, v, 4), mix, dout), dmix, "dmix");
    }

    [Fact]
    public void Take_of_token_rows_in_a_loop_adds_up_the_gradients_of_a_repeated_token()
    {
        var table = Tensor.RandomNormal(7, 5, 3);
        var w = Tensor.RandomNormal(8, 3, 3) * 0.5;
        // Token 1 is taken at every step and twice at the last; token 4 never.
        int[][] tokens = { new[] { 1, 0 }, new[] { 3, 1 }, new[] { 1, 1 } };
        var (_, cache) = LoopOpLayers.TokenRnnForward(table, w, tokens);
        var (dtable, dw) = LoopOpLayers.TokenRnnBackward(1.0, cache);
        AssertClose(GradCheck.Numerical(v => LoopOpLayers.TokenRnn(v, w, tokens), table), dtable, "dtable");
        AssertClose(GradCheck.Numerical(v => LoopOpLayers.TokenRnn(table, v, tokens), w), dw, "dw");
        Assert.Equal(new double[3], Tensor.Slice(dtable, 0, 4, 1).ToArray());
    }

    /// <summary>
    /// The table's gradient is summed in one buffer, each step's rows added in place (GradientBuffer.AddUntaken): the
    /// backward allocates about one table, not one a step. Before, 40 steps over a [2000, 16] table made 40 tables (10 MB).
    /// </summary>
    [Fact]
    public void An_embedding_gradient_summed_over_a_loop_allocates_one_table_not_one_a_step()
    {
        var table = Tensor.RandomNormal(11, 2000, 16);
        var w = Tensor.RandomNormal(12, 16, 16) * 0.1;
        var random = new Random(13);
        var tokens = new int[40][];
        for (var t = 0; t < tokens.Length; t++)
        {
            tokens[t] = new[] { random.Next(2000), random.Next(2000) };
        }

        var (_, cache) = LoopOpLayers.TokenRnnForward(table, w, tokens);
        LoopOpLayers.TokenRnnBackward(1.0, cache);
        var before = GC.GetAllocatedBytesForCurrentThread();
        LoopOpLayers.TokenRnnBackward(1.0, cache);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        var tableBytes = 2000 * 16 * sizeof(double);
        Assert.True(allocated < 2 * tableBytes, $"the backward allocated {allocated} bytes, {allocated / (double)tableBytes:F1} tables of {tableBytes}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Transpose_by_axes_in_a_loop_matches_central_differences(int n)
    {
        var x = Tensor.RandomNormal(9, 3, 3, 3);
        var scale = Tensor.FromArray(new[] { 0.5, -0.8, 1.2 }, 3);
        var dout = Tensor.RandomNormal(10, 3, 3, 3);
        var (_, cache) = LoopOpLayers.RotatedForward(x, scale, n);
        var (dx, dscale) = LoopOpLayers.RotatedBackward(dout, cache);
        AssertClose(GradCheck.Numerical(v => LoopOpLayers.Rotated(v, scale, n), x, dout), dx, "dx");
        AssertClose(GradCheck.Numerical(v => LoopOpLayers.Rotated(x, v, n), scale, dout), dscale, "dscale");
    }

    [Fact]
    public void Softmax_and_log_softmax_in_a_while_loop_match_central_differences()
    {
        var q = Tensor.RandomNormal(11, 3, 4);
        var k = Tensor.RandomNormal(12, 5, 4) * 0.5;
        var v = Tensor.RandomNormal(13, 5, 4) * 0.5;
        int[] labels = { 4, 0, 2 };
        var (_, cache) = LoopOpLayers.AttendingForward(q, k, v, labels, 3);
        var (dq, dk, dv) = LoopOpLayers.AttendingBackward(1.0, cache);
        AssertClose(GradCheck.Numerical(t => LoopOpLayers.Attending(t, k, v, labels, 3), q), dq, "dq");
        AssertClose(GradCheck.Numerical(t => LoopOpLayers.Attending(q, t, v, labels, 3), k), dk, "dk");
        AssertClose(GradCheck.Numerical(t => LoopOpLayers.Attending(q, k, t, labels, 3), v), dv, "dv");
    }

    [Fact]
    public void Matmul_with_a_weight_broadcast_over_the_batch_in_a_loop_matches_central_differences()
    {
        var x = Tensor.RandomNormal(14, 2, 3, 4);
        var w = Tensor.RandomNormal(15, 4, 4) * 0.4;
        var dout = Tensor.RandomNormal(16, 2, 3, 4);
        var (_, cache) = LoopOpLayers.BatchedForward(x, w, 3);
        var (dx, dw) = LoopOpLayers.BatchedBackward(dout, cache);
        AssertClose(GradCheck.Numerical(v => LoopOpLayers.Batched(v, w, 3), x, dout), dx, "dx");
        AssertClose(GradCheck.Numerical(v => LoopOpLayers.Batched(x, v, 3), w, dout), dw, "dw");
    }

    [Fact]
    public void Conv2d_in_a_residual_loop_matches_central_differences()
    {
        var x = Tensor.RandomNormal(17, 2, 2, 5, 5);
        var w = Tensor.RandomNormal(18, 2, 2, 3, 3) * 0.3;
        var dout = Tensor.RandomNormal(19, 2, 2, 5, 5);
        var (_, cache) = LoopOpLayers.ConvStackForward(x, w, 3);
        var (dx, dw) = LoopOpLayers.ConvStackBackward(dout, cache);
        AssertClose(GradCheck.Numerical(v => LoopOpLayers.ConvStack(v, w, 3), x, dout), dx, "dx");
        AssertClose(GradCheck.Numerical(v => LoopOpLayers.ConvStack(x, v, 3), w, dout), dw, "dw");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Max_pool_writing_over_the_state_in_a_loop_matches_central_differences(int n)
    {
        var x = Tensor.RandomNormal(20, 2, 2, 6, 6);
        var scale = Tensor.RandomNormal(21, 1, 2, 1, 1);
        var dout = Tensor.RandomNormal(22, 2, 2, 6 - n, 6 - n);
        var (_, cache) = LoopOpLayers.PooledStackForward(x, scale, n);
        var (dx, dscale) = LoopOpLayers.PooledStackBackward(dout, cache);
        AssertClose(GradCheck.Numerical(v => LoopOpLayers.PooledStack(v, scale, n), x, dout), dx, "dx");
        AssertClose(GradCheck.Numerical(v => LoopOpLayers.PooledStack(x, v, n), scale, dout), dscale, "dscale");
    }

    [Fact]
    public void Max_pool_in_a_loop_tapes_its_argmax_each_iteration_and_not_the_tensor_it_pooled()
    {
        var (_, cache) = LoopOpLayers.PooledStackForward(Tensor.RandomNormal(20, 2, 2, 6, 6), Tensor.RandomNormal(21, 1, 2, 1, 1), 3);

        // Only h, which the product reads, is taped as tensors (the states 6², 5², 4²); the pool's input, scaled, is not
        // (the old backward found the maxima again in it), and the argmaxes of the pooled 5², 4², 3² cost 4 bytes an index.
        var tapes = typeof(LoopOpLayers.PooledStackCache).GetProperties().Select(p => p.Name).Where(name => name.EndsWith("Tape")).ToList();
        Assert.Equal(new[] { "HTape", "HArgmaxTape" }, tapes);
        Assert.Equal(3, cache.HArgmaxTape.Count);
        Assert.Equal((8L * 4 * (36 + 25 + 16)) + (4L * 4 * (25 + 16 + 9)), cache.TapeBytes);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Max_pool_in_an_arm_of_a_branch_in_a_loop_matches_central_differences(int n)
    {
        var x = Tensor.RandomNormal(29, 2, 2, 6, 6);
        var scale = Tensor.RandomNormal(30, 1, 2, 1, 1);
        var side = 5 - ((n + 1) / 2);
        var dout = Tensor.RandomNormal(31, 2, 2, side, side);
        var (_, cache) = LoopOpLayers.PooledOnEvenRoundsForward(x, scale, n);
        var (dx, dscale) = LoopOpLayers.PooledOnEvenRoundsBackward(dout, cache);
        AssertClose(GradCheck.Numerical(v => LoopOpLayers.PooledOnEvenRounds(v, scale, n), x, dout), dx, "dx");
        AssertClose(GradCheck.Numerical(v => LoopOpLayers.PooledOnEvenRounds(x, v, n), scale, dout), dscale, "dscale");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Max_pools_before_in_and_nested_in_a_loop_match_central_differences(int n)
    {
        var x = Tensor.RandomNormal(23, 2, 2, 8, 8);
        var w = Tensor.RandomNormal(24, 1, 2, 8, 8);
        var (_, cache) = LoopOpLayers.PooledLossForward(x, w, n);
        var (dx, dw) = LoopOpLayers.PooledLossBackward(1.0, cache);
        AssertClose(GradCheck.Numerical(v => LoopOpLayers.PooledLoss(v, w, n), x), dx, "dx");
        AssertClose(GradCheck.Numerical(v => LoopOpLayers.PooledLoss(x, v, n), w), dw, "dw");
        Assert.Equal(n, cache.CornerArgmaxTape.Count);
    }

    [Fact]
    public void A_called_conv_relu_pool_in_a_loop_matches_central_differences()
    {
        var x = Tensor.RandomNormal(25, 2, 3, 8, 8);
        var w = Tensor.RandomNormal(26, 3, 3, 3, 3) * 0.4;
        var b = Tensor.RandomNormal(27, 1, 3, 1, 1);
        var dout = Tensor.RandomNormal(28, 2, 3, 2, 2);
        var (_, cache) = LoopOpLayers.PooledConvsForward(x, w, b, 2);
        var (dx, dw, db) = LoopOpLayers.PooledConvsBackward(dout, cache);
        AssertClose(GradCheck.Numerical(v => LoopOpLayers.PooledConvs(v, w, b, 2), x, dout), dx, "dx");
        AssertClose(GradCheck.Numerical(v => LoopOpLayers.PooledConvs(x, v, b, 2), w, dout), dw, "dw");
        AssertClose(GradCheck.Numerical(v => LoopOpLayers.PooledConvs(x, w, v, 2), b, dout), db, "db");
    }
}
