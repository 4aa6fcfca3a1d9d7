using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using static BackpropGen.Tensor;

namespace BackpropGen.GradBench.Evals;

/// <summary>
/// GradBench's <c>llsq</c> (cmpad's <c>llsq_obj</c>): ½ Σᵢ (sign(tᵢ) − Σⱼ xⱼ tᵢʲ)² over n points tᵢ evenly spaced on
/// [−1, 1], written in the vectorised form GradBench suggests for tensor tools: the residuals are sign(t) − T x, T the
/// n × m matrix of the powers tᵢʲ (a constant, built by plain loops inside the objective).
/// </summary>
public static partial class LeastSquaresEval
{
    [Differentiable]
    public static double LeastSquares(Tensor x, int n)
    {
        int m = x.Shape[0];
        var powers = Powers(n, m);
        var signs = Signs(n);
        var residuals = signs - Dot(powers, Reshape(x, m, 1));
        return 0.5 * Sum(Square(residuals));
    }

    /// <summary>The n evenly spaced points of [−1, 1], as the golden C++ computes them.</summary>
    public static double Point(int i, int n) => -1.0 + (i * 2.0 / (n - 1));

    /// <summary>tᵢʲ for i &lt; n, j &lt; m: row i holds 1, tᵢ, tᵢ², ….</summary>
    public static Tensor Powers(int n, int m)
    {
        var powers = new double[n * m];
        for (var i = 0; i < n; i++)
        {
            var (t, power) = (Point(i, n), 1.0);
            for (var j = 0; j < m; j++)
            {
                powers[(i * m) + j] = power;
                power *= t;
            }
        }

        return Tensor.FromArray(powers, n, m);
    }

    /// <summary>sign(tᵢ) as an n × 1 column.</summary>
    public static Tensor Signs(int n)
    {
        var signs = new double[n];
        for (var i = 0; i < n; i++)
        {
            signs[i] = Math.Sign(Point(i, n));
        }

        return Tensor.FromArray(signs, n, 1);
    }

    public static EvalModule Module { get; } = new("llsq", new Dictionary<string, Func<JsonNode, Evaluation>>
    {
        ["primal"] = input =>
        {
            var (x, n) = (Json.Vector(input, "x"), Json.Int(input, "n"));
            return Evaluation.Of(() => LeastSquares(x, n), Json.Number);
        },
        ["gradient"] = input =>
        {
            var (x, n) = (Json.Vector(input, "x"), Json.Int(input, "n"));
            return Evaluation.Of(() => LeastSquaresBackward(1.0, LeastSquaresForward(x, n).Cache), Json.Array);
        },
    });
}
