using System;
using System.Numerics.Tensors;

namespace BackpropGen;

public sealed partial class Tensor
{
    private delegate void SpanFunction(ReadOnlySpan<double> x, Span<double> destination);

    /// <summary>The elementwise square root.</summary>
    public static Tensor Sqrt(Tensor x) => Map(x, TensorPrimitives.Sqrt);

    /// <summary>The elementwise exponential, e to the power of each element.</summary>
    public static Tensor Exp(Tensor x) => Map(x, TensorPrimitives.Exp);

    /// <summary>The elementwise natural logarithm (NaN for negative elements, -∞ for 0).</summary>
    public static Tensor Log(Tensor x) => Map(x, TensorPrimitives.Log);

    /// <summary>The elementwise hyperbolic tangent.</summary>
    public static Tensor Tanh(Tensor x) => Map(x, TensorPrimitives.Tanh);

    /// <summary>The elementwise logistic function 1 / (1 + e^-x): exactly 0 or 1 far out, never NaN for large |x|.</summary>
    public static Tensor Sigmoid(Tensor x) => Map(x, TensorPrimitives.Sigmoid);

    /// <summary>The elementwise absolute value.</summary>
    public static Tensor Abs(Tensor x) => Map(x, TensorPrimitives.Abs);

    /// <summary>The elementwise square, x * x.</summary>
    public static Tensor Square(Tensor x) => Map(x, static (values, destination) => TensorPrimitives.Multiply(values, values, destination));

    /// <summary>Raises every element to the power <paramref name="p"/>, as <see cref="Math.Pow(double, double)"/> does.</summary>
    public static Tensor Pow(Tensor x, double p) => Map(x, (values, destination) => TensorPrimitives.Pow(values, p, destination));

    /// <summary>The rectified linear unit, max(x, 0) elementwise.</summary>
    public static Tensor Relu(Tensor x) => Maximum(x, 0.0);

    /// <summary>The elementwise larger of each element and <paramref name="c"/> (NaN if either is NaN).</summary>
    public static Tensor Maximum(Tensor x, double c) => Broadcasting.Apply<MaximumOperator>(x, c);

    /// <summary>The elementwise larger of two tensors broadcast together (NaN if either is NaN).</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast; the message names both.</exception>
    public static Tensor Maximum(Tensor a, Tensor b) => Broadcasting.Apply<MaximumOperator>(a, b, nameof(Maximum));

    /// <summary>The elementwise smaller of each element and <paramref name="c"/> (NaN if either is NaN).</summary>
    public static Tensor Minimum(Tensor x, double c) => Broadcasting.Apply<MinimumOperator>(x, c);

    /// <summary>The elementwise smaller of two tensors broadcast together (NaN if either is NaN).</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast; the message names both.</exception>
    public static Tensor Minimum(Tensor a, Tensor b) => Broadcasting.Apply<MinimumOperator>(a, b, nameof(Minimum));

    /// <summary>The one kernel behind every elementwise function of one tensor.</summary>
    private static Tensor Map(Tensor x, SpanFunction function)
    {
        ArgumentNullException.ThrowIfNull(x);
        var result = NewBuffer(x.Length);

        // Some TensorPrimitives functions (Sigmoid) reject empty spans; an empty tensor maps to an empty tensor.
        if (result.Length > 0)
        {
            function(x._data, result);
        }

        return new Tensor(result, x.Shape);
    }
}
