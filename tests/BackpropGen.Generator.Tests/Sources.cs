namespace BackpropGen.Generator.Tests;

/// <summary>User code the generator tests compile.</summary>
internal static class Sources
{
    /// <summary>SPEC.md §1, word for word.</summary>
    public const string SpecBatchNorm = """
        using BackpropGen;
        using static BackpropGen.Tensor;

        public static partial class Layers
        {
            [Differentiable]
            public static Tensor BatchNorm(Tensor x, Tensor gamma, Tensor beta, [NoGrad] double eps)
            {
                int N = x.Shape[0];
                // step 1: calculate mean
                var mu = 1.0 / N * Sum(x, axis: 0);
                // step 2: subtract mean vector of every training example
                var xmu = x - mu;
                // step 3: following the lower branch - calculation denominator
                var sq = Square(xmu);
                // step 4: calculate variance
                var variance = 1.0 / N * Sum(sq, axis: 0);
                // step 5: add eps for numerical stability, then sqrt
                var sqrtvar = Sqrt(variance + eps);
                // step 6: invert sqrtvar
                var ivar = 1.0 / sqrtvar;
                // step 7: execute normalization
                var xhat = xmu * ivar;
                // step 8: the two transformation steps
                var gammax = gamma * xhat;
                // step 9
                var @out = gammax + beta;
                return @out;
            }
        }
        """;

    /// <summary>The seed's own names (<c>var</c>), in a namespace, as samples/BatchNorm writes it.</summary>
    public const string SeedBatchNorm = """
        using BackpropGen;
        using static BackpropGen.Tensor;

        namespace Samples;

        public static partial class Layers
        {
            [Differentiable]
            public static Tensor BatchNorm(Tensor x, Tensor gamma, Tensor beta, [NoGrad] double eps)
            {
                int N = x.Shape[0];
                var mu = 1.0 / N * Sum(x, axis: 0);
                var xmu = x - mu;
                var sq = Square(xmu);
                var @var = 1.0 / N * Sum(sq, axis: 0);
                var sqrtvar = Sqrt(@var + eps);
                var ivar = 1.0 / sqrtvar;
                var xhat = xmu * ivar;
                var gammax = gamma * xhat;
                var @out = gammax + beta;
                return @out;
            }
        }
        """;

    /// <summary>A body that reassigns a tensor local and accumulates a double by compound assignments.</summary>
    public const string Reassigned = """
        using BackpropGen;
        using static BackpropGen.Tensor;

        public static partial class Layers
        {
            [Differentiable]
            public static double Reassigned(Tensor x, Tensor w, double a)
            {
                var h = x * w;
                h = Tanh(h) + x;
                h *= w + 1.0;
                var loss = Mean(Square(h));
                loss += a * Sum(w);
                loss /= 2.0;
                return loss;
            }
        }
        """;
}
