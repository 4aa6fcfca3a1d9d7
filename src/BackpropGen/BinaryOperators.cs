using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace BackpropGen;

/// <summary>
/// An elementwise function of two doubles, in the style of TensorPrimitives' operator structs: the broadcasting
/// kernel is generic over it, so each loop is specialised by the JIT with no delegate call per element. Besides the
/// scalar form it has the three vectorized span forms the kernel needs: span∘span, span∘scalar and scalar∘span.
/// </summary>
internal interface IBinaryOperator<TSelf>
    where TSelf : IBinaryOperator<TSelf>
{
    static abstract double Invoke(double x, double y);

    static abstract void Invoke(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination);

    static abstract void Invoke(ReadOnlySpan<double> x, double y, Span<double> destination);

    static abstract void Invoke(double x, ReadOnlySpan<double> y, Span<double> destination);
}

internal readonly struct AddOperator : IBinaryOperator<AddOperator>
{
    public static double Invoke(double x, double y) => x + y;

    public static void Invoke(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination) => TensorPrimitives.Add(x, y, destination);

    public static void Invoke(ReadOnlySpan<double> x, double y, Span<double> destination) => TensorPrimitives.Add(x, y, destination);

    public static void Invoke(double x, ReadOnlySpan<double> y, Span<double> destination) => TensorPrimitives.Add(y, x, destination);
}

internal readonly struct SubtractOperator : IBinaryOperator<SubtractOperator>
{
    public static double Invoke(double x, double y) => x - y;

    public static void Invoke(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination) => TensorPrimitives.Subtract(x, y, destination);

    public static void Invoke(ReadOnlySpan<double> x, double y, Span<double> destination) => TensorPrimitives.Subtract(x, y, destination);

    public static void Invoke(double x, ReadOnlySpan<double> y, Span<double> destination) => TensorPrimitives.Subtract(x, y, destination);
}

internal readonly struct MultiplyOperator : IBinaryOperator<MultiplyOperator>
{
    public static double Invoke(double x, double y) => x * y;

    public static void Invoke(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination) => TensorPrimitives.Multiply(x, y, destination);

    public static void Invoke(ReadOnlySpan<double> x, double y, Span<double> destination) => TensorPrimitives.Multiply(x, y, destination);

    public static void Invoke(double x, ReadOnlySpan<double> y, Span<double> destination) => TensorPrimitives.Multiply(y, x, destination);
}

internal readonly struct DivideOperator : IBinaryOperator<DivideOperator>
{
    public static double Invoke(double x, double y) => x / y;

    public static void Invoke(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination) => TensorPrimitives.Divide(x, y, destination);

    public static void Invoke(ReadOnlySpan<double> x, double y, Span<double> destination) => TensorPrimitives.Divide(x, y, destination);

    public static void Invoke(double x, ReadOnlySpan<double> y, Span<double> destination) => TensorPrimitives.Divide(x, y, destination);
}

/// <summary>IEEE 754 maximum, as <see cref="Math.Max(double, double)"/>: NaN wins, and +0 is greater than -0.</summary>
internal readonly struct MaximumOperator : IBinaryOperator<MaximumOperator>
{
    public static double Invoke(double x, double y) => Math.Max(x, y);

    public static void Invoke(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination) => TensorPrimitives.Max(x, y, destination);

    public static void Invoke(ReadOnlySpan<double> x, double y, Span<double> destination) => TensorPrimitives.Max(x, y, destination);

    public static void Invoke(double x, ReadOnlySpan<double> y, Span<double> destination) => TensorPrimitives.Max(y, x, destination);
}

/// <summary>IEEE 754 minimum, as <see cref="Math.Min(double, double)"/>: NaN wins, and -0 is less than +0.</summary>
internal readonly struct MinimumOperator : IBinaryOperator<MinimumOperator>
{
    public static double Invoke(double x, double y) => Math.Min(x, y);

    public static void Invoke(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination) => TensorPrimitives.Min(x, y, destination);

    public static void Invoke(ReadOnlySpan<double> x, double y, Span<double> destination) => TensorPrimitives.Min(x, y, destination);

    public static void Invoke(double x, ReadOnlySpan<double> y, Span<double> destination) => TensorPrimitives.Min(y, x, destination);
}

/// <summary>A comparison of doubles, also lane by lane on vectors (all bits set where it holds).</summary>
internal interface IComparison
{
    static abstract bool Holds(double x, double y);

    static abstract Vector<long> Holds(Vector<double> x, Vector<double> y);
}

internal readonly struct GreaterThan : IComparison
{
    public static bool Holds(double x, double y) => x > y;

    public static Vector<long> Holds(Vector<double> x, Vector<double> y) => Vector.GreaterThan(x, y);
}

internal readonly struct LessThan : IComparison
{
    public static bool Holds(double x, double y) => x < y;

    public static Vector<long> Holds(Vector<double> x, Vector<double> y) => Vector.LessThan(x, y);
}

internal readonly struct GreaterThanOrEqual : IComparison
{
    public static bool Holds(double x, double y) => x >= y;

    public static Vector<long> Holds(Vector<double> x, Vector<double> y) => Vector.GreaterThanOrEqual(x, y);
}

internal readonly struct LessThanOrEqual : IComparison
{
    public static bool Holds(double x, double y) => x <= y;

    public static Vector<long> Holds(Vector<double> x, Vector<double> y) => Vector.LessThanOrEqual(x, y);
}

internal readonly struct EqualTo : IComparison
{
    public static bool Holds(double x, double y) => x == y;

    public static Vector<long> Holds(Vector<double> x, Vector<double> y) => Vector.Equals(x, y);
}

/// <summary>Not equal: holds where either is NaN, as <c>!=</c> does (NumPy's truth of a NaN condition).</summary>
internal readonly struct NotEqualTo : IComparison
{
    public static bool Holds(double x, double y) => x != y;

    public static Vector<long> Holds(Vector<double> x, Vector<double> y) => ~Vector.Equals(x, y);
}

/// <summary>
/// A comparison as a gradient mask: 1.0 where it holds, 0.0 elsewhere (also where an operand is NaN). Vectorized
/// and branch-free, because a scalar loop would mispredict on every other element of a mask of random signs (Relu's).
/// </summary>
internal readonly struct MaskOperator<TComparison> : IBinaryOperator<MaskOperator<TComparison>>
    where TComparison : IComparison
{
    public static double Invoke(double x, double y) => TComparison.Holds(x, y) ? 1.0 : 0.0;

    public static void Invoke(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination)
    {
        int i = 0;
        for (; i <= destination.Length - Vector<double>.Count; i += Vector<double>.Count)
        {
            Mask(new Vector<double>(x[i..]), new Vector<double>(y[i..])).CopyTo(destination[i..]);
        }

        for (; i < destination.Length; i++)
        {
            destination[i] = Invoke(x[i], y[i]);
        }
    }

    public static void Invoke(ReadOnlySpan<double> x, double y, Span<double> destination)
    {
        var right = new Vector<double>(y);
        int i = 0;
        for (; i <= destination.Length - Vector<double>.Count; i += Vector<double>.Count)
        {
            Mask(new Vector<double>(x[i..]), right).CopyTo(destination[i..]);
        }

        for (; i < destination.Length; i++)
        {
            destination[i] = Invoke(x[i], y);
        }
    }

    public static void Invoke(double x, ReadOnlySpan<double> y, Span<double> destination)
    {
        var left = new Vector<double>(x);
        int i = 0;
        for (; i <= destination.Length - Vector<double>.Count; i += Vector<double>.Count)
        {
            Mask(left, new Vector<double>(y[i..])).CopyTo(destination[i..]);
        }

        for (; i < destination.Length; i++)
        {
            destination[i] = Invoke(x, y[i]);
        }
    }

    private static Vector<double> Mask(Vector<double> x, Vector<double> y) =>
        Vector.ConditionalSelect(TComparison.Holds(x, y), Vector<double>.One, Vector<double>.Zero);
}
