using System;
using System.Numerics.Tensors;

namespace BackpropGen;

public sealed partial class Tensor
{
    /// <summary>Elementwise sum, broadcasting the shapes as NumPy does.</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast; the message names both.</exception>
    public static Tensor operator +(Tensor a, Tensor b) => Broadcasting.Apply<AddOperator>(a, b, "+");

    /// <summary>Adds <paramref name="b"/> to every element.</summary>
    public static Tensor operator +(Tensor a, double b) => Broadcasting.Apply<AddOperator>(a, b);

    /// <summary>Adds <paramref name="a"/> to every element.</summary>
    public static Tensor operator +(double a, Tensor b) => Broadcasting.Apply<AddOperator>(a, b);

    /// <summary>Elementwise difference, broadcasting the shapes as NumPy does.</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast; the message names both.</exception>
    public static Tensor operator -(Tensor a, Tensor b) => Broadcasting.Apply<SubtractOperator>(a, b, "-");

    /// <summary>Subtracts <paramref name="b"/> from every element.</summary>
    public static Tensor operator -(Tensor a, double b) => Broadcasting.Apply<SubtractOperator>(a, b);

    /// <summary>Subtracts every element from <paramref name="a"/>.</summary>
    public static Tensor operator -(double a, Tensor b) => Broadcasting.Apply<SubtractOperator>(a, b);

    /// <summary>Elementwise product, broadcasting the shapes as NumPy does.</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast; the message names both.</exception>
    public static Tensor operator *(Tensor a, Tensor b) => Broadcasting.Apply<MultiplyOperator>(a, b, "*");

    /// <summary>Multiplies every element by <paramref name="b"/>.</summary>
    public static Tensor operator *(Tensor a, double b) => Broadcasting.Apply<MultiplyOperator>(a, b);

    /// <summary>Multiplies every element by <paramref name="a"/>.</summary>
    public static Tensor operator *(double a, Tensor b) => Broadcasting.Apply<MultiplyOperator>(a, b);

    /// <summary>Elementwise quotient, broadcasting the shapes as NumPy does.</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast; the message names both.</exception>
    public static Tensor operator /(Tensor a, Tensor b) => Broadcasting.Apply<DivideOperator>(a, b, "/");

    /// <summary>Divides every element by <paramref name="b"/>.</summary>
    public static Tensor operator /(Tensor a, double b) => Broadcasting.Apply<DivideOperator>(a, b);

    /// <summary>Divides <paramref name="a"/> by every element.</summary>
    public static Tensor operator /(double a, Tensor b) => Broadcasting.Apply<DivideOperator>(a, b);

    /// <summary>Negates every element.</summary>
    public static Tensor operator -(Tensor x) => Map(x, TensorPrimitives.Negate);
}
