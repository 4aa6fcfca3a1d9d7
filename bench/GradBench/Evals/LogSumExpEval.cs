using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using static BackpropGen.Tensor;

namespace BackpropGen.GradBench.Evals;

/// <summary>GradBench's <c>lse</c>: log Σ exp(xᵢ) by the max trick, from its primitives (a maximum, a sum).</summary>
public static partial class LogSumExpEval
{
    [Differentiable]
    public static double LogSumExp(Tensor x)
    {
        // The maximum only keeps the exponentials in range: its gradients through a and through Exp(x - a) cancel, so
        // none is taken (as JAX's logsumexp does).
        var a = StopGradient(Max(x));
        // a step of its own, so that the backward reads the exponentials from the cache rather than computing them again
        var exponentials = Exp(x - a);
        var s = Sum(exponentials);
        return a + Math.Log(s);
    }

    public static EvalModule Module { get; } = new("lse", new Dictionary<string, Func<JsonNode, Evaluation>>
    {
        ["primal"] = input =>
        {
            var x = Json.Vector(input, "x");
            return Evaluation.Of(() => LogSumExp(x), Json.Number);
        },
        ["gradient"] = input =>
        {
            var x = Json.Vector(input, "x");
            return Evaluation.Of(() => LogSumExpBackward(1.0, LogSumExpForward(x).Cache), Json.Array);
        },
    });
}
