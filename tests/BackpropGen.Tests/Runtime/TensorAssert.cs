using System;
using System.Globalization;
using Xunit;

namespace BackpropGen.Tests.Runtime;

/// <summary>Assertions on a tensor's shape and elements, the expected elements written out literally.</summary>
internal static class TensorAssert
{
    /// <summary>Asserts the exact shape and, element by element, values within <paramref name="tolerance"/> (NaN matches NaN).</summary>
    public static void Equal(int[] shape, double[] expected, Tensor actual, double tolerance = 0.0)
    {
        Assert.Equal(new TensorShape(shape), actual.Shape);
        var values = actual.ToArray();
        Assert.Equal(expected.Length, values.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            bool close = expected[i].Equals(values[i]) || Math.Abs(expected[i] - values[i]) <= tolerance;
            if (!close)
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"Element {i}: expected {expected[i]:R}, got {values[i]:R} (tolerance {tolerance}) in {actual}."));
            }
        }
    }

    /// <summary>Asserts a message names every one of <paramref name="parts"/> (shapes, axes, operators).</summary>
    public static void MessageNames(Exception exception, params string[] parts)
    {
        foreach (var part in parts)
        {
            Assert.Contains(part, exception.Message, StringComparison.Ordinal);
        }
    }
}
