using System;
using System.Linq;
using BackpropGen;
using Xunit;

namespace BackpropGen.Tests.EndToEnd;

public class LoopTests
{
    private const double Bar = 1e-7;
    private static readonly Tensor X = Tensor.RandomNormal(21, 3, 4);
    private static readonly Tensor W = Tensor.RandomNormal(22, 4, 4) * 0.5;

    private static double Central(Func<double, double> f, double at)
    {
        const double h = 1e-5;
        return (f(at + h) - f(at - h)) / (2 * h);
    }

    private static double Relative(double a, double b) => Math.Abs(a - b) / Math.Max(1e-12, Math.Abs(a) + Math.Abs(b));

    [Fact]
    public void An_rnn_over_time_with_its_cell_called_in_the_loop_matches_central_differences()
    {
        var h0 = Tensor.RandomNormal(1, 2, 5);
        var wh = Tensor.RandomNormal(2, 5, 5) * 0.3;
        var wx = Tensor.RandomNormal(3, 3, 5) * 0.3;
        var xs = new Tensor[6];
        for (var i = 0; i < xs.Length; i++)
        {
            xs[i] = Tensor.RandomNormal(10 + i, 2, 3);
        }

        var (loss, cache) = LoopLayers.RnnForward(h0, wh, wx, xs);
        Assert.Equal(LoopLayers.Rnn(h0, wh, wx, xs), loss);
        var (dh0, dwh, dwx) = LoopLayers.RnnBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.Rnn(v, wh, wx, xs), h0), dh0) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.Rnn(h0, v, wx, xs), wh), dwh) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.Rnn(h0, wh, v, xs), wx), dwx) < Bar);
    }

    [Fact]
    public void A_cache_with_a_tape_can_be_backpropagated_twice()
    {
        var xs = new[] { Tensor.RandomNormal(4, 2, 3), Tensor.RandomNormal(5, 2, 3) };
        var (_, cache) = LoopLayers.RnnForward(Tensor.RandomNormal(6, 2, 5), Tensor.RandomNormal(7, 5, 5), Tensor.RandomNormal(8, 3, 5), xs);
        var first = LoopLayers.RnnBackward(1.0, cache);
        var second = LoopLayers.RnnBackward(1.0, cache);
        Assert.Equal(first.dh.ToArray(), second.dh.ToArray());
        Assert.Equal(first.dwh.ToArray(), second.dwh.ToArray());
    }

    [Fact]
    public void A_monte_carlo_call_gets_its_delta_and_vega_and_records_one_value_per_path()
    {
        const int paths = 64, steps = 20;
        var random = new Random(5);
        var z = new double[paths * steps];
        for (var i = 0; i < z.Length; i++)
        {
            z[i] = (random.NextDouble() * 2) - 1;
        }

        var (_, cache) = LoopLayers.EuropeanCallForward(100, 0.2, 0.01, 100, z, paths, steps);
        var (delta, vega) = LoopLayers.EuropeanCallBackward(1.0, cache);
        Assert.True(Relative(delta, Central(s => LoopLayers.EuropeanCall(s, 0.2, 0.01, 100, z, paths, steps), 100)) < Bar);
        Assert.True(Relative(vega, Central(v => LoopLayers.EuropeanCall(100, v, 0.01, 100, z, paths, steps), 0.2)) < Bar);

        // The walk's update is linear in logS: nothing of the inner loop is recorded, only each path's final logS.
        Assert.Equal(8L * paths, cache.TapeBytes);
    }

    [Fact]
    public void Rk4_over_many_steps_matches_central_differences()
    {
        var (_, cache) = LoopLayers.Rk4Forward(0.5, 1.3, 200);
        var (dy, dk) = LoopLayers.Rk4Backward(1.0, cache);
        Assert.True(Relative(dy, Central(y => LoopLayers.Rk4(y, 1.3, 200), 0.5)) < Bar);
        Assert.True(Relative(dk, Central(k => LoopLayers.Rk4(0.5, k, 200), 1.3)) < Bar);
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(0.3)]
    [InlineData(50.0)]
    public void Newtons_method_stopped_by_a_tolerance_gets_the_derivative_of_the_square_root(double a)
    {
        var (root, cache) = LoopLayers.NewtonSqrtForward(a);
        Assert.Equal(Math.Sqrt(a), root, 12);
        var da = LoopLayers.NewtonSqrtBackward(1.0, cache);
        Assert.True(Relative(da, 0.5 / Math.Sqrt(a)) < 1e-9);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(-0.3)]
    [InlineData(2.0)]
    public void Each_arm_of_a_branch_gets_its_own_derivative(double a)
    {
        var (_, cache) = LoopLayers.BranchesForward(X, a);
        var (dx, da) = LoopLayers.BranchesBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.Branches(v, a), X), dx) < Bar);
        Assert.True(Relative(da, Central(v => LoopLayers.Branches(X, v), a)) < Bar);
    }

    [Fact]
    public void Nested_loops_with_a_local_of_the_outer_body_match_central_differences()
    {
        var (_, cache) = LoopLayers.NestedForward(X, W, 3, 2);
        var (dx, dw) = LoopLayers.NestedBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.Nested(v, W, 3, 2), X), dx) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.Nested(X, v, 3, 2), W), dw) < Bar);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void Loops_that_record_their_trip_counts_and_a_branch_inside_a_loop_match_central_differences(int n)
    {
        const double a = 0.8;
        var (_, cache) = LoopLayers.SteppedForward(X, a, n);
        var (dx, da) = LoopLayers.SteppedBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.Stepped(v, a, n), X), dx) < Bar);
        Assert.True(Relative(da, Central(v => LoopLayers.Stepped(X, v, n), a)) < Bar);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void A_loop_that_runs_no_iteration_passes_the_gradient_straight_through(int n)
    {
        var dout = Tensor.RandomNormal(23, 3, 4);
        var w = Tensor.RandomNormal(24, 4) * 0.5;
        var (_, cache) = LoopLayers.MaybeNoIterationsForward(X, w, n);
        var (dx, dw) = LoopLayers.MaybeNoIterationsBackward(dout, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.MaybeNoIterations(v, w, n), X, dout), dx) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.MaybeNoIterations(X, v, n), w, dout), dw) < Bar);
        if (n == 0)
        {
            Assert.Equal((dout * 2.0).ToArray(), dx.ToArray());
        }
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(-0.4)]
    [InlineData(2.0)]
    public void A_choice_gives_its_gradient_to_the_side_it_chose(double a)
    {
        var (value, cache) = LoopLayers.ChosenForward(X, a);
        Assert.Equal(LoopLayers.Chosen(X, a), value);
        var (dx, da) = LoopLayers.ChosenBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.Chosen(v, a), X), dx) < Bar);
        Assert.True(Relative(da, Central(v => LoopLayers.Chosen(X, v), a)) < Bar);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(9.0)]
    public void A_loop_left_by_break_is_reversed_from_the_iteration_that_broke(double a)
    {
        var (root, cache) = LoopLayers.NewtonWithBreakForward(a);
        Assert.Equal(Math.Sqrt(a), root, 12);
        Assert.True(Relative(LoopLayers.NewtonWithBreakBackward(1.0, cache), 0.5 / Math.Sqrt(a)) < 1e-9);
    }

    [Theory]
    [InlineData(0.3, 7)]
    [InlineData(2.0, 7)]
    [InlineData(0.8, 2)]
    public void Iterations_skipped_by_continue_and_cut_short_by_break_match_central_differences(double a, int n)
    {
        var (_, cache) = LoopLayers.SkippingForward(X, a, n);
        var (dx, da) = LoopLayers.SkippingBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.Skipping(v, a, n), X), dx) < Bar);
        Assert.True(Relative(da, Central(v => LoopLayers.Skipping(X, v, n), a)) < Bar);
    }

    [Theory]
    [InlineData(-0.3)]
    [InlineData(0.5)]
    [InlineData(0.85)]
    [InlineData(2.0)]
    public void The_return_that_ran_gets_the_gradient(double a)
    {
        var (value, cache) = LoopLayers.PiecewiseForward(X, a);
        Assert.Equal(LoopLayers.Piecewise(X, a), value);
        var (dx, da) = LoopLayers.PiecewiseBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.Piecewise(v, a), X), dx) < Bar);
        Assert.True(Relative(da, Central(v => LoopLayers.Piecewise(X, v), a)) < Bar);
    }

    [Theory]
    [InlineData(0.3, 1.2)]
    [InlineData(1.7, 0.4)]
    public void A_return_from_an_arm_reads_its_kept_local_and_the_other_path_its_own(double x, double a)
    {
        var (value, cache) = LoopLayers.ReturnFromArmForward(x, a);
        Assert.Equal(LoopLayers.ReturnFromArm(x, a), value);
        var (dx, da) = LoopLayers.ReturnFromArmBackward(1.0, cache);
        Assert.True(Relative(dx, Central(v => LoopLayers.ReturnFromArm(v, a), x)) < Bar, $"dx {dx}");
        Assert.True(Relative(da, Central(v => LoopLayers.ReturnFromArm(x, v), a)) < Bar, $"da {da}");
    }

    [Theory]
    [InlineData(-0.45, 6)]
    [InlineData(0.7, 0)]
    [InlineData(0.7, 6)]
    [InlineData(1.9, 9)]
    public void Arm_locals_kept_once_and_taped_per_iteration_both_get_their_gradients(double x, int n)
    {
        var (value, cache) = LoopLayers.ArmLocalsForward(x, n);
        Assert.Equal(LoopLayers.ArmLocals(x, n), value);
        var dx = LoopLayers.ArmLocalsBackward(1.0, cache);
        Assert.True(Relative(dx, Central(v => LoopLayers.ArmLocals(v, n), x)) < Bar, $"dx {dx}");
        // Backpropagated twice from one cache: a kept value is read, not used up.
        Assert.Equal(dx, LoopLayers.ArmLocalsBackward(1.0, cache));
    }

    [Fact]
    public void A_foreach_over_inputs_without_a_gradient_matches_central_differences()
    {
        var xs = new[] { Tensor.RandomNormal(30, 3, 4), Tensor.RandomNormal(31, 3, 4), Tensor.RandomNormal(32, 3, 4) };
        var dout = Tensor.RandomNormal(33, 3, 4);
        var (_, cache) = LoopLayers.OverInputsForward(X, W, xs);
        var (dh, dw) = LoopLayers.OverInputsBackward(dout, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.OverInputs(v, W, xs), X, dout), dh) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.OverInputs(X, v, xs), W, dout), dw) < Bar);
    }

    [Fact]
    public void A_fit_written_as_a_loop_over_elements_matches_central_differences()
    {
        var x = Tensor.RandomNormal(40, 6);
        var y = Tensor.RandomNormal(41, 6);
        var (_, cache) = LoopLayers.ElementFitForward(x, y, 0.7, -0.2);
        var (dx, dy, da, db) = LoopLayers.ElementFitBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.ElementFit(v, y, 0.7, -0.2), x), dx) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.ElementFit(x, v, 0.7, -0.2), y), dy) < Bar);
        Assert.True(Relative(da, Central(v => LoopLayers.ElementFit(x, y, v, -0.2), 0.7)) < Bar);
        Assert.True(Relative(db, Central(v => LoopLayers.ElementFit(x, y, 0.7, v), -0.2)) < Bar);
    }

    [Fact]
    public void Elements_read_twice_in_nested_loops_accumulate_both_gradients()
    {
        var m = Tensor.RandomNormal(42, 3, 4);
        var (_, cache) = LoopLayers.ElementPairsForward(m);
        var dm = LoopLayers.ElementPairsBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(LoopLayers.ElementPairs, m), dm) < Bar);
    }

    [Fact]
    public void Element_reads_of_a_loop_body_local_in_an_inner_loop_match_central_differences()
    {
        var x = Tensor.RandomNormal(44, 4, 3);
        var w = Tensor.RandomNormal(45, 4, 3);
        var (_, cache) = LoopLayers.RowEnergyForward(x, w);
        var (dx, dw) = LoopLayers.RowEnergyBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.RowEnergy(v, w), x), dx) < Bar);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.RowEnergy(x, v), w), dw) < Bar);
    }

    [Fact]
    public void Element_reads_in_a_straight_line_body_match_central_differences()
    {
        var m = Tensor.RandomNormal(43, 3, 4);
        var (_, cache) = LoopLayers.CornersForward(m);
        var dm = LoopLayers.CornersBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(LoopLayers.Corners, m), dm) < Bar);
    }

    [Fact]
    public void A_counter_declared_in_an_arm_and_counted_by_a_loop_in_it_is_restored_not_declared_again()
    {
        var (_, cache) = LoopLayers.ArmCounterForward(X, 0.4);
        var (dx, da) = LoopLayers.ArmCounterBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.ArmCounter(v, 0.4), X), dx) < Bar);
        Assert.True(Relative(da, Central(v => LoopLayers.ArmCounter(X, v), 0.4)) < Bar);
    }

    [Theory]
    [InlineData(0.6)]
    [InlineData(-1.1)]
    public void Locals_of_one_name_in_scopes_side_by_side_are_values_of_their_own(double w)
    {
        var (_, cache) = LoopLayers.SideBySideForward(X, w);
        var (dx, dw) = LoopLayers.SideBySideBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.SideBySide(v, w), X), dx) < Bar);
        Assert.True(Relative(dw, Central(v => LoopLayers.SideBySide(X, v), w)) < Bar);
    }

    [Theory]
    [InlineData(2.0, 1.5)]
    [InlineData(9.0, -0.5)]
    public void A_return_inside_a_loop_gets_the_gradient_of_the_iteration_that_returned(double a, double scale)
    {
        var (value, cache) = LoopLayers.NewtonReturningForward(a, scale);
        var (da, dscale) = LoopLayers.NewtonReturningBackward(1.0, cache);
        Assert.Equal(Math.Sqrt(a) * scale, value, 12);
        Assert.Equal(scale / (2 * Math.Sqrt(a)), da, 8);
        Assert.Equal(Math.Sqrt(a), dscale, 10);
    }

    [Theory]
    [InlineData(0.7, 5.0)]
    [InlineData(-0.3, 13.0)]
    [InlineData(0.4, 100.0)]
    public void A_return_from_an_inner_loop_leaves_the_outer_loop_and_skips_the_rest_of_the_method(double a, double limit)
    {
        var (value, cache) = LoopLayers.FirstAboveForward(X, a, limit);
        var (dx, da, _) = LoopLayers.FirstAboveBackward(1.0, cache);
        Assert.Equal(LoopLayers.FirstAbove(X, a, limit), value);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.FirstAbove(v, a, limit), X), dx) < Bar);
        Assert.True(Relative(da, Central(v => LoopLayers.FirstAbove(X, v, limit), a)) < Bar);
    }

    [Theory]
    [InlineData(0.9, 3)]
    [InlineData(1.1, 10)]
    [InlineData(-0.6, 12)]
    public void Jumps_nested_in_branches_match_central_differences(double a, int n)
    {
        var (_, cache) = LoopLayers.NestedJumpsForward(X, a, n);
        var (dx, da) = LoopLayers.NestedJumpsBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.NestedJumps(v, a, n), X), dx) < Bar);
        Assert.True(Relative(da, Central(v => LoopLayers.NestedJumps(X, v, n), a)) < Bar);
    }

    [Theory]
    [InlineData(0.8)]
    [InlineData(0.2)]
    public void A_return_in_a_nested_branch_and_a_while_true_left_by_break_match_central_differences(double a)
    {
        var (_, cache) = LoopLayers.DeepReturnForward(X, a);
        var (dx, da) = LoopLayers.DeepReturnBackward(1.0, cache);
        Assert.True(GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.DeepReturn(v, a), X), dx) < Bar);
        Assert.True(Relative(da, Central(v => LoopLayers.DeepReturn(X, v), a)) < Bar);
    }

    [Fact]
    public void A_sequence_grown_in_a_loop_records_the_shapes_of_its_versions_not_the_versions()
    {
        var h = Tensor.RandomNormal(44, 4, 8);
        var (short_, shortCache) = LoopLayers.GrownSequenceForward(h, 12);
        var dout = Tensor.RandomNormal(45, 4, 8 * 13);
        var dh = LoopLayers.GrownSequenceBackward(dout, shortCache);
        var error = GradCheck.RelativeError(GradCheck.Numerical(v => LoopLayers.GrownSequence(v, 12), h, dout), dh);
        Assert.True(error < Bar, $"relative error {error}");
        Assert.Equal(new[] { 4, 8 * 13 }, short_.Shape.ToArray());

        // 50 states of 4 × 8 doubles, and 50 shapes of two dimensions; the versions of hs would be 50 × 51 / 2 states more.
        var (_, cache) = LoopLayers.GrownSequenceForward(h, 50);
        Assert.Equal((50L * 32 * 8) + (50L * 2 * 4), cache.TapeBytes);
    }

    [Fact]
    public void Loops_left_by_break_or_return_count_their_counters_down_from_their_trip_counts_instead_of_recording_them()
    {
        var (_, cache) = LoopLayers.FirstAboveForward(X, 0.7, 5.0);
        var tapes = cache.GetType().GetProperties().Select(p => p.Name).Where(name => name.EndsWith("Tape", StringComparison.Ordinal) || name.EndsWith("Trips", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain("ITape", tapes);
        Assert.DoesNotContain("JTape", tapes);
        Assert.Contains("Loop1Trips", tapes);
        Assert.Contains("Loop2Trips", tapes);
    }

    [Fact]
    public void The_graph_of_a_loop_draws_the_state_it_carries_as_an_edge_to_itself_both_ways()
    {
        Assert.Contains("\"h\" -> \"h\";", LoopLayers.RnnGraph, StringComparison.Ordinal);
        Assert.Contains("\"h\" -> \"h\" [color=red, fontcolor=red, constraint=false, label=\"dh\"];", LoopLayers.RnnGraph, StringComparison.Ordinal);
        Assert.Contains("\"h\" -> \"wx\" [color=red", LoopLayers.RnnGraph, StringComparison.Ordinal);
    }
}
