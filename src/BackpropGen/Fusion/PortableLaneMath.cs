using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace BackpropGen;

/// <summary>
/// <see cref="Lane"/>'s functions for frameworks without a vector form of them: lane by lane with <see cref="Math"/>, or
/// spelled out in vector comparisons. Compiled on every framework, so that the tests check them where they do not run.
/// </summary>
internal static class PortableLaneMath
{
    public static Vector<double> Exp(Vector<double> x) => Map<ExpFunction>(x);

    public static Vector<double> Log(Vector<double> x) => Map<LogFunction>(x);

    public static Vector<double> Sin(Vector<double> x) => Map<SinFunction>(x);

    public static Vector<double> Cos(Vector<double> x) => Map<CosFunction>(x);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector<double> Pow(Vector<double> x, double p)
    {
        var result = x;
        var elements = Lane.ElementsOf(ref result);
        for (int k = 0; k < elements.Length; k++)
        {
            elements[k] = Math.Pow(elements[k], p);
        }

        return result;
    }

    /// <summary>IEEE 754 maximum, as <see cref="Math.Max(double, double)"/>: NaN if either is NaN, and +0 is greater than -0.</summary>
    public static Vector<double> Maximum(Vector<double> a, Vector<double> b)
    {
        // a wins where it is greater, where it is NaN, and in a tie unless it is -0 (against +0).
        var aWins = Vector.GreaterThan(a, b)
            | ~Vector.Equals(a, a)
            | Vector.AndNot(Vector.Equals(a, b), IsNegative(a));
        return Vector.ConditionalSelect(aWins, a, b);
    }

    /// <summary>IEEE 754 minimum, as <see cref="Math.Min(double, double)"/>: NaN if either is NaN, and -0 is less than +0.</summary>
    public static Vector<double> Minimum(Vector<double> a, Vector<double> b)
    {
        // a wins where it is less, where it is NaN, and in a tie if it is -0 (against +0).
        var aWins = Vector.LessThan(a, b)
            | ~Vector.Equals(a, a)
            | (Vector.Equals(a, b) & IsNegative(a));
        return Vector.ConditionalSelect(aWins, a, b);
    }

    /// <summary>All bits set in the lanes whose sign bit is set (-0 and negative numbers).</summary>
    private static Vector<long> IsNegative(Vector<double> x) => Vector.LessThan(Vector.AsVectorInt64(x), Vector<long>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Vector<double> Map<TFunction>(Vector<double> x)
        where TFunction : IScalarFunction
    {
        var result = x;
        var elements = Lane.ElementsOf(ref result);
        for (int k = 0; k < elements.Length; k++)
        {
            elements[k] = TFunction.Invoke(elements[k]);
        }

        return result;
    }

    private interface IScalarFunction
    {
        static abstract double Invoke(double x);
    }

    private readonly struct ExpFunction : IScalarFunction
    {
        public static double Invoke(double x) => Math.Exp(x);
    }

    private readonly struct LogFunction : IScalarFunction
    {
        public static double Invoke(double x) => Math.Log(x);
    }

    private readonly struct SinFunction : IScalarFunction
    {
        public static double Invoke(double x) => Math.Sin(x);
    }

    private readonly struct CosFunction : IScalarFunction
    {
        public static double Invoke(double x) => Math.Cos(x);
    }
}
