using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;

namespace BackpropGen.GradBench.Evals;

/// <summary>
/// GradBench's <c>llsq</c> (cmpad's <c>llsq_obj</c>): ½ Σᵢ (sign(tᵢ) − Σⱼ xⱼ tᵢʲ)² over n points tᵢ evenly spaced on
/// [−1, 1], written as the golden C++ writes it, a loop over the points around a loop over the coefficients.
/// </summary>
public static partial class LeastSquaresEval
{
    [Differentiable]
    public static double LeastSquares(Tensor x, int n)
    {
        int m = x.Shape[0];
        double sum = 0.0;
        for (int i = 0; i < n; i++)
        {
            double t = -1.0 + (i * 2.0 / (n - 1));
            double residual = Math.Sign(t);
            double power = 1.0;
            for (int j = 0; j < m; j++)
            {
                residual -= x[j] * power;
                power *= t;
            }

            sum += residual * residual;
        }

        return sum / 2.0;
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
