using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using static BackpropGen.Tensor;

namespace BackpropGen.GradBench.Evals;

/// <summary>
/// GradBench's <c>ode</c> (cmpad's <c>an_ode</c>): y₀′ = x₀, yᵢ′ = xᵢ yᵢ₋₁, y(0) = 0, solved on [0, 2] by s steps of
/// classic Runge–Kutta; the gradient is that of the solution's last element with respect to x.
/// </summary>
public static partial class OdeEval
{
    /// <summary>The right-hand side: x times y shifted down by one, a 1 in front.</summary>
    [Differentiable]
    public static Tensor Derivative(Tensor x, Tensor y)
    {
        int n = x.Shape[0];
        var shifted = Concat(0, Ones(1), Slice(y, 0, 0, n - 1));
        return x * shifted;
    }

    [Differentiable]
    public static Tensor RungeKutta(Tensor x, int s)
    {
        int n = x.Shape[0];
        double h = 2.0 / s;
        var y = Zeros(n);
        for (int step = 0; step < s; step++)
        {
            var k1 = Derivative(x, y);
            var k2 = Derivative(x, y + (h / 2.0 * k1));
            var k3 = Derivative(x, y + (h / 2.0 * k2));
            var k4 = Derivative(x, y + (h * k3));
            y = y + (h / 6.0 * (k1 + (2.0 * k2) + (2.0 * k3) + k4));
        }

        return y;
    }

    public static EvalModule Module { get; } = new("ode", new Dictionary<string, Func<JsonNode, Evaluation>>
    {
        ["primal"] = input =>
        {
            var (x, s) = (Json.Vector(input, "x"), Json.Int(input, "s"));
            return Evaluation.Of(() => RungeKutta(x, s), Json.Array);
        },
        ["gradient"] = input =>
        {
            var (x, s) = (Json.Vector(input, "x"), Json.Int(input, "s"));
            // the gradient of the last element of the solution: the backward of a one-hot output gradient
            var oneHot = new double[x.Length];
            oneHot[^1] = 1.0;
            var lastElement = FromArray(oneHot, x.Length);
            return Evaluation.Of(() => RungeKuttaBackward(lastElement, RungeKuttaForward(x, s).Cache), Json.Array);
        },
    });
}
