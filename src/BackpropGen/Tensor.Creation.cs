using System;
using System.Runtime.CompilerServices;

namespace BackpropGen;

public sealed partial class Tensor
{
    /// <summary>Creates a tensor of the given shape from a copy of <paramref name="data"/>, read in row-major order.</summary>
    /// <param name="data">The elements, row-major; its length must equal the shape's element count.</param>
    /// <param name="shape">The size of each dimension; none for a scalar tensor of one element.</param>
    /// <exception cref="ArgumentException">The data length differs from the shape's element count, or the shape is invalid.</exception>
    public static Tensor FromArray(double[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        var tensorShape = new TensorShape(shape);
        if (data.Length != tensorShape.ElementCount)
        {
            throw new ArgumentException(
                $"Data of length {data.Length} does not fit shape {tensorShape}, which holds {tensorShape.ElementCount} elements.",
                nameof(data));
        }

        return new Tensor(CopyOf(data), tensorShape);
    }

    /// <summary>Creates a matrix (a tensor of shape <c>[rows, columns]</c>) from a copy of a rectangular array.</summary>
    public static Tensor FromArray(double[,] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var values = NewBuffer(data.Length);
        Buffer.BlockCopy(data, 0, values, 0, data.Length * sizeof(double));
        return new Tensor(values, new TensorShape(data.GetLength(0), data.GetLength(1)));
    }

    /// <summary>Creates a tensor of the given shape filled with 0.</summary>
    public static Tensor Zeros(params int[] shape) => Zeros(new TensorShape(shape));

    /// <summary>Creates a tensor of the given shape filled with 0.</summary>
    public static Tensor Zeros(TensorShape shape) => new(new double[shape.ElementCount], shape);

    /// <summary>Creates a tensor of the given shape filled with 1.</summary>
    public static Tensor Ones(params int[] shape) => Full(1.0, shape);

    /// <summary>Creates a tensor of the given shape filled with 1.</summary>
    public static Tensor Ones(TensorShape shape) => Full(1.0, shape);

    /// <summary>Creates a tensor of the given shape with every element equal to <paramref name="value"/>.</summary>
    public static Tensor Full(double value, params int[] shape) => Full(value, new TensorShape(shape));

    /// <summary>Creates a tensor of the given shape with every element equal to <paramref name="value"/>.</summary>
    public static Tensor Full(double value, TensorShape shape)
    {
        var data = NewBuffer(shape.ElementCount);
        data.AsSpan().Fill(value);
        return new Tensor(data, shape);
    }

    /// <summary>
    /// Creates a tensor of standard normal samples (mean 0, variance 1), the same for the same seed and shape:
    /// <see cref="Random"/> seeded with <paramref name="seed"/>, turned normal by the Box–Muller transform.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor RandomNormal(int seed, params int[] shape)
    {
        var tensorShape = new TensorShape(shape);
        var random = new Random(seed);
        var data = NewBuffer(tensorShape.ElementCount);
        for (int i = 0; i < data.Length; i += 2)
        {
            // 1 - NextDouble() lies in (0, 1], so the logarithm is finite.
            double radius = Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble()));
            double angle = 2.0 * Math.PI * random.NextDouble();
            data[i] = radius * Math.Cos(angle);
            if (i + 1 < data.Length)
            {
                data[i + 1] = radius * Math.Sin(angle);
            }
        }

        return new Tensor(data, tensorShape);
    }
}
