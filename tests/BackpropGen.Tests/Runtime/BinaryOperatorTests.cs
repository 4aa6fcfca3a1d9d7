using System;
using System.Linq;
using Xunit;

namespace BackpropGen.Tests.Runtime;

/// <summary>
/// The span loops the binary operators share (written once over each operator's <see cref="Lane"/> form, with a scalar
/// tail): every element of every length, in every form, agrees with the scalar operator.
/// </summary>
public class BinaryOperatorTests
{
    public static TheoryData<int> Lengths => new() { 0, 1, 3, Lane.Count - 1, Lane.Count, Lane.Count + 1, (4 * Lane.Count) + 3, 33, 1023 };

    private static double[] Values(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => Math.Round((random.NextDouble() * 8) - 4, 1)).ToArray();
    }

    private static void AgreesWithScalar<TOp>(int length)
        where TOp : IBinaryOperator<TOp>
    {
        double[] x = Values(length, 1), y = Values(length, 2);
        double scalar = 0.7;
        var both = new double[length];
        var right = new double[length];
        var left = new double[length];

        TOp.Invoke(x, y, both);
        TOp.Invoke(x, scalar, right);
        TOp.Invoke(scalar, y, left);

        for (int i = 0; i < length; i++)
        {
            Assert.Equal(TOp.Invoke(x[i], y[i]), both[i]);
            Assert.Equal(TOp.Invoke(x[i], scalar), right[i]);
            Assert.Equal(TOp.Invoke(scalar, y[i]), left[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Every_operator_agrees_with_its_scalar_form_on_every_element_of_every_length(int length)
    {
        AgreesWithScalar<AddOperator>(length);
        AgreesWithScalar<SubtractOperator>(length);
        AgreesWithScalar<MultiplyOperator>(length);
        AgreesWithScalar<DivideOperator>(length);
        AgreesWithScalar<MaximumOperator>(length);
        AgreesWithScalar<MinimumOperator>(length);
        AgreesWithScalar<MaskOperator<GreaterThan>>(length);
        AgreesWithScalar<MaskOperator<NotEqualTo>>(length);
    }

    [Fact]
    public void Subtraction_and_division_keep_their_operands_in_order_in_the_scalar_forms()
    {
        double[] y = [1, 2, 4, 8, 16, 32, 64, 128, 256];
        var destination = new double[y.Length];

        Invoke<SubtractOperator>(1.0, y, destination);
        Assert.Equal(y.Select(v => 1.0 - v), destination);

        Invoke<DivideOperator>(1.0, y, destination);
        Assert.Equal(y.Select(v => 1.0 / v), destination);

        Invoke<DivideOperator>(y, 4.0, destination);
        Assert.Equal(y.Select(v => v / 4.0), destination);
    }

    [Fact]
    public void The_maximum_and_minimum_follow_ieee_754_in_the_vector_lanes_as_in_the_scalar_tail()
    {
        // Each pair twice, so that it is met both in a full lane and in the tail past the last full one.
        double[] x = [double.NaN, 1, 0.0, -0.0, 2];
        double[] y = [1, double.NaN, -0.0, 0.0, 3];
        x = [.. x, .. Enumerable.Repeat(5.0, Lane.Count), .. x];
        y = [.. y, .. Enumerable.Repeat(5.0, Lane.Count), .. y];
        var max = new double[x.Length];
        var min = new double[x.Length];

        Invoke<MaximumOperator>(x, y, max);
        Invoke<MinimumOperator>(x, y, min);

        for (int i = 0; i < x.Length; i++)
        {
            SameIeeeValue(Math.Max(x[i], y[i]), max[i]);
            SameIeeeValue(Math.Min(x[i], y[i]), min[i]);
        }
    }

    /// <summary>Both NaN, or the same bits (so +0 and -0 differ).</summary>
    private static void SameIeeeValue(double expected, double actual)
    {
        Assert.Equal(double.IsNaN(expected), double.IsNaN(actual));
        if (!double.IsNaN(expected))
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(actual));
        }
    }

    private static void Invoke<TOp>(double x, double[] y, double[] destination)
        where TOp : IBinaryOperator<TOp> => TOp.Invoke(x, y, destination);

    private static void Invoke<TOp>(double[] x, double y, double[] destination)
        where TOp : IBinaryOperator<TOp> => TOp.Invoke(x, y, destination);

    private static void Invoke<TOp>(double[] x, double[] y, double[] destination)
        where TOp : IBinaryOperator<TOp> => TOp.Invoke(x, y, destination);

    [Fact]
    public void An_operator_may_write_over_its_own_operand()
    {
        double[] x = Values(37, 3), y = Values(37, 4);
        double[] expected = x.Zip(y, (a, b) => a * b).ToArray();

        Invoke<MultiplyOperator>(x, y, x);

        Assert.Equal(expected, x);
    }

    [Fact]
    public void Operands_of_different_lengths_or_a_short_destination_are_refused_before_anything_is_written()
    {
        var destination = new double[8];

        var unequal = Assert.Throws<ArgumentException>(() => Invoke<AddOperator>(new double[8], new double[7], destination));
        var shortDestination = Assert.Throws<ArgumentException>(() => Invoke<AddOperator>(new double[9], new double[9], destination));

        Assert.Contains("8 and 7", unequal.Message, StringComparison.Ordinal);
        Assert.Contains("destination of 8", shortDestination.Message, StringComparison.Ordinal);
    }
}
