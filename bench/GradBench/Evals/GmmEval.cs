using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using static BackpropGen.Tensor;

namespace BackpropGen.GradBench.Evals;

/// <summary>
/// GradBench's <c>gmm</c> (ADBench's GMM objective, with GradBench's three fixes): the log posterior of a Gaussian
/// mixture whose precision matrices are QₖᵀQₖ, Qₖ lower triangular with exp(qₖ) on its diagonal and lₖ below it,
/// column by column, under a Wishart prior. Written over tensors, every component and point at once: the centred
/// points of each component [k, d, n], multiplied by Qₖ in one batched product.
/// </summary>
public static partial class GmmEval
{
    [Differentiable]
    public static double LogPosterior(Tensor alpha, Tensor mu, Tensor q, Tensor l, [NoGrad] Tensor x, int wishartM, [NoGrad] double gamma)
    {
        int n = x.Shape[0];
        int d = x.Shape[1];
        int k = alpha.Shape[0];
        int[] triangle = LowerTriangle(d);
        // one step a value the backward reads, so that it reads it from the cache rather than computing it again
        var qdiag = Exp(q);
        var sumQ = Sum(q, axis: 1);
        // Q as k d×d matrices: each entry gathered from exp(q), l, or a column of zeros above the diagonal
        var entries = Concat(1, qdiag, l, Zeros(k, 1));
        var gathered = Take(entries, triangle, axis: 1);
        var qmat = Reshape(gathered, k, d, d);
        var centred = Reshape(Transpose(x), 1, d, n) - Reshape(mu, k, d, 1);
        var qcentred = MatMul(qmat, centred);
        var squaredNorms = Sum(Square(qcentred), axis: 1);
        var logWeights = Reshape(alpha + sumQ, k, 1);
        var beta = logWeights - (0.5 * squaredNorms);
        // log Σₖ exp(βₖᵢ) for each point, shifted by its maximum
        var betaMax = Max(beta, axis: 0);
        var exponentials = Exp(beta - betaMax);
        var sums = Sum(exponentials, axis: 0);
        var lsePoints = Log(sums) + betaMax;
        var alphaMax = Max(alpha);
        var alphaExponentials = Exp(alpha - alphaMax);
        var lseAlpha = Math.Log(Sum(alphaExponentials)) + alphaMax;
        double likelihood = (-n * d * 0.5 * Math.Log(2 * Math.PI)) + Sum(lsePoints) - (n * lseAlpha);
        // the Wishart prior: its constant, then ½γ²‖Q‖²_F and m Σ q for each component
        int wishartN = d + wishartM + 1;
        double constant = (wishartN * d * (Math.Log(gamma) - (0.5 * Math.Log(2)))) - LogMultivariateGamma(0.5 * wishartN, d);
        var frobenius = Sum(Square(qdiag)) + Sum(Square(l));
        double prior = (k * constant) - (0.5 * gamma * gamma * frobenius) + (wishartM * Sum(sumQ));
        return likelihood + prior;
    }

    /// <summary>
    /// Where each entry of a d×d lower-triangular Q, row-major, is found among exp(q) (the first d columns), l (the next
    /// d(d−1)/2, column by column as GradBench orders them) and a zero (the last).
    /// </summary>
    public static int[] LowerTriangle(int d)
    {
        var zero = d + (d * (d - 1) / 2);
        var index = Enumerable.Repeat(zero, d * d).ToArray();
        var next = d;
        for (var column = 0; column < d; column++)
        {
            index[(column * d) + column] = column;
            for (var row = column + 1; row < d; row++)
            {
                index[(row * d) + column] = next++;
            }
        }

        return index;
    }

    /// <summary>log Γ_p(a), the multivariate gamma function's logarithm.</summary>
    public static double LogMultivariateGamma(double a, int p)
    {
        var sum = 0.25 * p * (p - 1) * Math.Log(Math.PI);
        for (var j = 1; j <= p; j++)
        {
            sum += LogGamma(a + (0.5 * (1 - j)));
        }

        return sum;
    }

    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    /// <summary>log Γ(z) for z &gt; 0 (Lanczos, g = 7, nine terms: about 15 digits), which System.Math lacks.</summary>
    public static double LogGamma(double z)
    {
        if (z < 0.5)
        {
            // the reflection formula
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * z))) - LogGamma(1 - z);
        }

        z -= 1;
        var series = Lanczos[0];
        for (var i = 1; i < Lanczos.Length; i++)
        {
            series += Lanczos[i] / (z + i);
        }

        var t = z + 7.5;
        return (0.5 * Math.Log(2 * Math.PI)) + ((z + 0.5) * Math.Log(t)) - t + Math.Log(series);
    }

    private sealed record Input(Tensor Alpha, Tensor Mu, Tensor Q, Tensor L, Tensor X, int M, double Gamma)
    {
        public static Input Read(JsonNode input)
        {
            var (d, k) = (Json.Int(input, "d"), Json.Int(input, "k"));
            // rows of l are empty when d = 1: read as k × 0
            var l = d == 1 ? Zeros(k, 0) : Json.Matrix(input, "l");
            return new(Json.Vector(input, "alpha"), Json.Matrix(input, "mu"), Json.Matrix(input, "q"), l,
                Json.Matrix(input, "x"), Json.Int(input, "m"), Json.Double(input, "gamma"));
        }
    }

    public static EvalModule Module { get; } = new("gmm", new Dictionary<string, Func<JsonNode, Evaluation>>
    {
        ["objective"] = json =>
        {
            var i = Input.Read(json);
            return Evaluation.Of(() => LogPosterior(i.Alpha, i.Mu, i.Q, i.L, i.X, i.M, i.Gamma), Json.Number);
        },
        ["jacobian"] = json =>
        {
            var i = Input.Read(json);
            return Evaluation.Of(
                () => LogPosteriorBackward(1.0, LogPosteriorForward(i.Alpha, i.Mu, i.Q, i.L, i.X, i.M, i.Gamma).Cache),
                g => new JsonObject { ["alpha"] = Json.Array(g.dalpha), ["mu"] = Json.Rows(g.dmu), ["q"] = Json.Rows(g.dq), ["l"] = Json.Rows(g.dl) });
        },
    });
}
