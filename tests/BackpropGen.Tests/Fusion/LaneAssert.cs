using System;
using System.Globalization;
using Xunit;

namespace BackpropGen.Tests.Fusion;

/// <summary>Element-by-element comparison of doubles in units in the last place, zeros compared by sign too.</summary>
internal static class LaneAssert
{
    /// <summary>
    /// Asserts that every element of <paramref name="actual"/> is <paramref name="expected"/>'s: NaN for NaN, a zero of
    /// the same sign for a zero, the same infinity for an infinity, and any other value within <paramref name="ulps"/>
    /// units in the last place of the expected one plus <paramref name="absolute"/> (0 and 0: bit for bit).
    /// </summary>
    public static void Close(double[] expected, double[] actual, int ulps = 0, double absolute = 0.0, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (!IsClose(e, a, ulps, absolute))
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{what} element {i}: expected {e:R}, got {a:R} (within {ulps} ulps + {absolute})."));
            }
        }
    }

    private static bool IsClose(double expected, double actual, int ulps, double absolute)
    {
        if (double.IsNaN(expected) || double.IsNaN(actual))
        {
            return double.IsNaN(expected) && double.IsNaN(actual);
        }

        if (expected == 0.0 && actual == 0.0)
        {
            return double.IsNegative(expected) == double.IsNegative(actual);
        }

        if (double.IsInfinity(expected) || expected == actual)
        {
            return expected == actual;
        }

        double ulp = Math.BitIncrement(Math.Abs(expected)) - Math.Abs(expected);
        return Math.Abs(expected - actual) <= (ulps * ulp) + absolute;
    }
}
