using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

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

    /// <summary>The elementwise sine, as <see cref="Math.Sin"/> (NaN for ±∞ and NaN).</summary>
    public static Tensor Sin(Tensor x) => Map(x, TensorPrimitives.Sin);

    /// <summary>The elementwise cosine, as <see cref="Math.Cos"/> (NaN for ±∞ and NaN).</summary>
    public static Tensor Cos(Tensor x) => Map(x, TensorPrimitives.Cos);

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

    /// <summary>
    /// Limits every element to [<paramref name="min"/>, <paramref name="max"/>], as NumPy's <c>np.clip(x, min, max)</c>:
    /// <c>Minimum(Maximum(x, min), max)</c>, so that when <paramref name="min"/> &gt; <paramref name="max"/> every element
    /// is <paramref name="max"/>, and a NaN element or bound gives NaN.
    /// </summary>
    public static Tensor Clip(Tensor x, double min, double max) => Map(x, (values, destination) =>
    {
        TensorPrimitives.Max(values, min, destination);
        TensorPrimitives.Min(destination, max, destination);
    });

    /// <summary>
    /// The elements of <paramref name="a"/> where <paramref name="condition"/> is nonzero and those of <paramref name="b"/>
    /// where it is zero, the three broadcast together, as NumPy's <c>np.where(condition, a, b)</c> (a NaN condition is
    /// nonzero, so it picks <paramref name="a"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The three shapes do not broadcast; the message names them.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var shape = WhereShape(condition.Shape, a.Shape, b.Shape);

        // Each operand read at the result's shape; one that already has it is read in place, not copied.
        ReadOnlySpan<double> pick = BroadcastTo(condition, shape)._data, first = BroadcastTo(a, shape)._data, second = BroadcastTo(b, shape)._data;
        var result = NewBuffer(shape.ElementCount);
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = pick[i] != 0.0 ? first[i] : second[i];
        }

        return new Tensor(result, shape);
    }

    /// <summary>The NumPy broadcast of <c>Where</c>'s three shapes, or an error that names all three.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static TensorShape WhereShape(TensorShape condition, TensorShape a, TensorShape b)
    {
        int rank = Math.Max(condition.Rank, Math.Max(a.Rank, b.Rank));
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            dims[i] = 1;
            foreach (var shape in (ReadOnlySpan<TensorShape>)[condition, a, b])
            {
                int dim = Broadcasting.DimensionAligned(shape, i, rank);
                if (dim != 1 && dims[i] != 1 && dim != dims[i])
                {
                    throw new ArgumentException($"Cannot broadcast shapes {condition}, {a} and {b} for 'Where'.");
                }

                dims[i] = dim == 1 ? dims[i] : dim;
            }
        }

        return TensorShape.Of(dims);
    }

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
