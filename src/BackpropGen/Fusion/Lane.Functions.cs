using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace BackpropGen;

// The elementwise functions, each with the element semantics of the Tensor operation of the same name (NaN, ±0, ±∞
// and ties included), to within the last bits where a vectorized approximation and TensorPrimitives round differently.
// Where the framework has a vector form (.NET 9+: Exp, Log, IEEE Max and Min; .NET 10: Sin, Cos) it is used;
// otherwise PortableLaneMath computes the same thing lane by lane. A number given for a lane (Greater(x, 0.0)) becomes a
// lane of that number, through the implicit conversion.
public readonly partial struct Lane
{
    /// <summary>The square, x * x, as <see cref="Tensor.Square"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Square(Lane x) => new(x._value * x._value);

    /// <summary>The square root, as <see cref="Tensor.Sqrt"/> (correctly rounded; NaN below 0, -0 for -0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Sqrt(Lane x) => new(Vector.SquareRoot(x._value));

    /// <summary>e to the power of each lane, as <see cref="Tensor.Exp"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Exp(Lane x) => new(ExpOf(x._value));

    /// <summary>The natural logarithm, as <see cref="Tensor.Log"/> (NaN below 0, -∞ at ±0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Log(Lane x) =>
#if NET9_0_OR_GREATER
        new(Vector.Log(x._value));
#else
        new(PortableLaneMath.Log(x._value));
#endif

    /// <summary>
    /// The hyperbolic tangent, as <see cref="Tensor.Tanh"/>: by the same formula as TensorPrimitives,
    /// <c>sign(x) · -z / (z + 2)</c> with <c>z = e^(-2|x|) - 1</c>, so that it agrees with the tensor operation also
    /// where that formula is off: the sign of a zero result is flipped (tanh(+0) = -0), and near 0 it is accurate only
    /// to about 1e-16 absolute rather than relative.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Tanh(Lane x)
    {
        var signBit = new Vector<double>(-0.0);
        var z = ExpOf(-2.0 * Vector.Abs(x._value)) - Vector<double>.One;
        var tanhOfMagnitude = -z / (z + new Vector<double>(2.0));
        return new(Vector.Xor(Vector.BitwiseAnd(x._value, signBit), tanhOfMagnitude));
    }

    /// <summary>The logistic function 1 / (1 + e^-x), as <see cref="Tensor.Sigmoid"/>: exactly 0 or 1 far out, never NaN for large |x|.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Sigmoid(Lane x) => new(Vector<double>.One / (Vector<double>.One + ExpOf(-x._value)));

    /// <summary>The absolute value, as <see cref="Tensor.Abs"/> (clears the sign bit: |-0| = +0, NaN stays NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Abs(Lane x) => new(Vector.Abs(x._value));

    /// <summary>The sign, as <see cref="Tensor.Sign"/>: 1.0 for positive, -1.0 for negative, 0.0 for ±0, NaN for NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Sign(Lane x)
    {
        var value = x._value;
        var signOfNumber = Vector.ConditionalSelect(
            Vector.GreaterThan(value, Vector<double>.Zero),
            Vector<double>.One,
            Vector.ConditionalSelect(Vector.LessThan(value, Vector<double>.Zero), new Vector<double>(-1.0), Vector<double>.Zero));
        return new(Vector.ConditionalSelect(Vector.Equals(value, value), signOfNumber, new Vector<double>(double.NaN)));
    }

    /// <summary>The sine, as <see cref="Tensor.Sin"/> and <see cref="Math.Sin"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Sin(Lane x) =>
#if NET10_0_OR_GREATER
        new(Vector.Sin(x._value));
#else
        new(PortableLaneMath.Sin(x._value));
#endif

    /// <summary>The cosine, as <see cref="Tensor.Cos"/> and <see cref="Math.Cos"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Cos(Lane x) =>
#if NET10_0_OR_GREATER
        new(Vector.Cos(x._value));
#else
        new(PortableLaneMath.Cos(x._value));
#endif

    /// <summary>Each lane to the power <paramref name="p"/>, as <see cref="Tensor.Pow"/> (which is <see cref="Math.Pow"/> elementwise).</summary>
    // Lane by lane on every framework: there is no vector Pow, and TensorPrimitives calls Math.Pow too.
    public static Lane Pow(Lane x, double p) => new(PortableLaneMath.Pow(x._value, p));

    /// <summary>The rectified linear unit max(x, 0), as <see cref="Tensor.Relu"/> (Relu(-0) = +0, NaN stays NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Relu(Lane x) => new(MaxOf(x._value, Vector<double>.Zero));

    /// <summary>The larger of two lanes, as <see cref="Tensor.Maximum(Tensor, Tensor)"/>: NaN if either is NaN, +0 over -0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Maximum(Lane a, Lane b) => new(MaxOf(a._value, b._value));

    /// <summary>The smaller of two lanes, as <see cref="Tensor.Minimum(Tensor, Tensor)"/>: NaN if either is NaN, -0 under +0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Minimum(Lane a, Lane b) => new(MinOf(a._value, b._value));

    /// <summary>1.0 where <c>a &gt; b</c>, 0.0 elsewhere (also where either is NaN), as <see cref="Tensor.Greater(Tensor, Tensor)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Greater(Lane a, Lane b) => Mask(Vector.GreaterThan(a._value, b._value));

    /// <summary>1.0 where <c>a &lt; b</c>, 0.0 elsewhere (also where either is NaN), as <see cref="Tensor.Less(Tensor, Tensor)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Less(Lane a, Lane b) => Mask(Vector.LessThan(a._value, b._value));

    /// <summary>1.0 where <c>a &gt;= b</c>, 0.0 elsewhere (also where either is NaN), as <see cref="Tensor.GreaterOrEqual(Tensor, Tensor)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane GreaterOrEqual(Lane a, Lane b) => Mask(Vector.GreaterThanOrEqual(a._value, b._value));

    /// <summary>1.0 where <c>a &lt;= b</c>, 0.0 elsewhere (also where either is NaN), as <see cref="Tensor.LessOrEqual(Tensor, Tensor)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane LessOrEqual(Lane a, Lane b) => Mask(Vector.LessThanOrEqual(a._value, b._value));

    /// <summary>1.0 where <c>a == b</c>, 0.0 elsewhere (also where either is NaN), as <see cref="Tensor.Equal(Tensor, double)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Equal(Lane a, Lane b) => Mask(Vector.Equals(a._value, b._value));

    /// <summary>1.0 where <c>a != b</c>, 0.0 elsewhere (1.0 where either is NaN), as <see cref="Tensor.NotEqual(Tensor, double)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane NotEqual(Lane a, Lane b) => Mask(~Vector.Equals(a._value, b._value));

    /// <summary>1.0 where <c>min &lt;= x &lt;= max</c>, 0.0 elsewhere (also where any is NaN), as <see cref="Tensor.Within"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Within(Lane x, Lane min, Lane max) =>
        Mask(Vector.GreaterThanOrEqual(x._value, min._value) & Vector.LessThanOrEqual(x._value, max._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Lane Mask(Vector<long> holds) => new(Vector.ConditionalSelect(holds, Vector<double>.One, Vector<double>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> ExpOf(Vector<double> x) =>
#if NET9_0_OR_GREATER
        Vector.Exp(x);
#else
        PortableLaneMath.Exp(x);
#endif

    // .NET 9 made Vector.Max and Min IEEE 754 (NaN propagates, +0 > -0), as Math.Max and TensorPrimitives.Max are;
    // .NET 8's pick by a plain comparison, so there the portable forms spell the IEEE rules out.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> MaxOf(Vector<double> a, Vector<double> b) =>
#if NET9_0_OR_GREATER
        Vector.Max(a, b);
#else
        PortableLaneMath.Maximum(a, b);
#endif

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> MinOf(Vector<double> a, Vector<double> b) =>
#if NET9_0_OR_GREATER
        Vector.Min(a, b);
#else
        PortableLaneMath.Minimum(a, b);
#endif
}
