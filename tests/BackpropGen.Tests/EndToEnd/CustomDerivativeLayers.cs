using System;
using System.Linq;
using static BackpropGen.Tensor;

namespace BackpropGen.Tests.EndToEnd;

/// <summary>
/// Stands for another library: functions BackpropGen has no rule for and that cannot be annotated, written without any
/// of BackpropGen's attributes. Their backwards are the <c>[DerivativeOf]</c> methods of <see cref="LibraryDerivatives"/>.
/// </summary>
public static class SpecialFunctions
{
    /// <summary>The error function, to about 1e-15: its Taylor series near 0, the continued fraction of erfc beyond.</summary>
    public static double Erf(double x)
    {
        var z = Math.Abs(x);
        if (z < 2.5)
        {
            // erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1))
            double term = z, sum = z;
            for (var n = 1; n < 100 && Math.Abs(term) > 1e-17 * Math.Abs(sum); n++)
            {
                term *= -z * z / n;
                sum += term / (2 * n + 1);
            }

            return Math.Sign(x) * 2 / Math.Sqrt(Math.PI) * sum;
        }

        // erfc(z) = e^(-z²)/√π · 1/(z + 1/2/(z + 1/(z + 3/2/(z + …)))), evaluated from the tail.
        var fraction = z;
        for (var k = 60; k >= 1; k--)
        {
            fraction = z + (k / 2.0) / fraction;
        }

        var erfc = Math.Exp(-z * z) / Math.Sqrt(Math.PI) / fraction;
        return Math.Sign(x) * (1 - erfc);
    }

    /// <summary>The error function of every element.</summary>
    public static Tensor Erf(Tensor x) => FromArray(x.ToArray().Select(Erf).ToArray(), x.Shape.ToArray());

    /// <summary>√(a² + b²) elementwise, a and b of one shape.</summary>
    public static Tensor Hypot(Tensor a, Tensor b) => Sqrt(Square(a) + Square(b));

    /// <summary>The Huber loss of each element: x²/2 within <paramref name="delta"/> of 0, linear beyond.</summary>
    public static Tensor Huber(Tensor x, double delta) =>
        FromArray(x.ToArray().Select(v => Math.Abs(v) <= delta ? 0.5 * v * v : delta * (Math.Abs(v) - 0.5 * delta)).ToArray(), x.Shape.ToArray());

    /// <summary>A polynomial of degree <paramref name="degree"/> in x with all coefficients <paramref name="c"/>: c·(x + x² + … + x^degree).</summary>
    public static double Series(double x, double c, int degree)
    {
        double sum = 0, power = 1;
        for (var k = 1; k <= degree; k++)
        {
            power *= x;
            sum += power;
        }

        return c * sum;
    }
}

/// <summary>
/// A custom derivative of doubles in a type of its own, not partial: log(cosh(x)) without overflow,
/// |x| + log(1 + e^(-2|x|)) - log 2, whose derivative is tanh(x).
/// </summary>
public static class ScalarFunctions
{
    [CustomDerivative]
    public static double LogCosh(double x) => Math.Abs(x) + Math.Log(1 + Math.Exp(-2 * Math.Abs(x))) - Math.Log(2);

    public sealed record LogCoshCache(double X);

    public static (double Out, LogCoshCache Cache) LogCoshForward(double x) => (LogCosh(x), new LogCoshCache(x));

    public static double LogCoshBackward(double dout, LogCoshCache cache) => dout * Math.Tanh(cache.X);
}

/// <summary>The backwards of <see cref="SpecialFunctions"/>, written by hand where they are used.</summary>
public static class LibraryDerivatives
{
    /// <summary>System.Math's arctangent, which BackpropGen has no rule for: d atan(d)/dd = 1 / (1 + d²).</summary>
    [DerivativeOf(typeof(Math), nameof(Math.Atan))]
    public static double AtanBackward(double dout, double d) => dout / (1 + d * d);

    private static readonly double TwoOverSqrtPi = 2 / Math.Sqrt(Math.PI);

    /// <summary>d erf(x)/dx = 2/√π e^(-x²).</summary>
    [DerivativeOf(typeof(SpecialFunctions), nameof(SpecialFunctions.Erf))]
    public static double ErfBackward(double dout, double x) => dout * TwoOverSqrtPi * Math.Exp(-x * x);

    /// <summary>The tensor overload's, told apart from the double one's by its parameter types.</summary>
    [DerivativeOf(typeof(SpecialFunctions), nameof(SpecialFunctions.Erf))]
    public static Tensor ErfBackward(Tensor dout, Tensor x) => dout * TwoOverSqrtPi * Exp(-Square(x));

    /// <summary>Both gradients, in parameter order: da = g·a/h, db = g·b/h.</summary>
    [DerivativeOf(typeof(SpecialFunctions), nameof(SpecialFunctions.Hypot))]
    public static (Tensor da, Tensor db) HypotBackward(Tensor dout, Tensor a, Tensor b)
    {
        var h = SpecialFunctions.Hypot(a, b);
        return (dout * a / h, dout * b / h);
    }

    /// <summary>The threshold is a setting, not learnt: [NoGrad] leaves only dx to return.</summary>
    [DerivativeOf(typeof(SpecialFunctions), nameof(SpecialFunctions.Huber))]
    public static Tensor HuberBackward(Tensor dout, Tensor x, [NoGrad] double delta) => dout * Clip(x, -delta, delta);

    /// <summary>The gradients of x and c; the degree, an int, has none.</summary>
    [DerivativeOf(typeof(SpecialFunctions), nameof(SpecialFunctions.Series))]
    public static (double dx, double dc) SeriesBackward(double dout, double x, double c, int degree)
    {
        double dsum = 0, power = 1;
        for (var k = 1; k <= degree; k++)
        {
            dsum += k * power;
            power *= x;
        }

        return (dout * c * dsum, dout * SpecialFunctions.Series(x, 1.0, degree));
    }
}

/// <summary>
/// Methods whose derivatives are written by hand (<c>[CustomDerivative]</c>), methods of another library with a
/// <c>[DerivativeOf]</c> backward, and <c>StopGradient</c>, mixed with generated steps, in compound expressions and in
/// loops. The end-to-end tests gradient-check them; the snapshot tests hold their generated files.
/// </summary>
public static partial class CustomDerivativeLayers
{
    /// <summary>
    /// log(1 + eˣ) without overflow: max(x, 0) + log(1 + e^-|x|). Its chain rule through those steps is right but long;
    /// the derivative is simply σ(x).
    /// </summary>
    [CustomDerivative]
    public static Tensor Softplus(Tensor x) => Maximum(x, 0.0) + Log(1.0 + Exp(-Abs(x)));

    /// <summary>What <see cref="SoftplusBackward"/> reads: the input.</summary>
    public sealed record SoftplusCache(Tensor X);

    public static (Tensor Out, SoftplusCache Cache) SoftplusForward(Tensor x) => (Softplus(x), new SoftplusCache(x));

    public static Tensor SoftplusBackward(Tensor dout, SoftplusCache cache) => dout * Sigmoid(cache.X);

    /// <summary>s·tanh(x), its backward reusing the forward's tanh: two gradients, a tensor and a double.</summary>
    [CustomDerivative]
    public static Tensor ScaledTanh(Tensor x, double s) => s * Tanh(x);

    public sealed record ScaledTanhCache(Tensor T, double S);

    public static (Tensor Out, ScaledTanhCache Cache) ScaledTanhForward(Tensor x, double s)
    {
        var t = Tanh(x);
        return (s * t, new ScaledTanhCache(t, s));
    }

    public static (Tensor dx, double ds) ScaledTanhBackward(Tensor dout, ScaledTanhCache cache) =>
        (dout * cache.S * (1.0 - Square(cache.T)), Sum(dout * cache.T));

    /// <summary>A hand-written backward with a mistake: it sums its gradient over the rows, returning a row for a matrix.</summary>
    [CustomDerivative]
    public static Tensor Doubled(Tensor x) => 2.0 * x;

    public sealed record DoubledCache(TensorShape Shape);

    public static (Tensor Out, DoubledCache Cache) DoubledForward(Tensor x) => (Doubled(x), new DoubledCache(x.Shape));

    public static Tensor DoubledBackward(Tensor dout, DoubledCache cache) => 2.0 * Sum(dout, axis: 0);

    /// <summary>A custom derivative, another library's erf and generated steps in one method, the calls nested in expressions.</summary>
    [Differentiable]
    public static double SoftplusErf(Tensor x, Tensor w)
    {
        var h = Dot(x, w);
        var a = Softplus(h) * 0.5;
        var e = SpecialFunctions.Erf(a - 1.0) * a;
        return Mean(e) + SpecialFunctions.Erf(Sum(w) * 0.1);
    }

    /// <summary>Layers in a loop: a custom derivative nested in the state's update, the erf of doubles summed along.</summary>
    [Differentiable]
    public static double SoftplusStack(Tensor h, Tensor w, int layers)
    {
        double loss = 0.0;
        for (int l = 0; l < layers; l++)
        {
            h = Softplus(Dot(h, w)) - 0.5;
            loss += SpecialFunctions.Erf(Mean(h));
        }

        return loss + Mean(SpecialFunctions.Erf(h));
    }

    /// <summary>A custom derivative with two gradients, in a loop with another library's two-gradient function.</summary>
    [Differentiable]
    public static double TanhHypot(Tensor x, Tensor y, double s, int steps)
    {
        var d = x;
        for (int k = 0; k < steps; k++)
        {
            d = ScaledTanh(SpecialFunctions.Hypot(d, y), s);
        }

        return Sum(SpecialFunctions.Huber(d - 0.3, 1.0));
    }

    /// <summary>Another library's function of doubles with an int parameter, which gets no gradient.</summary>
    [Differentiable]
    public static double SeriesOfMean(Tensor x, double c)
    {
        var m = Mean(x);
        var p = SpecialFunctions.Series(m, c, 4);
        return p * m;
    }

    /// <summary>
    /// Element reads in a loop, each sent through a custom derivative of doubles declared in another type or through
    /// System.Math's arctangent with a [DerivativeOf] backward, by a branch on the element.
    /// </summary>
    [Differentiable]
    public static double ElementsThroughBranches(Tensor x, double scale, int steps)
    {
        double total = 0.0;
        for (int k = 0; k < steps; k++)
        {
            var m = x[k % x.Shape[0], k % x.Shape[1]] * scale;
            if (m > 0)
            {
                total += ScalarFunctions.LogCosh(m);
            }
            else
            {
                total += Math.Atan(m) * scale;
            }
        }

        return total;
    }

    /// <summary>A caller of the faulty <see cref="Doubled"/>.</summary>
    [Differentiable]
    public static double UsesDoubled(Tensor x)
    {
        var y = Doubled(x);
        return Sum(y * x);
    }

    /// <summary>Centred by a mean taken as a constant: the gradient is 2(x - c), not that of a variance.</summary>
    [Differentiable]
    public static double CenteredByConstant(Tensor x)
    {
        var c = StopGradient(Mean(x, axis: 0));
        var d = x - c;
        return Sum(d * d);
    }

    /// <summary>A double passed through StopGradient: s·Σx with s = Σx held constant, so the gradient is s everywhere.</summary>
    [Differentiable]
    public static double ScaledBySum(Tensor x)
    {
        var s = StopGradient(Sum(x));
        return s * Sum(x);
    }

    /// <summary>Every path to x is stopped: its gradient is zero.</summary>
    [Differentiable]
    public static double AllStopped(Tensor x, Tensor w) => Sum(StopGradient(x) * w);
}
