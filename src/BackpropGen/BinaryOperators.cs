using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BackpropGen;

/// <summary>
/// An elementwise function of two doubles, in the style of TensorPrimitives' operator structs: the broadcasting
/// kernel is generic over it, so each loop is specialised by the JIT with no delegate call per element. An operator
/// gives its scalar form and its <see cref="Lane"/> form (the one fused passes use, so a fused pass and a step-by-step
/// one agree to the bit); the three span forms the kernel needs (span∘span, span∘scalar, scalar∘span) are written once
/// here, over the lane form, and compiled optimized from their first call, as every loop of the runtime is (TensorPrimitives'
/// loops, which these replace, tier up only after about 30 calls).
/// </summary>
internal interface IBinaryOperator<TSelf>
    where TSelf : IBinaryOperator<TSelf>
{
    static abstract double Invoke(double x, double y);

    static abstract Lane Invoke(Lane x, Lane y);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static virtual void Invoke(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination)
    {
        int length = CheckedLength(x.Length, y.Length, destination.Length);
        ref double xs = ref MemoryMarshal.GetReference(x), ys = ref MemoryMarshal.GetReference(y), ds = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        for (; i <= length - Lane.Count; i += Lane.Count)
        {
            Lane.StoreUnsafe(ref ds, i, TSelf.Invoke(Lane.LoadUnsafe(in xs, i), Lane.LoadUnsafe(in ys, i)));
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref ds, i) = TSelf.Invoke(Unsafe.Add(ref xs, i), Unsafe.Add(ref ys, i));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static virtual void Invoke(ReadOnlySpan<double> x, double y, Span<double> destination)
    {
        int length = CheckedLength(x.Length, x.Length, destination.Length);
        ref double xs = ref MemoryMarshal.GetReference(x), ds = ref MemoryMarshal.GetReference(destination);
        Lane right = y;
        int i = 0;
        for (; i <= length - Lane.Count; i += Lane.Count)
        {
            Lane.StoreUnsafe(ref ds, i, TSelf.Invoke(Lane.LoadUnsafe(in xs, i), right));
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref ds, i) = TSelf.Invoke(Unsafe.Add(ref xs, i), y);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static virtual void Invoke(double x, ReadOnlySpan<double> y, Span<double> destination)
    {
        int length = CheckedLength(y.Length, y.Length, destination.Length);
        ref double ys = ref MemoryMarshal.GetReference(y), ds = ref MemoryMarshal.GetReference(destination);
        Lane left = x;
        int i = 0;
        for (; i <= length - Lane.Count; i += Lane.Count)
        {
            Lane.StoreUnsafe(ref ds, i, TSelf.Invoke(left, Lane.LoadUnsafe(in ys, i)));
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref ds, i) = TSelf.Invoke(x, Unsafe.Add(ref ys, i));
        }
    }

    /// <summary>The operands' common length; the loops read and write through unchecked references, so it is checked once here.</summary>
    private static int CheckedLength(int x, int y, int destination)
    {
        if (x != y || destination < x)
        {
            throw new ArgumentException($"Operands of {x} and {y} elements into a destination of {destination}: the operands must be as long as each other, the destination at least as long.");
        }

        return x;
    }
}

internal readonly struct AddOperator : IBinaryOperator<AddOperator>
{
    public static double Invoke(double x, double y) => x + y;

    public static Lane Invoke(Lane x, Lane y) => x + y;
}

internal readonly struct SubtractOperator : IBinaryOperator<SubtractOperator>
{
    public static double Invoke(double x, double y) => x - y;

    public static Lane Invoke(Lane x, Lane y) => x - y;
}

internal readonly struct MultiplyOperator : IBinaryOperator<MultiplyOperator>
{
    public static double Invoke(double x, double y) => x * y;

    public static Lane Invoke(Lane x, Lane y) => x * y;
}

internal readonly struct DivideOperator : IBinaryOperator<DivideOperator>
{
    public static double Invoke(double x, double y) => x / y;

    public static Lane Invoke(Lane x, Lane y) => x / y;
}

/// <summary>IEEE 754 maximum, as <see cref="Math.Max(double, double)"/>: NaN wins, and +0 is greater than -0.</summary>
internal readonly struct MaximumOperator : IBinaryOperator<MaximumOperator>
{
    public static double Invoke(double x, double y) => Math.Max(x, y);

    public static Lane Invoke(Lane x, Lane y) => Lane.Maximum(x, y);
}

/// <summary>IEEE 754 minimum, as <see cref="Math.Min(double, double)"/>: NaN wins, and -0 is less than +0.</summary>
internal readonly struct MinimumOperator : IBinaryOperator<MinimumOperator>
{
    public static double Invoke(double x, double y) => Math.Min(x, y);

    public static Lane Invoke(Lane x, Lane y) => Lane.Minimum(x, y);
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
/// A comparison as a gradient mask: 1.0 where it holds, 0.0 elsewhere (also where an operand is NaN). Branch-free in
/// both forms, because a scalar loop that branched would mispredict on every other element of a mask of random signs
/// (Relu's).
/// </summary>
internal readonly struct MaskOperator<TComparison> : IBinaryOperator<MaskOperator<TComparison>>
    where TComparison : IComparison
{
    public static double Invoke(double x, double y) => TComparison.Holds(x, y) ? 1.0 : 0.0;

    public static Lane Invoke(Lane x, Lane y) =>
        new(Vector.ConditionalSelect(TComparison.Holds(x.Value, y.Value), Vector<double>.One, Vector<double>.Zero));
}
