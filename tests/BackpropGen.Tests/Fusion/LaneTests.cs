using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace BackpropGen.Tests.Fusion;

/// <summary>
/// <see cref="Lane"/> computes what the <see cref="Tensor"/> operations of the same names compute, element for element,
/// and reads and writes only the elements of a row, however its width compares with <see cref="Lane.Count"/>.
/// </summary>
public class LaneTests
{
    // Every IEEE corner the functions treat specially, then ordinary values at several scales. An odd count, so that
    // every function also runs on a partial last lane.
    private static readonly double[] Specials =
    [
        double.NaN, 0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, 1, -1, 0.5, -0.5, 2, -2, 3, 0.25,
        1e-300, -1e-300, double.Epsilon, -double.Epsilon, 1e-10, -1e-10, 1e-5, -1e-5, 1e300, -1e300, 1e6,
        700, 710, -745, -750, 40, -40, 20, -20, Math.PI, -Math.PI / 2,
    ];

    private static readonly double[] Values = [.. Specials, .. Random(seed: 1, count: 61, scale: 3.0), .. Random(seed: 2, count: 16, scale: 1e-3)];

    // What each function is checked against, and how closely. Exact where both sides do the same IEEE operations;
    // a few ulps where a vectorized approximation (Vector.Exp, TensorPrimitives.Exp) rounds differently from another.
    private static readonly Dictionary<string, (Func<Lane, Lane> Lane, Func<double[], double[]> Reference, int Ulps, double Absolute)> UnaryFunctions = new()
    {
        ["Square"] = (Lane.Square, x => Tensor.Square(T(x)).ToArray(), 0, 0),
        ["Sqrt"] = (Lane.Sqrt, x => Tensor.Sqrt(T(x)).ToArray(), 0, 0),
        ["Exp"] = (Lane.Exp, x => Tensor.Exp(T(x)).ToArray(), 2, 0),
        ["Log"] = (Lane.Log, x => Tensor.Log(T(x)).ToArray(), 2, 0),

        // Tanh takes e^(-2|x|) - 1, where exp's last bit becomes a large relative but tiny absolute difference near 0.
        ["Tanh"] = (Lane.Tanh, x => Tensor.Tanh(T(x)).ToArray(), 4, 4.5e-16),
        ["Sigmoid"] = (Lane.Sigmoid, x => Tensor.Sigmoid(T(x)).ToArray(), 4, 0),
        ["Abs"] = (Lane.Abs, x => Tensor.Abs(T(x)).ToArray(), 0, 0),
        ["Sign"] = (Lane.Sign, x => Tensor.Sign(T(x)).ToArray(), 0, 0),
        ["Relu"] = (Lane.Relu, x => Tensor.Relu(T(x)).ToArray(), 0, 0),
        ["Negate"] = (x => -x, x => (-T(x)).ToArray(), 0, 0),
        ["Sin"] = (Lane.Sin, x => x.Select(Math.Sin).ToArray(), 2, 0),
        ["Cos"] = (Lane.Cos, x => x.Select(Math.Cos).ToArray(), 2, 0),
        ["Tensor Sin"] = (Lane.Sin, x => Tensor.Sin(T(x)).ToArray(), 2, 0),
        ["Tensor Cos"] = (Lane.Cos, x => Tensor.Cos(T(x)).ToArray(), 2, 0),
        ["Pow 3"] = (x => Lane.Pow(x, 3), x => Tensor.Pow(T(x), 3).ToArray(), 0, 0),
        ["Pow 0.5"] = (x => Lane.Pow(x, 0.5), x => Tensor.Pow(T(x), 0.5).ToArray(), 0, 0),
        ["Pow -1.5"] = (x => Lane.Pow(x, -1.5), x => Tensor.Pow(T(x), -1.5).ToArray(), 0, 0),

        // The lane-by-lane forms .NET 8 uses, checked here on whatever framework runs the tests.
        ["Portable Exp"] = (x => new Lane(PortableLaneMath.Exp(x.Value)), x => Tensor.Exp(T(x)).ToArray(), 2, 0),
        ["Portable Log"] = (x => new Lane(PortableLaneMath.Log(x.Value)), x => Tensor.Log(T(x)).ToArray(), 2, 0),
        ["Portable Sin"] = (x => new Lane(PortableLaneMath.Sin(x.Value)), x => x.Select(Math.Sin).ToArray(), 0, 0),
        ["Portable Cos"] = (x => new Lane(PortableLaneMath.Cos(x.Value)), x => x.Select(Math.Cos).ToArray(), 0, 0),
        ["Portable Relu"] = (x => new Lane(PortableLaneMath.Maximum(x.Value, default)), x => Tensor.Relu(T(x)).ToArray(), 0, 0),
    };

    // Binary functions of two lanes, with the tensor operation of two tensors they must match exactly.
    private static readonly Dictionary<string, (Func<Lane, Lane, Lane> Lane, Func<Tensor, Tensor, Tensor> Reference)> BinaryFunctions = new()
    {
        ["+"] = ((a, b) => a + b, (a, b) => a + b),
        ["-"] = ((a, b) => a - b, (a, b) => a - b),
        ["*"] = ((a, b) => a * b, (a, b) => a * b),
        ["/"] = ((a, b) => a / b, (a, b) => a / b),
        ["Maximum"] = (Lane.Maximum, Tensor.Maximum),
        ["Minimum"] = (Lane.Minimum, Tensor.Minimum),
        ["Greater"] = (Lane.Greater, Tensor.Greater),
        ["Less"] = (Lane.Less, Tensor.Less),
        ["GreaterOrEqual"] = (Lane.GreaterOrEqual, Tensor.GreaterOrEqual),
        ["LessOrEqual"] = (Lane.LessOrEqual, Tensor.LessOrEqual),
        ["Portable Maximum"] = ((a, b) => new Lane(PortableLaneMath.Maximum(a.Value, b.Value)), Tensor.Maximum),
        ["Portable Minimum"] = ((a, b) => new Lane(PortableLaneMath.Minimum(a.Value, b.Value)), Tensor.Minimum),
    };

    // The same functions with a scalar second and first (a number becomes a lane of it): each must match its two-lane form
    // with the scalar repeated.
    private static readonly Dictionary<string, (Func<Lane, double, Lane> LaneScalar, Func<double, Lane, Lane> ScalarLane)> ScalarForms = new()
    {
        ["+"] = ((a, b) => a + b, (a, b) => a + b),
        ["-"] = ((a, b) => a - b, (a, b) => a - b),
        ["*"] = ((a, b) => a * b, (a, b) => a * b),
        ["/"] = ((a, b) => a / b, (a, b) => a / b),
        ["Maximum"] = ((a, b) => Lane.Maximum(a, b), (a, b) => Lane.Maximum(a, b)),
        ["Minimum"] = ((a, b) => Lane.Minimum(a, b), (a, b) => Lane.Minimum(a, b)),
        ["Greater"] = ((a, b) => Lane.Greater(a, b), (a, b) => Lane.Greater(a, b)),
        ["Less"] = ((a, b) => Lane.Less(a, b), (a, b) => Lane.Less(a, b)),
        ["GreaterOrEqual"] = ((a, b) => Lane.GreaterOrEqual(a, b), (a, b) => Lane.GreaterOrEqual(a, b)),
        ["LessOrEqual"] = ((a, b) => Lane.LessOrEqual(a, b), (a, b) => Lane.LessOrEqual(a, b)),
    };

    public static TheoryData<string> UnaryNames => [.. UnaryFunctions.Keys];

    public static TheoryData<string> BinaryNames => [.. BinaryFunctions.Keys];

    public static TheoryData<string> ScalarFormNames => [.. ScalarForms.Keys];

    /// <summary>Widths around the vector width: a single element, odd widths, exactly one lane, and one element more.</summary>
    public static TheoryData<int> Widths => [.. new[] { 1, 2, 3, 5, 7, Lane.Count, Lane.Count + 1, (2 * Lane.Count) + 3 }.Distinct()];

    [Theory]
    [MemberData(nameof(UnaryNames))]
    public void Unary_function_matches_the_tensor_operation_on_ieee_corners_and_random_values(string name)
    {
        var (function, reference, ulps, absolute) = UnaryFunctions[name];

        LaneAssert.Close(reference(Values), MapRow(Values, function), ulps, absolute, name);
    }

    [Theory]
    [MemberData(nameof(BinaryNames))]
    public void Binary_function_matches_the_tensor_operation_on_every_pair_of_corners_ties_and_random_values(string name)
    {
        var (function, reference) = BinaryFunctions[name];
        var (a, b) = Pairs();

        LaneAssert.Close(reference(T(a), T(b)).ToArray(), MapRows(a, b, function), what: name);
    }

    [Theory]
    [MemberData(nameof(ScalarFormNames))]
    public void Scalar_forms_match_the_two_lane_form_with_the_scalar_repeated(string name)
    {
        var (function, _) = BinaryFunctions[name];
        var (laneScalar, scalarLane) = ScalarForms[name];
        foreach (double scalar in Specials)
        {
            var repeated = Enumerable.Repeat(scalar, Values.Length).ToArray();

            LaneAssert.Close(MapRows(Values, repeated, function), MapRow(Values, x => laneScalar(x, scalar)), what: $"{name} (x, {scalar})");
            LaneAssert.Close(MapRows(repeated, Values, function), MapRow(Values, x => scalarLane(scalar, x)), what: $"{name} ({scalar}, x)");
        }
    }

    [Fact]
    public void Scalar_forms_with_a_scalar_second_match_the_tensor_operations_with_a_scalar()
    {
        foreach (double scalar in Specials)
        {
            LaneAssert.Close(Tensor.Maximum(T(Values), scalar).ToArray(), MapRow(Values, x => Lane.Maximum(x, scalar)));
            LaneAssert.Close(Tensor.Minimum(T(Values), scalar).ToArray(), MapRow(Values, x => Lane.Minimum(x, scalar)));
            LaneAssert.Close(Tensor.Greater(T(Values), scalar).ToArray(), MapRow(Values, x => Lane.Greater(x, scalar)));
            LaneAssert.Close(Tensor.Less(T(Values), scalar).ToArray(), MapRow(Values, x => Lane.Less(x, scalar)));
            LaneAssert.Close(Tensor.GreaterOrEqual(T(Values), scalar).ToArray(), MapRow(Values, x => Lane.GreaterOrEqual(x, scalar)));
            LaneAssert.Close(Tensor.LessOrEqual(T(Values), scalar).ToArray(), MapRow(Values, x => Lane.LessOrEqual(x, scalar)));
            LaneAssert.Close(Tensor.Equal(T(Values), scalar).ToArray(), MapRow(Values, x => Lane.Equal(x, scalar)));
            LaneAssert.Close(Tensor.NotEqual(T(Values), scalar).ToArray(), MapRow(Values, x => Lane.NotEqual(x, scalar)));
            LaneAssert.Close(Tensor.Within(T(Values), -scalar, scalar).ToArray(), MapRow(Values, x => Lane.Within(x, -scalar, scalar)));
            LaneAssert.Close((T(Values) / scalar).ToArray(), MapRow(Values, x => x / scalar));
            LaneAssert.Close((scalar - T(Values)).ToArray(), MapRow(Values, x => scalar - x));
        }
    }

    [Fact]
    public void Maximum_and_Minimum_propagate_nan_from_either_side_and_order_signed_zeros()
    {
        double[] a = [double.NaN, 1, 0.0, -0.0, 0.0, -0.0];
        double[] b = [1, double.NaN, -0.0, 0.0, 0.0, -0.0];

        LaneAssert.Close([double.NaN, double.NaN, 0.0, 0.0, 0.0, -0.0], MapRows(a, b, Lane.Maximum));
        LaneAssert.Close([double.NaN, double.NaN, -0.0, -0.0, 0.0, -0.0], MapRows(a, b, Lane.Minimum));
        LaneAssert.Close([double.NaN, double.NaN, 0.0, 0.0, 0.0, -0.0], MapRows(a, b, (x, y) => new Lane(PortableLaneMath.Maximum(x.Value, y.Value))));
        LaneAssert.Close([double.NaN, double.NaN, -0.0, -0.0, 0.0, -0.0], MapRows(a, b, (x, y) => new Lane(PortableLaneMath.Minimum(x.Value, y.Value))));
    }

    [Fact]
    public void Masks_are_one_where_the_comparison_holds_and_zero_at_nan_and_the_other_side_of_ties()
    {
        double[] a = [1, 2, 2, double.NaN, 0.0];
        double[] b = [2, 1, 2, 1, -0.0];

        LaneAssert.Close([0, 1, 0, 0, 0], MapRows(a, b, Lane.Greater));
        LaneAssert.Close([1, 0, 0, 0, 0], MapRows(a, b, Lane.Less));
        LaneAssert.Close([0, 1, 1, 0, 1], MapRows(a, b, Lane.GreaterOrEqual));
        LaneAssert.Close([1, 0, 1, 0, 1], MapRows(a, b, Lane.LessOrEqual));
    }

    [Fact]
    public void Negation_flips_the_sign_of_zeros_and_keeps_nan()
    {
        LaneAssert.Close([-0.0, 0.0, double.NaN, -2], MapRow([0.0, -0.0, double.NaN, 2], x => -x));
    }

    [Fact]
    public void Sign_is_zero_for_both_zeros_and_nan_for_nan()
    {
        LaneAssert.Close([0.0, 0.0, double.NaN, 1, -1, 1, -1], MapRow([0.0, -0.0, double.NaN, double.Epsilon, -double.Epsilon, double.PositiveInfinity, double.NegativeInfinity], Lane.Sign));
    }

    [Fact]
    public void Tanh_keeps_the_tensor_operations_sign_of_zero_and_saturates_at_infinity()
    {
        double[] x = [0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.NaN];

        LaneAssert.Close(Tensor.Tanh(T(x)).ToArray(), MapRow(x, Lane.Tanh));
        LaneAssert.Close([1, -1, double.NaN], MapRow([double.PositiveInfinity, double.NegativeInfinity, double.NaN], Lane.Tanh));
    }

    [Fact]
    public void Sigmoid_saturates_to_exactly_0_and_1_without_nan()
    {
        LaneAssert.Close([1, 0, 1, 0], MapRow([1000, -1000, double.MaxValue, double.MinValue], Lane.Sigmoid));
    }

    [Fact]
    public void An_int_literal_times_a_lane_scales_every_lane()
    {
        LaneAssert.Close([2, -4, 7], MapRow([1, -2, 3.5], x => 2 * x));
        LaneAssert.Close([0.5, -1, 1.75], MapRow([1, -2, 3.5], x => x / 2));
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Load_then_Store_copies_a_row_of_any_width_and_writes_nothing_past_either_end(int width)
    {
        var values = Random(seed: width, count: width, scale: 1.0);
        var (buffer, row) = Guarded(width);

        for (int j = 0; j < width; j += Lane.Count)
        {
            Lane.Store(row.AsSpan(), j, Lane.Load(values, j));
        }

        Assert.Equal(values, row.AsSpan().ToArray());
        AssertGuardsIntact(buffer, width);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void AddTo_adds_into_a_row_of_any_width_and_writes_nothing_past_either_end(int width)
    {
        var start = Random(seed: width, count: width, scale: 1.0);
        var added = Random(seed: width + 50, count: width, scale: 1.0);
        var (buffer, row) = Guarded(width);
        start.CopyTo(row.AsSpan());

        for (int j = 0; j < width; j += Lane.Count)
        {
            Lane.AddTo(row.AsSpan(), j, Lane.Load(added, j));
        }

        Assert.Equal(start.Zip(added, (s, a) => s + a), row.AsSpan().ToArray());
        AssertGuardsIntact(buffer, width);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Load_of_a_partial_last_vector_pads_with_one_and_reads_nothing_past_the_end(int width)
    {
        // The row is followed by NaNs in memory; none of them may show up in the padding.
        var (buffer, row) = Guarded(width);
        row.AsSpan().Fill(7.0);
        int last = (width - 1) / Lane.Count * Lane.Count;

        var loaded = new double[Lane.Count];
        Lane.Load(row.AsSpan(), last).Value.CopyTo(loaded);

        int valid = width - last;
        Assert.All(loaded[..valid], v => Assert.Equal(7.0, v));
        Assert.All(loaded[valid..], v => Assert.Equal(1.0, v));
        AssertGuardsIntact(buffer, width);
    }

    [Fact]
    public void At_the_end_of_a_row_Load_is_all_padding_and_Store_and_AddTo_write_nothing()
    {
        var (buffer, row) = Guarded(3);
        var loaded = new double[Lane.Count];

        Lane.Load(row.AsSpan(), 3).Value.CopyTo(loaded);
        Lane.Store(row.AsSpan(), 3, Lane.Load([5.0], 0));
        Lane.AddTo(row.AsSpan(), 3, Lane.Load([5.0], 0));

        Assert.All(loaded, v => Assert.Equal(1.0, v));
        AssertGuardsIntact(buffer, 3);
    }

    [Fact]
    public void Load_Store_and_AddTo_reject_an_index_before_or_past_the_row()
    {
        var row = new double[Lane.Count + 1];
        var lane = Lane.Load(row, 0);

        Assert.Throws<ArgumentOutOfRangeException>(() => Lane.Load(row, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Lane.Load(row, row.Length + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Lane.Store(row, -1, lane));
        Assert.Throws<ArgumentOutOfRangeException>(() => Lane.Store(row, row.Length + 1, lane));
        Assert.Throws<ArgumentOutOfRangeException>(() => Lane.AddTo(row, -1, lane));
        Assert.Throws<ArgumentOutOfRangeException>(() => Lane.AddTo(row, row.Length + 1, lane));
    }

    [Fact]
    public void Count_is_the_number_of_doubles_in_a_vector()
    {
        Assert.Equal(System.Numerics.Vector<double>.Count, Lane.Count);
    }

    private const double Guard = double.NaN;

    /// <summary>A row of <paramref name="width"/> zeros inside a buffer with a lane's worth of guard values on each side.</summary>
    private static (double[] Buffer, ArraySegment<double> Row) Guarded(int width)
    {
        var buffer = Enumerable.Repeat(Guard, width + (2 * Lane.Count)).ToArray();
        var row = new ArraySegment<double>(buffer, Lane.Count, width);
        row.AsSpan().Clear();
        return (buffer, row);
    }

    private static void AssertGuardsIntact(double[] buffer, int width)
    {
        Assert.All(buffer[..Lane.Count], v => Assert.True(double.IsNaN(v), "an element before the row was written"));
        Assert.All(buffer[(Lane.Count + width)..], v => Assert.True(double.IsNaN(v), "an element past the row was written"));
    }

    /// <summary>Applies <paramref name="function"/> the way a fused pass does: a lane at a time, the last one partial.</summary>
    private static double[] MapRow(double[] x, Func<Lane, Lane> function)
    {
        var result = new double[x.Length];
        for (int j = 0; j < x.Length; j += Lane.Count)
        {
            Lane.Store(result, j, function(Lane.Load(x, j)));
        }

        return result;
    }

    private static double[] MapRows(double[] a, double[] b, Func<Lane, Lane, Lane> function)
    {
        var result = new double[a.Length];
        for (int j = 0; j < a.Length; j += Lane.Count)
        {
            Lane.Store(result, j, function(Lane.Load(a, j), Lane.Load(b, j)));
        }

        return result;
    }

    /// <summary>Every pair of corners, then random values with every third pair a tie.</summary>
    private static (double[] A, double[] B) Pairs()
    {
        double[] corners = [double.NaN, 0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, 1, -1, 2.5, double.Epsilon];
        var a = new List<double>();
        var b = new List<double>();
        foreach (double x in corners)
        {
            foreach (double y in corners)
            {
                a.Add(x);
                b.Add(y);
            }
        }

        var randomA = Random(seed: 3, count: 45, scale: 2.0);
        var randomB = Random(seed: 4, count: 45, scale: 2.0);
        for (int i = 0; i < randomA.Length; i++)
        {
            a.Add(randomA[i]);
            b.Add(i % 3 == 0 ? randomA[i] : randomB[i]);
        }

        return ([.. a], [.. b]);
    }

    private static Tensor T(double[] values) => Tensor.FromArray(values, values.Length);

    private static double[] Random(int seed, int count, double scale) =>
        Tensor.RandomNormal(seed, count).ToArray().Select(v => v * scale).ToArray();

    [Fact]
    public void Equality_masks_treat_nan_as_unequal_and_signed_zeros_as_equal()
    {
        double[] a = [1, 2, double.NaN, 0.0, double.NaN];
        double[] b = [1, 1, 1, -0.0, double.NaN];

        LaneAssert.Close([1, 0, 0, 1, 0], MapRows(a, b, Lane.Equal));
        LaneAssert.Close([0, 1, 1, 0, 1], MapRows(a, b, Lane.NotEqual));
    }

    [Fact]
    public void Within_includes_both_bounds_and_excludes_nan()
    {
        LaneAssert.Close([0, 1, 1, 1, 0, 0], MapRow([-1.5, -1, 0, 1, 1.5, double.NaN], x => Lane.Within(x, -1.0, 1.0)));
    }
}
