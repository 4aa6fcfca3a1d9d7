using System.Collections.Generic;
using System.Text.Json.Nodes;

namespace BackpropGen.GradBench.Evals;

/// <summary>GradBench's <c>hello</c>: <c>square</c> is x², <c>double</c> its gradient, 2x, from the generated backward.</summary>
public static partial class Hello
{
    [Differentiable]
    public static double Square(double x) => x * x;

    public static EvalModule Module { get; } = new("hello", new Dictionary<string, System.Func<JsonNode, Evaluation>>
    {
        ["square"] = input =>
        {
            var x = input.GetValue<double>();
            return Evaluation.Of(() => Square(x), Json.Number);
        },
        ["double"] = input =>
        {
            var x = input.GetValue<double>();
            return Evaluation.Of(() => SquareBackward(1.0, SquareForward(x).Cache), Json.Number);
        },
    });
}
