using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace BackpropGen;

/// <summary>
/// Numerical gradients by central differences and the relative error used to compare them with analytic ones,
/// after the CS231n helpers <c>eval_numerical_gradient_array</c> and <c>rel_error</c>.
/// </summary>
/// <remarks>
/// Each function is evaluated twice per input element, at fresh copies of the input with that element moved by
/// +h and -h; the input itself is never modified, so the function may hold on to it or to its results.
/// </remarks>
public static class GradCheck
{
    /// <summary>The default step <c>h</c>: about the cube root of double's epsilon, balancing truncation and rounding error.</summary>
    private const double DefaultStep = 1e-5;

    // The floor of rel_error's denominator, so that two (near) zeros compare as equal rather than 0 / 0.
    private const double RelativeErrorFloor = 1e-8;

    /// <summary>
    /// The gradient of <c>sum(f(x) * dout)</c> with respect to <paramref name="x"/>: for each element i,
    /// <c>sum((f(x + h·eᵢ) - f(x - h·eᵢ)) * dout) / (2h)</c>. Compare it with a backward pass given <paramref name="dout"/>.
    /// </summary>
    /// <param name="f">The function; its output must have <paramref name="dout"/>'s shape.</param>
    /// <param name="x">The point at which to differentiate.</param>
    /// <param name="dout">The gradient flowing into <paramref name="f"/>'s output.</param>
    /// <param name="h">The step.</param>
    /// <returns>A tensor of <paramref name="x"/>'s shape.</returns>
    /// <exception cref="ArgumentException"><paramref name="f"/>'s output shape differs from <paramref name="dout"/>'s; the message names both.</exception>
    public static Tensor Numerical(Func<Tensor, Tensor> f, Tensor x, Tensor dout, double h = DefaultStep)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(dout);
        return PerElement(x, h, (plus, minus) => WeightedDifference(f(plus), f(minus), dout));
    }

    /// <summary>
    /// The derivative of <c>sum(f(x) * dout)</c> with respect to the scalar <paramref name="x"/>:
    /// <c>sum((f(x + h) - f(x - h)) * dout) / (2h)</c>.
    /// </summary>
    /// <param name="f">The function; its output must have <paramref name="dout"/>'s shape.</param>
    /// <param name="x">The point at which to differentiate.</param>
    /// <param name="dout">The gradient flowing into <paramref name="f"/>'s output.</param>
    /// <param name="h">The step.</param>
    /// <exception cref="ArgumentException"><paramref name="f"/>'s output shape differs from <paramref name="dout"/>'s; the message names both.</exception>
    public static double Numerical(Func<double, Tensor> f, double x, Tensor dout, double h = DefaultStep)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(dout);
        return WeightedDifference(f(x + h), f(x - h), dout) / (2 * h);
    }

    /// <summary>
    /// The gradient of <c>f(x) * dout</c> with respect to <paramref name="x"/>: for each element i,
    /// <c>(f(x + h·eᵢ) - f(x - h·eᵢ)) * dout / (2h)</c>. With the default <paramref name="dout"/> of 1, the gradient of a loss.
    /// </summary>
    /// <param name="f">The scalar function.</param>
    /// <param name="x">The point at which to differentiate.</param>
    /// <param name="dout">The gradient flowing into <paramref name="f"/>'s output.</param>
    /// <param name="h">The step.</param>
    /// <returns>A tensor of <paramref name="x"/>'s shape.</returns>
    public static Tensor Numerical(Func<Tensor, double> f, Tensor x, double dout = 1.0, double h = DefaultStep)
    {
        ArgumentNullException.ThrowIfNull(f);
        return PerElement(x, h, (plus, minus) => (f(plus) - f(minus)) * dout);
    }

    /// <summary>The derivative of <c>f(x) * dout</c> at the scalar <paramref name="x"/>: <c>(f(x + h) - f(x - h)) * dout / (2h)</c>.</summary>
    /// <param name="f">The scalar function.</param>
    /// <param name="x">The point at which to differentiate.</param>
    /// <param name="dout">The gradient flowing into <paramref name="f"/>'s output.</param>
    /// <param name="h">The step.</param>
    public static double Numerical(Func<double, double> f, double x, double dout = 1.0, double h = DefaultStep)
    {
        ArgumentNullException.ThrowIfNull(f);
        return (f(x + h) - f(x - h)) * dout / (2 * h);
    }

    /// <summary>
    /// The largest elementwise relative error, <c>max(|a - b| / max(1e-8, |a| + |b|))</c> (CS231n's <c>rel_error</c>);
    /// 0 for empty tensors. Gradients that agree have an error around 1e-7 or less.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ; the message names both.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double RelativeError(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Shape != b.Shape)
        {
            throw new ArgumentException($"Cannot compare shapes {a.Shape} and {b.Shape}: RelativeError needs equal shapes.");
        }

        ReadOnlySpan<double> x = a.AsSpan(), y = b.AsSpan();
        double worst = 0.0;
        for (int i = 0; i < x.Length; i++)
        {
            worst = Math.Max(worst, RelativeError(x[i], y[i]));
        }

        return worst;
    }

    /// <summary>The relative error of two numbers, <c>|a - b| / max(1e-8, |a| + |b|)</c> (CS231n's <c>rel_error</c>).</summary>
    public static double RelativeError(double a, double b) =>
        Math.Abs(a - b) / Math.Max(RelativeErrorFloor, Math.Abs(a) + Math.Abs(b));

    /// <summary>
    /// Central differences for every element of <paramref name="x"/>: <paramref name="difference"/> gets x with the
    /// element moved by +h and by -h and returns the (dout-weighted) change of the function between them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Tensor PerElement(Tensor x, double h, Func<Tensor, Tensor, double> difference)
    {
        ArgumentNullException.ThrowIfNull(x);
        var gradient = new double[x.Length];
        for (int i = 0; i < gradient.Length; i++)
        {
            gradient[i] = difference(Moved(x, i, h), Moved(x, i, -h)) / (2 * h);
        }

        return new Tensor(gradient, x.Shape);
    }

    /// <summary>A fresh copy of <paramref name="x"/> with element <paramref name="i"/> moved by <paramref name="step"/>.</summary>
    private static Tensor Moved(Tensor x, int i, double step)
    {
        var data = x.ToArray();
        data[i] += step;
        return new Tensor(data, x.Shape);
    }

    /// <summary>
    /// <c>sum((plus - minus) * dout)</c>. The outputs are differenced before weighting, as CS231n does: two nearly equal
    /// weighted sums would lose the small change between them to rounding.
    /// </summary>
    private static double WeightedDifference(Tensor plus, Tensor minus, Tensor dout)
    {
        CheckOutputShape(plus, dout);
        CheckOutputShape(minus, dout);
        var change = new double[dout.Length];
        TensorPrimitives.Subtract(plus.AsSpan(), minus.AsSpan(), change);
        return TensorPrimitives.Dot(change, dout.AsSpan());
    }

    private static void CheckOutputShape(Tensor output, Tensor dout)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.Shape != dout.Shape)
        {
            throw new ArgumentException(
                $"The function returned shape {output.Shape}, but dout has shape {dout.Shape}; they must be equal.");
        }
    }
}
