using System;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using Samples.Cs231n;
using Xunit;

namespace BackpropGen.Tests.EndToEnd;

/// <summary>
/// The fused backward (passes over the rows) against the step-by-step one it is generated beside: it must run for the
/// shapes it is made for, agree with the steps to rounding, and decline the shapes it is not made for, so that the
/// backward a user calls falls back to the steps.
/// </summary>
public class FusedBackwardTests
{
    private const double Eps = 1e-5;

    /// <summary>Rounding only: the two sum in different orders.</summary>
    private const double Agreement = 1e-11;

    public static TheoryData<int, int> Shapes() => new()
    {
        { 6, 4 },   // whole lanes only
        { 7, 9 },   // a partial lane at the end of every row
        { 5, 3 },   // rows narrower than a lane
        { 1, 5 },   // one row
        { 4, 1 },   // one column
        { 33, 17 },
        { 64, 64 },
        { 600, 300 },   // blocks of rows, run in parallel
        { 1200, 131 },  // blocks, and a partial lane at the end of every row
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Fused_batchnorm_runs_and_agrees_with_the_steps(int n, int d)
    {
        var (x, gamma, beta, dout) = Inputs(n, d, gammaShape: [d]);
        var (_, cache) = Layers.BatchNormForward(x, gamma, beta, Eps);

        var fused = Layers.BatchNormBackwardFused(dout, cache);
        var steps = Layers.BatchNormBackwardSteps(dout, cache);

        Assert.NotNull(fused);
        AssertAgree(steps.dx, fused.Value.dx);
        AssertAgree(steps.dgamma, fused.Value.dgamma);
        AssertAgree(steps.dbeta, fused.Value.dbeta);
    }

    [Fact]
    public void Blocks_run_in_parallel_give_the_same_bits_every_time()
    {
        Assert.True(RowLayout.Of(new TensorShape(2000, 257)).Blocks > 1);
        // Each block sums into its own accumulator and the blocks are added in order, whatever thread ran which.
        var (x, gamma, beta, dout) = Inputs(2000, 257, gammaShape: [257]);
        var (_, cache) = Layers.BatchNormForward(x, gamma, beta, Eps);
        var first = Layers.BatchNormBackwardFused(dout, cache)!.Value;
        for (var run = 0; run < 5; run++)
        {
            var again = Layers.BatchNormBackwardFused(dout, cache)!.Value;
            Assert.Equal(first.dx.ToArray(), again.dx.ToArray());
            Assert.Equal(first.dgamma.ToArray(), again.dgamma.ToArray());
            Assert.Equal(first.dbeta.ToArray(), again.dbeta.ToArray());
        }
    }

    [Fact]
    public void A_full_size_gamma_is_read_row_by_row_and_its_gradient_is_not_summed()
    {
        var (x, gamma, beta, dout) = Inputs(6, 5, gammaShape: [6, 5]);
        var (_, cache) = Layers.BatchNormForward(x, gamma, beta, Eps);

        var fused = Layers.BatchNormBackwardFused(dout, cache);
        var steps = Layers.BatchNormBackwardSteps(dout, cache);

        Assert.NotNull(fused);
        Assert.Equal(new TensorShape(6, 5), fused.Value.dgamma.Shape);
        AssertAgree(steps.dgamma, fused.Value.dgamma);
        AssertAgree(steps.dx, fused.Value.dx);
    }

    [Fact]
    public void A_scalar_gamma_is_broadcast_and_its_gradient_summed_to_one_element()
    {
        var (x, gamma, beta, dout) = Inputs(6, 5, gammaShape: [1]);
        var (_, cache) = Layers.BatchNormForward(x, gamma, beta, Eps);

        var fused = Layers.BatchNormBackwardFused(dout, cache);
        var steps = Layers.BatchNormBackwardSteps(dout, cache);

        Assert.NotNull(fused);
        Assert.Equal(new TensorShape(1), fused.Value.dgamma.Shape);
        AssertAgree(steps.dgamma, fused.Value.dgamma);
        AssertAgree(steps.dx, fused.Value.dx);
    }

    [Fact]
    public void Full_size_values_of_two_shapes_are_declined_and_left_to_the_steps()
    {
        // The prediction is [7, 9] and the penalised weights [9]: the fused form walks the rows of one shape only.
        var arguments = ArgumentsFor(typeof(UserWrittenLayers).GetMethod(nameof(UserWrittenLayers.RegularizedMse))!, n: 7, d: 9);
        var (_, cache) = UserWrittenLayers.RegularizedMseForward((Tensor)arguments[0], (Tensor)arguments[1], (Tensor)arguments[2], (double)arguments[3]);

        Assert.Null(UserWrittenLayers.RegularizedMseBackwardFused(0.75, cache));
        var called = UserWrittenLayers.RegularizedMseBackward(0.75, cache);
        var steps = UserWrittenLayers.RegularizedMseBackwardSteps(0.75, cache);
        Assert.Equal(steps.dprediction.ToArray(), called.dprediction.ToArray());
        Assert.Equal(steps.dw.ToArray(), called.dw.ToArray());
    }

    [Fact]
    public void Three_dimensional_input_is_declined_and_the_backward_falls_back_to_the_steps()
    {
        // Sum(x, axis: 0) of [2, 3, 4] is [3, 4]: not a row of the [6, 4] rows the fused form would walk.
        var x = Tensor.RandomNormal(1, 2, 3, 4);
        var gamma = Tensor.RandomNormal(2, 4);
        var beta = Tensor.RandomNormal(3, 4);
        var dout = Tensor.RandomNormal(4, 2, 3, 4);
        var (_, cache) = Layers.BatchNormForward(x, gamma, beta, Eps);

        Assert.Null(Layers.BatchNormBackwardFused(dout, cache));
        var (dx, dgamma, dbeta) = Layers.BatchNormBackward(dout, cache);
        var steps = Layers.BatchNormBackwardSteps(dout, cache);
        Assert.Equal(steps.dx.ToArray(), dx.ToArray());
        Assert.Equal(steps.dgamma.ToArray(), dgamma.ToArray());
        Assert.Equal(steps.dbeta.ToArray(), dbeta.ToArray());
    }

    [Fact]
    public void A_dout_of_the_wrong_shape_or_null_is_refused_by_both_forms_with_one_message()
    {
        var (x, gamma, beta, _) = Inputs(6, 4, gammaShape: [4]);
        var (_, cache) = Layers.BatchNormForward(x, gamma, beta, Eps);
        var wrong = Tensor.RandomNormal(5, 3, 4);

        var fused = Assert.Throws<ArgumentException>(() => Layers.BatchNormBackwardFused(wrong, cache));
        var steps = Assert.Throws<ArgumentException>(() => Layers.BatchNormBackwardSteps(wrong, cache));
        Assert.Equal(steps.Message, fused.Message);
        Assert.StartsWith("BatchNormBackward: dout has shape [3, 4], but the forward's result has shape [6, 4]", steps.Message);
        Assert.Equal(
            Assert.Throws<ArgumentNullException>(() => Layers.BatchNormBackwardSteps(null!, cache)).Message,
            Assert.Throws<ArgumentNullException>(() => Layers.BatchNormBackwardFused(null!, cache)).Message);
    }

    [Fact]
    public void The_backward_a_user_calls_is_the_fused_one_when_it_applies()
    {
        var (x, gamma, beta, dout) = Inputs(7, 9, gammaShape: [9]);
        var (_, cache) = Layers.BatchNormForward(x, gamma, beta, Eps);

        var called = Layers.BatchNormBackward(dout, cache);
        var fused = Layers.BatchNormBackwardFused(dout, cache)!.Value;

        Assert.Equal(fused.dx.ToArray(), called.dx.ToArray());
        Assert.Equal(fused.dgamma.ToArray(), called.dgamma.ToArray());
    }

    [Fact]
    public void Fused_batchnorm_matches_central_differences()
    {
        var (x, gamma, beta, dout) = Inputs(7, 9, gammaShape: [9]);
        var (_, cache) = Layers.BatchNormForward(x, gamma, beta, Eps);
        var (dx, dgamma, dbeta) = Layers.BatchNormBackwardFused(dout, cache)!.Value;

        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => Layers.BatchNorm(v, gamma, beta, Eps), x, dout), dx) < 1e-7);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => Layers.BatchNorm(x, v, beta, Eps), gamma, dout), dgamma) < 1e-7);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => Layers.BatchNorm(x, gamma, v, Eps), beta, dout), dbeta) < 1e-7);
    }

    [Theory]
    [InlineData(7, 9)]   // a partial lane at the end of every row
    [InlineData(3, 16)]  // whole lanes only
    public void Fused_row_layernorm_matches_central_differences(int n, int d)
    {
        var (x, gamma, beta, dout) = Inputs(n, d, gammaShape: [d]);
        foreach (var (forward, backward, layer) in new (Func<Tensor, Tensor, Tensor, double, (Tensor, object)>, Func<Tensor, object, (Tensor, Tensor, Tensor)?>, Func<Tensor, Tensor, Tensor, double, Tensor>)[]
        {
            ((a, b, c, e) => Layers.LayerNormForward(a, b, c, e), (g, cache) => Layers.LayerNormBackwardFused(g, (Layers.LayerNormCache)cache), Layers.LayerNorm),
            ((a, b, c, e) => RowReductionLayers.LayerNormLastAxisForward(a, b, c, e), (g, cache) => RowReductionLayers.LayerNormLastAxisBackwardFused(g, (RowReductionLayers.LayerNormLastAxisCache)cache), RowReductionLayers.LayerNormLastAxis),
        })
        {
            var (_, cache) = forward(x, gamma, beta, Eps);
            var (dx, dgamma, dbeta) = backward(dout, cache)!.Value;

            Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => layer(v, gamma, beta, Eps), x, dout), dx) < 1e-7);
            Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => layer(x, v, beta, Eps), gamma, dout), dgamma) < 1e-7);
            Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => layer(x, gamma, v, Eps), beta, dout), dbeta) < 1e-7);
        }
    }

    [Fact]
    public void Fused_row_softmax_cross_entropy_and_log_softmax_match_central_differences()
    {
        var scores = Tensor.RandomNormal(51, 7, 9) * 2.0;
        var labels = Tensor.FromArray(Enumerable.Range(0, 63).Select(k => k % 9 == (k / 9 * 4) % 9 ? 1.0 : 0.0).ToArray(), 7, 9);
        var (_, lossCache) = RowReductionLayers.SoftmaxCrossEntropyForward(scores, labels);
        var dscores = RowReductionLayers.SoftmaxCrossEntropyBackwardFused(0.75, lossCache);
        Assert.NotNull(dscores);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => RowReductionLayers.SoftmaxCrossEntropy(v, labels), scores, 0.75), dscores) < 1e-7);

        var dout = Tensor.RandomNormal(52, 7, 9);
        var (_, logCache) = RowReductionLayers.LogSoftmaxRowsForward(scores);
        var dx = RowReductionLayers.LogSoftmaxRowsBackwardFused(dout, logCache);
        Assert.NotNull(dx);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(RowReductionLayers.LogSoftmaxRows, scores, dout), dx) < 1e-7);

        // Row sums not kept as a column: their gradient is read once a row through its expansion along axis 1.
        var (_, totalCache) = RowReductionLayers.LogSumExpTotalForward(scores);
        var dtotal = RowReductionLayers.LogSumExpTotalBackwardFused(1.0, totalCache);
        Assert.NotNull(dtotal);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(RowReductionLayers.LogSumExpTotal, scores), dtotal) < 1e-7);
    }

    [Fact]
    public void Fused_column_and_row_reductions_in_one_backward_match_central_differences()
    {
        var (x, gamma, _, dout) = Inputs(7, 9, gammaShape: [9]);
        var (_, cache) = RowReductionLayers.CenteredColumnsScaledRowsForward(x, gamma);
        var (dx, dgamma) = RowReductionLayers.CenteredColumnsScaledRowsBackwardFused(dout, cache)!.Value;

        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => RowReductionLayers.CenteredColumnsScaledRows(v, gamma), x, dout), dx) < 1e-7);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => RowReductionLayers.CenteredColumnsScaledRows(x, v), gamma, dout), dgamma) < 1e-7);
    }

    [Fact]
    public void A_row_statistic_of_the_wrong_shape_is_declined_and_left_to_the_steps()
    {
        // A [1, D] "row" mean where the planner expects a column: the column reader refuses it, the steps answer.
        var x = Tensor.RandomNormal(61, 6, 5);
        var (_, cache) = Layers.LayerNormForward(x, Tensor.RandomNormal(62, 5), Tensor.RandomNormal(63, 5), Eps);
        var wrong = cache with { Mu = Tensor.RandomNormal(64, 1, 5) };
        Assert.Null(Layers.LayerNormBackwardFused(Tensor.RandomNormal(65, 6, 5), wrong));
    }

    /// <summary>Other layers with a fused form, and the [N, D] of their inputs.</summary>
    public static TheoryData<Type, string, int, int> OtherLayers() => new()
    {
        { typeof(Layers), nameof(Layers.LayerNorm), 7, 9 },      // sums along the rows, into columns
        { typeof(Layers), nameof(Layers.LayerNorm), 5, 3 },
        { typeof(Layers), nameof(Layers.LayerNorm), 64, 64 },
        { typeof(Layers), nameof(Layers.LayerNorm), 1200, 131 },  // column sums in blocks run in parallel
        { typeof(BatchNormVariants), nameof(BatchNormVariants.WithMean), 7, 9 },
        { typeof(BatchNormVariants), nameof(BatchNormVariants.Compact), 7, 9 },
        { typeof(BatchNormVariants), nameof(BatchNormVariants.ScaledBatchNorm), 7, 9 },
        { typeof(UserWrittenLayers), nameof(UserWrittenLayers.RmsNorm), 7, 9 },
        { typeof(UserWrittenLayers), nameof(UserWrittenLayers.BinaryCrossEntropy), 7, 9 },
        { typeof(UserWrittenLayers), nameof(UserWrittenLayers.CenteredTwiceScaled), 7, 9 },   // scales multiplied once
        { typeof(UserWrittenLayers), nameof(UserWrittenLayers.CenteredTwiceScaled), 600, 301 },
        { typeof(SelectionLayers), nameof(SelectionLayers.Wave), 7, 9 },
        { typeof(SelectionLayers), nameof(SelectionLayers.Wave), 600, 301 },
        { typeof(SelectionLayers), nameof(SelectionLayers.ClippedScale), 7, 9 },
        { typeof(SelectionLayers), nameof(SelectionLayers.ClippedScale), 600, 301 },
        { typeof(SelectionLayers), nameof(SelectionLayers.Gated), 7, 9 },
        { typeof(SelectionLayers), nameof(SelectionLayers.Gated), 600, 301 },
        { typeof(RowReductionLayers), nameof(RowReductionLayers.LayerNormLastAxis), 7, 9 },
        { typeof(RowReductionLayers), nameof(RowReductionLayers.LayerNormLastAxis), 1, 5 },     // one row
        { typeof(RowReductionLayers), nameof(RowReductionLayers.LayerNormLastAxis), 4, 1 },     // rows one element wide
        { typeof(RowReductionLayers), nameof(RowReductionLayers.LayerNormLastAxis), 600, 301 }, // blocks, partial lanes
        { typeof(RowReductionLayers), nameof(RowReductionLayers.SoftmaxCrossEntropy), 7, 9 },
        { typeof(RowReductionLayers), nameof(RowReductionLayers.SoftmaxCrossEntropy), 5, 3 },
        { typeof(RowReductionLayers), nameof(RowReductionLayers.SoftmaxCrossEntropy), 600, 301 },
        { typeof(RowReductionLayers), nameof(RowReductionLayers.LogSoftmaxRows), 7, 9 },
        { typeof(RowReductionLayers), nameof(RowReductionLayers.LogSoftmaxRows), 600, 301 },
        { typeof(RowReductionLayers), nameof(RowReductionLayers.CenteredColumnsScaledRows), 7, 9 },
        { typeof(RowReductionLayers), nameof(RowReductionLayers.CenteredColumnsScaledRows), 600, 301 },
        { typeof(RowReductionLayers), nameof(RowReductionLayers.LogSumExpTotal), 7, 9 },
    };

    [Fact]
    public void Factors_multiplied_once_as_rows_are_still_right_when_one_is_a_column()
    {
        // The planner guessed b a per-feature row; a column makes gamma-like a * b a full N×D tensor between the passes.
        var (x, a, b) = (Tensor.RandomNormal(41, 7, 9), Tensor.RandomNormal(42, 9), Tensor.RandomNormal(43, 7, 1));
        var (result, cache) = UserWrittenLayers.CenteredTwiceScaledForward(x, a, b);
        var dout = Tensor.RandomNormal(44, result.Shape.ToArray());

        var fused = UserWrittenLayers.CenteredTwiceScaledBackwardFused(dout, cache);
        var steps = UserWrittenLayers.CenteredTwiceScaledBackwardSteps(dout, cache);

        Assert.NotNull(fused);
        AssertAgree(steps.dx, fused.Value.dx);
        AssertAgree(steps.da, fused.Value.da);
        AssertAgree(steps.db, fused.Value.db);
        Assert.Equal(new TensorShape(7, 1), fused.Value.db.Shape);
    }

    [Theory]
    [MemberData(nameof(OtherLayers))]
    public void Fused_form_of_other_layers_runs_and_agrees_with_the_steps(Type type, string method, int n, int d)
    {
        var arguments = ArgumentsFor(type.GetMethod(method)!, n, d);
        var forward = (ITuple)type.GetMethod(method + "Forward")!.Invoke(null, arguments)!;
        var (result, cache) = (forward[0], forward[1]);
        object dout = result is Tensor tensor ? Tensor.RandomNormal(21, tensor.Shape.ToArray()) : 0.75;

        var fused = type.GetMethod(method + "BackwardFused")!.Invoke(null, [dout, cache]);
        var steps = type.GetMethod(method + "BackwardSteps")!.Invoke(null, [dout, cache])!;

        Assert.NotNull(fused);
        var fusedGradients = fused is ITuple many ? Enumerable.Range(0, many.Length).Select(k => many[k]!).ToArray() : [fused];
        var stepGradients = steps is ITuple all ? Enumerable.Range(0, all.Length).Select(k => all[k]!).ToArray() : [steps];
        Assert.Equal(stepGradients.Length, fusedGradients.Length);
        for (var k = 0; k < stepGradients.Length; k++)
        {
            if (stepGradients[k] is Tensor expected)
            {
                AssertAgree(expected, (Tensor)fusedGradients[k]);
            }
            else
            {
                var (a, b) = ((double)stepGradients[k], (double)fusedGradients[k]);
                Assert.True(Math.Abs(a - b) <= Agreement * Math.Max(1.0, Math.Abs(a)), $"gradient {k}: steps {a:R}, fused {b:R}");
            }
        }
    }

    /// <summary>An [N, D] tensor for the first parameter and every target, a [D] one for the others, numbers for doubles.</summary>
    private static object[] ArgumentsFor(MethodInfo method, int n, int d) => method.GetParameters()
        .Select((parameter, i) => parameter.ParameterType == typeof(double)
            ? (object)(parameter.Name is "eps" or "epsilon" ? Eps : 0.7)
            : i == 0 || parameter.Name is "target" or "y" or "labels"
                ? (object)(Tensor.RandomNormal(30 + i, n, d) * 0.5 + (parameter.Name is "y" or "labels" ? 0.5 : 0.0))
                : Tensor.RandomNormal(30 + i, d))
        .ToArray();

    private static (Tensor X, Tensor Gamma, Tensor Beta, Tensor Dout) Inputs(int n, int d, int[] gammaShape) =>
        (Tensor.RandomNormal(n * 100 + d, n, d) * 2.0 + 1.0,
         Tensor.RandomNormal(7, gammaShape),
         Tensor.RandomNormal(8, d),
         Tensor.RandomNormal(9, n, d));

    private static void AssertAgree(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var a = expected.AsSpan();
        var b = actual.AsSpan();
        for (var i = 0; i < a.Length; i++)
        {
            var scale = Math.Max(1.0, Math.Max(Math.Abs(a[i]), Math.Abs(b[i])));
            if (!(Math.Abs(a[i] - b[i]) <= Agreement * scale))
            {
                Assert.Fail($"element {i}: steps {a[i]:R}, fused {b[i]:R}");
            }
        }
    }
}
