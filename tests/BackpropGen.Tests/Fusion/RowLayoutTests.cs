using System;
using System.Linq;
using Xunit;

namespace BackpropGen.Tests.Fusion;

/// <summary>
/// <see cref="RowLayout"/> reads operands, sums reduced gradients and writes full ones row by row exactly as broadcasting,
/// <see cref="Tensor.SumTo"/> and the full shape would, and declines every shape that is not a row pattern.
/// </summary>
public class RowLayoutTests
{
    [Theory]
    [InlineData(new int[0], 1, 1)]
    [InlineData(new[] { 5 }, 1, 5)]
    [InlineData(new[] { 3, 5 }, 3, 5)]
    [InlineData(new[] { 2, 3, 5 }, 6, 5)]
    [InlineData(new[] { 4, 1 }, 4, 1)]
    [InlineData(new[] { 1, 7 }, 1, 7)]
    [InlineData(new[] { 0, 3 }, 0, 3)]
    [InlineData(new[] { 3, 0 }, 3, 0)]
    [InlineData(new[] { 2, 0, 3 }, 0, 3)]
    [InlineData(new[] { 0 }, 1, 0)]
    public void Rows_are_the_product_of_all_dimensions_but_the_last_and_Width_is_the_last(int[] full, int rows, int width)
    {
        var layout = RowLayout.Of(new TensorShape(full));

        Assert.Equal(rows, layout.Rows);
        Assert.Equal(width, layout.Width);
        Assert.Equal(new TensorShape(full), layout.Full);
    }

    [Fact]
    public void Has_holds_only_for_exactly_the_full_shape()
    {
        var layout = RowLayout.Of(new TensorShape(2, 3));

        Assert.True(layout.Has(new TensorShape(2, 3)));
        Assert.False(layout.Has(new TensorShape(1, 2, 3)));
        Assert.False(layout.Has(new TensorShape(3)));
        Assert.False(layout.Has(new TensorShape(3, 2)));
    }

    // Full, row, scalar and column operands for full shapes of rank 0 to 3, with Width 1, Rows 1 and empty shapes,
    // where several patterns fit one shape.
    [Theory]
    [InlineData(new int[0], new int[0])]
    [InlineData(new[] { 5 }, new[] { 5 })]
    [InlineData(new[] { 5 }, new[] { 1 })]
    [InlineData(new[] { 5 }, new int[0])]
    [InlineData(new[] { 3, 5 }, new[] { 3, 5 })]
    [InlineData(new[] { 3, 5 }, new[] { 5 })]
    [InlineData(new[] { 3, 5 }, new[] { 1, 5 })]
    [InlineData(new[] { 3, 5 }, new[] { 3, 1 })]
    [InlineData(new[] { 3, 5 }, new[] { 1, 1 })]
    [InlineData(new[] { 3, 5 }, new[] { 1 })]
    [InlineData(new[] { 3, 5 }, new int[0])]
    [InlineData(new[] { 1, 3, 5 }, new[] { 3, 5 })]
    [InlineData(new[] { 1, 3, 5 }, new[] { 3, 1 })]
    [InlineData(new[] { 2, 3, 5 }, new[] { 2, 3, 5 })]
    [InlineData(new[] { 2, 3, 5 }, new[] { 5 })]
    [InlineData(new[] { 2, 3, 5 }, new[] { 1, 1, 5 })]
    [InlineData(new[] { 2, 3, 5 }, new[] { 2, 3, 1 })]
    [InlineData(new[] { 2, 3, 5 }, new[] { 1, 1, 1 })]
    [InlineData(new[] { 2, 3, 5 }, new int[0])]
    [InlineData(new[] { 4, 1 }, new[] { 4, 1 })]
    [InlineData(new[] { 4, 1 }, new[] { 1 })]
    [InlineData(new[] { 4, 1 }, new[] { 1, 1 })]
    [InlineData(new[] { 4, 1 }, new int[0])]
    [InlineData(new[] { 2, 3, 1 }, new[] { 2, 3, 1 })]
    [InlineData(new[] { 1, 7 }, new[] { 7 })]
    [InlineData(new[] { 1, 7 }, new[] { 1, 1 })]
    [InlineData(new[] { 1, 7 }, new[] { 1, 7 })]
    [InlineData(new[] { 0, 3 }, new[] { 0, 3 })]
    [InlineData(new[] { 0, 3 }, new[] { 3 })]
    [InlineData(new[] { 0, 3 }, new[] { 0, 1 })]
    [InlineData(new[] { 0, 3 }, new int[0])]
    [InlineData(new[] { 3, 0 }, new[] { 3, 0 })]
    [InlineData(new[] { 3, 0 }, new[] { 0 })]
    [InlineData(new[] { 3, 0 }, new[] { 3, 1 })]
    [InlineData(new[] { 3, 0 }, new int[0])]
    public void TryRead_reads_every_row_pattern_as_broadcasting_to_the_full_shape_does(int[] full, int[] operand)
    {
        var layout = RowLayout.Of(new TensorShape(full));
        var tensor = Tensor.RandomNormal(seed: 7, operand);
        var broadcast = Tensor.BroadcastTo(tensor, layout.Full).ToArray();

        Assert.True(layout.TryRead(tensor, out var reader));
        for (int i = 0; i < layout.Rows; i++)
        {
            Assert.Equal(broadcast.AsSpan(i * layout.Width, layout.Width).ToArray(), reader.Row(i).ToArray());
        }

        // Start, the inlined way in for whole lanes, from the last row back, so that a column is refilled each time.
        for (int i = layout.Rows - 1; i >= 0; i--)
        {
            var row = System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(in reader.Start(i, 0), layout.Width);
            Assert.Equal(broadcast.AsSpan(i * layout.Width, layout.Width).ToArray(), row.ToArray());
        }
    }

    [Theory]
    [InlineData(new[] { 2, 3, 5 }, new[] { 3, 5 })] // broadcast along the leading axis only
    [InlineData(new[] { 2, 3, 5 }, new[] { 2, 1, 5 })] // broadcast along a middle axis
    [InlineData(new[] { 2, 3, 5 }, new[] { 1, 3, 1 })] // a column of part of the rows
    [InlineData(new[] { 2, 3, 5 }, new[] { 3, 1 })]
    [InlineData(new[] { 2, 3 }, new[] { 4 })] // does not broadcast
    [InlineData(new[] { 2, 3 }, new[] { 3, 3 })]
    [InlineData(new[] { 2, 3 }, new[] { 1, 2, 3 })] // more dimensions than the full shape
    [InlineData(new int[0], new[] { 1 })]
    [InlineData(new[] { 5 }, new[] { 1, 1 })]
    [InlineData(new[] { 4, 1 }, new[] { 4 })] // broadcasts to [4, 4], not [4, 1]
    [InlineData(new[] { 3, 5 }, new[] { 5, 3 })]
    public void TryRead_and_TrySink_decline_shapes_that_are_no_row_pattern(int[] full, int[] operand)
    {
        var layout = RowLayout.Of(new TensorShape(full));

        Assert.False(layout.TryRead(Tensor.Zeros(operand), out var reader));
        Assert.Null(reader);
        Assert.False(layout.TrySink(new TensorShape(operand), out var sink));
        Assert.Null(sink);
    }

    [Fact]
    public void A_column_row_is_refilled_whenever_the_row_changes_and_only_then_matters()
    {
        var layout = RowLayout.Of(new TensorShape(3, 5));
        Assert.True(layout.TryRead(Tensor.FromArray([10, 20, 30], 3, 1), out var reader));

        Assert.All(reader.Row(0).ToArray(), v => Assert.Equal(10, v));
        Assert.All(reader.Row(0).ToArray(), v => Assert.Equal(10, v));
        Assert.All(reader.Row(2).ToArray(), v => Assert.Equal(30, v));
        Assert.All(reader.Row(1).ToArray(), v => Assert.Equal(20, v));
        Assert.All(reader.Row(0).ToArray(), v => Assert.Equal(10, v));
        Assert.Equal(5, reader.Row(0).Length);
    }

    [Fact]
    public void A_scalar_operand_reads_as_a_full_width_row_of_its_value()
    {
        var layout = RowLayout.Of(new TensorShape(2, 3));
        Assert.True(layout.TryRead(Tensor.Full(4.5), out var reader));

        Assert.Equal([4.5, 4.5, 4.5], reader.Row(0).ToArray());
        Assert.Equal([4.5, 4.5, 4.5], reader.Row(1).ToArray());
    }

    [Fact]
    public void Row_rejects_an_index_outside_the_rows()
    {
        var layout = RowLayout.Of(new TensorShape(2, 3));
        Assert.True(layout.TryRead(Tensor.Zeros(3), out var reader));
        Assert.True(layout.TrySink(new TensorShape(3), out var sink));
        var output = layout.Output();

        Assert.Throws<ArgumentOutOfRangeException>(() => reader.Row(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.Row(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => sink.Row(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => sink.EndRow(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => output.Row(2));
    }

    [Fact]
    public void Start_rejects_a_row_or_block_that_Row_rejects_with_the_same_exception()
    {
        var layout = RowLayout.Of(new TensorShape(2, 3));
        Assert.True(layout.TryRead(Tensor.Zeros(3), out var rowReader));
        Assert.True(layout.TryRead(Tensor.Zeros(2, 1), out var columnReader));
        Assert.True(layout.TrySink(new TensorShape(3), out var rowSink));
        Assert.True(layout.TrySink(new TensorShape(2, 1), out var columnSink));
        var output = layout.Output();

        Assert.Throws<ArgumentOutOfRangeException>(() => rowReader.Start(2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => columnReader.Start(-1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => columnReader.Start(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => rowSink.Start(2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => columnSink.Start(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => output.Start(2));

        rowSink.Result();
        output.Result();
        Assert.Throws<InvalidOperationException>(() => rowSink.Start(0, 0));
        Assert.Throws<InvalidOperationException>(() => output.Start(0));
    }

    // Every sink pattern (full, row, scalar, column) against SumTo, for full shapes of rank 0 to 3, Width 1, Rows 1,
    // widths that are no multiple of the vector width, and empty shapes.
    [Theory]
    [InlineData(new int[0], new int[0])]
    [InlineData(new[] { 5 }, new[] { 5 })]
    [InlineData(new[] { 5 }, new[] { 1 })]
    [InlineData(new[] { 5 }, new int[0])]
    [InlineData(new[] { 7, 5 }, new[] { 7, 5 })]
    [InlineData(new[] { 7, 5 }, new[] { 5 })]
    [InlineData(new[] { 7, 5 }, new[] { 1, 5 })]
    [InlineData(new[] { 7, 5 }, new[] { 7, 1 })]
    [InlineData(new[] { 7, 5 }, new[] { 1, 1 })]
    [InlineData(new[] { 7, 5 }, new int[0])]
    [InlineData(new[] { 1, 7, 5 }, new[] { 7, 5 })]
    [InlineData(new[] { 2, 3, 9 }, new[] { 2, 3, 9 })]
    [InlineData(new[] { 2, 3, 9 }, new[] { 9 })]
    [InlineData(new[] { 2, 3, 9 }, new[] { 1, 1, 9 })]
    [InlineData(new[] { 2, 3, 9 }, new[] { 2, 3, 1 })]
    [InlineData(new[] { 2, 3, 9 }, new[] { 1 })]
    [InlineData(new[] { 2, 3, 9 }, new int[0])]
    [InlineData(new[] { 6, 1 }, new[] { 6, 1 })]
    [InlineData(new[] { 6, 1 }, new[] { 1 })]
    [InlineData(new[] { 6, 1 }, new int[0])]
    [InlineData(new[] { 1, 6 }, new[] { 6 })]
    [InlineData(new[] { 1, 6 }, new[] { 1, 1 })]
    [InlineData(new[] { 0, 3 }, new[] { 3 })]
    [InlineData(new[] { 0, 3 }, new[] { 0, 1 })]
    [InlineData(new[] { 0, 3 }, new int[0])]
    [InlineData(new[] { 3, 0 }, new[] { 3, 1 })]
    [InlineData(new[] { 3, 0 }, new[] { 0 })]
    [InlineData(new[] { 3, 0 }, new int[0])]
    public void TrySink_sums_rows_added_lane_by_lane_to_what_SumTo_gives(int[] full, int[] target)
    {
        var layout = RowLayout.Of(new TensorShape(full));
        var gradient = Tensor.RandomNormal(seed: 11, full);
        var rows = gradient.ToArray();

        Assert.True(layout.TrySink(new TensorShape(target), out var sink));
        for (int i = 0; i < layout.Rows; i++)
        {
            var row = rows.AsSpan(i * layout.Width, layout.Width);
            var sum = sink.Row(i);
            for (int j = 0; j < layout.Width; j += Lane.Count)
            {
                Lane.AddTo(sum, j, Lane.Load(row, j));
            }

            sink.EndRow(i);
        }

        var expected = Tensor.SumTo(gradient, new TensorShape(target));
        var actual = sink.Result();
        Assert.Equal(new TensorShape(target), actual.Shape);
        LaneAssert.Close(expected.ToArray(), actual.ToArray(), absolute: 1e-13);
    }

    [Fact]
    public void A_full_sink_starts_at_zero_and_accumulates_what_is_added_twice()
    {
        var layout = RowLayout.Of(new TensorShape(2, 3));
        Assert.True(layout.TrySink(new TensorShape(2, 3), out var sink));

        for (int i = 0; i < 2; i++)
        {
            Assert.All(sink.Row(i).ToArray(), v => Assert.Equal(0.0, v));
            for (int time = 0; time < 2; time++)
            {
                Lane.AddTo(sink.Row(i), 0, Lane.Load([1.0, 2.0, 3.0], 0));
            }

            sink.EndRow(i);
        }

        Assert.Equal([2, 4, 6, 2, 4, 6], sink.Result().ToArray());
    }

    [Fact]
    public void A_column_sink_puts_each_rows_sum_in_its_element_and_starts_the_next_row_from_zero()
    {
        var layout = RowLayout.Of(new TensorShape(2, 3));
        Assert.True(layout.TrySink(new TensorShape(2, 1), out var sink));

        Lane.AddTo(sink.Row(0), 0, Lane.Load([1.0, 2.0, 3.0], 0));
        sink.EndRow(0);
        Assert.All(sink.Row(1).ToArray(), v => Assert.Equal(0.0, v));
        Lane.AddTo(sink.Row(1), 0, Lane.Load([10.0, 20.0, 30.0], 0));
        sink.EndRow(1);

        var result = sink.Result();
        Assert.Equal(new TensorShape(2, 1), result.Shape);
        Assert.Equal([6, 60], result.ToArray());
    }

    [Fact]
    public void A_sink_gives_its_result_once_and_takes_no_rows_after_it()
    {
        var layout = RowLayout.Of(new TensorShape(2, 3));
        Assert.True(layout.TrySink(new TensorShape(3), out var sink));
        var result = sink.Result();

        Assert.Throws<InvalidOperationException>(() => sink.Result());
        Assert.Throws<InvalidOperationException>(() => sink.Row(0));
        Assert.Throws<InvalidOperationException>(() => sink.EndRow(0));
        Assert.Equal([0, 0, 0], result.ToArray());
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 5 })]
    [InlineData(new[] { 2, 3, 7 })]
    [InlineData(new[] { 0, 3 })]
    [InlineData(new[] { 3, 0 })]
    public void Output_is_a_tensor_of_the_full_shape_made_of_the_rows_written(int[] full)
    {
        var layout = RowLayout.Of(new TensorShape(full));
        var values = Tensor.RandomNormal(seed: 5, full).ToArray();
        var output = layout.Output();

        for (int i = 0; i < layout.Rows; i++)
        {
            var row = output.Row(i);
            Assert.Equal(layout.Width, row.Length);
            values.AsSpan(i * layout.Width, layout.Width).CopyTo(row);
        }

        var result = output.Result();
        Assert.Equal(layout.Full, result.Shape);
        Assert.Equal(values, result.ToArray());
        Assert.Throws<InvalidOperationException>(() => output.Result());
        Assert.Throws<InvalidOperationException>(() => output.Row(0));
    }

    [Theory]
    [InlineData(new[] { 5 }, new[] { 5 }, true)]
    [InlineData(new[] { 1, 5 }, new[] { 1, 5 }, true)]
    [InlineData(new int[0], new[] { 5 }, true)]
    [InlineData(new[] { 1 }, new[] { 5 }, true)]
    [InlineData(new[] { 5 }, new[] { 1, 5 }, true)]
    [InlineData(new[] { 3, 1 }, new[] { 3, 1 }, true)]
    [InlineData(new[] { 1, 1 }, new[] { 3, 1 }, true)]
    [InlineData(new[] { 3, 1 }, new[] { 5 }, false)] // varies along the rows that the sum adds up
    [InlineData(new[] { 3, 5 }, new[] { 5 }, false)]
    [InlineData(new[] { 1, 5 }, new[] { 5 }, false)] // constant, but would give the sum an extra dimension
    [InlineData(new[] { 5 }, new[] { 3, 1 }, false)]
    [InlineData(new[] { 5 }, new int[0], false)]
    public void IsConstantAcrossSum_holds_when_the_factor_broadcasts_to_the_sums_shape(int[] factor, int[] target, bool constant)
    {
        Assert.Equal(constant, RowLayout.IsConstantAcrossSum(new TensorShape(factor), new TensorShape(target)));
    }

    /// <summary>
    /// The fused pass the generator writes for <c>dx = 2·dout·γ - γ²/N</c>, <c>dβ = SumTo(dout, β.Shape)</c> with a
    /// column operand, against the same computed step by step with tensors.
    /// </summary>
    [Theory]
    [InlineData(6, 5)]
    [InlineData(3, 1)]
    [InlineData(1, 9)]
    [InlineData(0, 4)]
    public void A_fused_pass_computes_what_the_step_by_step_tensor_operations_compute(int n, int d)
    {
        var xShape = new TensorShape(n, d);
        var betaShape = new TensorShape(d);
        var dout = Tensor.RandomNormal(seed: 1, n, d);
        var gamma = Tensor.RandomNormal(seed: 2, d);
        var scale = Tensor.RandomNormal(seed: 3, n, 1);

        var layout = RowLayout.Of(xShape);
        Assert.True(layout.Has(dout.Shape));
        Assert.True(layout.TryRead(dout, out var doutRows));
        Assert.True(layout.TryRead(gamma, out var gammaRows));
        Assert.True(layout.TryRead(scale, out var scaleRows));
        Assert.True(layout.TrySink(betaShape, out var dbetaSink));
        var dxOut = layout.Output();
        for (int i = 0; i < layout.Rows; i++)
        {
            var doutRow = doutRows.Row(i);
            var gammaRow = gammaRows.Row(i);
            var scaleRow = scaleRows.Row(i);
            var dbetaRow = dbetaSink.Row(i);
            var dxRow = dxOut.Row(i);
            for (int j = 0; j < layout.Width; j += Lane.Count)
            {
                var g = Lane.Load(doutRow, j);
                var gam = Lane.Load(gammaRow, j);
                Lane.AddTo(dbetaRow, j, g);
                Lane.Store(dxRow, j, (2 * g * gam) - (1.0 / d * Lane.Square(gam) * Lane.Load(scaleRow, j)));
            }

            dbetaSink.EndRow(i);
        }

        var expectedDx = (2 * dout * gamma) - (1.0 / d * Tensor.Square(gamma) * scale);
        LaneAssert.Close(expectedDx.ToArray(), dxOut.Result().ToArray());
        LaneAssert.Close(Tensor.SumTo(dout, betaShape).ToArray(), dbetaSink.Result().ToArray(), absolute: 1e-13);
    }

    /// <summary>
    /// The loop the generator writes: whole lanes through <c>Start</c> and the unchecked forms, then the row's last
    /// elements through the checked ones; it must give what the tensor operations give, tail included.
    /// </summary>
    [Theory]
    [InlineData(6, 8)]
    [InlineData(5, 7)]
    [InlineData(3, 2)]
    [InlineData(2, 1)]
    [InlineData(0, 4)]
    public void Whole_lanes_through_Start_and_a_checked_tail_compute_what_the_tensor_operations_compute(int n, int d)
    {
        var dout = Tensor.RandomNormal(seed: 4, n, d);
        var gamma = Tensor.RandomNormal(seed: 5, d);
        var layout = RowLayout.Of(new TensorShape(n, d));
        Assert.True(layout.TryRead(dout, out var doutRows));
        Assert.True(layout.TryRead(gamma, out var gammaRows));
        Assert.True(layout.TrySink(new TensorShape(d), out var dgammaSink));
        Assert.True(layout.TrySink(new TensorShape(n, 1), out var rowSink));
        var dxOut = layout.Output();
        var halfOut = layout.Output();
        var width = layout.Width;
        for (var i = 0; i < layout.Rows; i++)
        {
            ref readonly var doutRow = ref doutRows.Start(i);
            ref readonly var gammaRow = ref gammaRows.Start(i);
            ref var dgammaRow = ref dgammaSink.Start(i);
            ref var rowSum = ref rowSink.Start(i);
            ref var dxRow = ref dxOut.Start(i);
            ref var halfRow = ref halfOut.Start(i);
            var j = 0;
            for (; j <= width - Lane.Count; j += Lane.Count)
            {
                var g = Lane.LoadUnsafe(in doutRow, j);
                Lane.AddToUnsafe(ref dgammaRow, j, g * Lane.LoadUnsafe(in gammaRow, j));
                Lane.AddToUnsafe(ref rowSum, j, 0.5);
                Lane.StoreUnsafe(ref dxRow, j, g - Lane.LoadUnsafe(in gammaRow, j));
                Lane.StoreUnsafe(ref halfRow, j, 0.5);
            }

            if (j < width)
            {
                var g = Lane.Load(doutRows.Row(i), j);
                Lane.AddTo(dgammaSink.Row(i), j, g * Lane.Load(gammaRows.Row(i), j));
                Lane.AddTo(rowSink.Row(i), j, 0.5);
                Lane.Store(dxOut.Row(i), j, g - Lane.Load(gammaRows.Row(i), j));
                Lane.Store(halfOut.Row(i), j, 0.5);
            }

            dgammaSink.EndRow(i);
            rowSink.EndRow(i);
        }

        LaneAssert.Close((dout - gamma).ToArray(), dxOut.Result().ToArray());
        Assert.All(halfOut.Result().ToArray(), value => Assert.Equal(0.5, value));
        LaneAssert.Close(Tensor.SumProductTo(dout, gamma, new TensorShape(d)).ToArray(), dgammaSink.Result().ToArray(), absolute: 1e-13);
        Assert.All(rowSink.Result().ToArray(), value => Assert.Equal(0.5 * d, value, 12));
    }

    [Fact]
    public void Total_is_the_sum_of_a_sink_to_one_element_and_refuses_a_larger_one()
    {
        var layout = RowLayout.Of(new TensorShape(3, 5));
        var gradient = Tensor.RandomNormal(seed: 6, 3, 5);
        Assert.True(layout.TrySink(new TensorShape(), out var scalar));
        for (var i = 0; i < layout.Rows; i++)
        {
            var row = gradient.AsSpan().Slice(i * 5, 5);
            for (var j = 0; j < 5; j += Lane.Count)
            {
                Lane.AddTo(scalar.Row(i), j, Lane.Load(row, j));
            }

            scalar.EndRow(i);
        }

        Assert.Equal(Tensor.Sum(gradient), scalar.Total(), 12);
        Assert.True(layout.TrySink(new TensorShape(5), out var row5));
        Assert.Throws<InvalidOperationException>(() => row5.Total());
    }

    [Theory]
    [InlineData(new[] { 4, 1 }, 1, new[] { 4, 6 }, true)]   // kept axis
    [InlineData(new[] { 1, 6 }, 0, new[] { 4, 6 }, true)]   // kept first axis
    [InlineData(new[] { 6 }, 0, new[] { 4, 6 }, true)]      // first axis dropped: NumPy prepends it
    [InlineData(new[] { 6 }, -2, new[] { 4, 6 }, true)]
    [InlineData(new[] { 4 }, 1, new[] { 4, 6 }, false)]     // last axis dropped: broadcasting would put it first
    [InlineData(new[] { 4 }, 1, new[] { 4, 4 }, false)]     // even when the sizes would let it broadcast
    [InlineData(new[] { 3, 1 }, 1, new[] { 4, 6 }, false)]  // does not fit
    [InlineData(new[] { 4, 1 }, 2, new[] { 4, 6 }, false)]  // no such axis
    public void ExpandsAsBroadcast_holds_only_when_expanding_along_the_axis_is_broadcasting(int[] reduced, int axis, int[] shape, bool same)
    {
        Assert.Equal(same, RowLayout.ExpandsAsBroadcast(new TensorShape(reduced), axis, new TensorShape(shape)));
        if (same)
        {
            var g = Tensor.RandomNormal(seed: 7, reduced);
            Assert.Equal(Tensor.ExpandAlong(g, axis, new TensorShape(shape)).ToArray(), Tensor.BroadcastTo(g, new TensorShape(shape)).ToArray());
        }
    }

    [Theory]
    [InlineData(1000, 300, 4)]      // 300,000 elements: 4 blocks of 250 rows
    [InlineData(2048, 1024, 16)]    // at most 16 blocks
    [InlineData(100, 100, 1)]       // small: one block
    [InlineData(0, 1000, 1)]
    public void Blocks_cover_every_row_once_and_follow_from_the_shape_alone(int rows, int width, int expectedBlocks)
    {
        var layout = RowLayout.Of(new TensorShape(rows, width));
        var seen = new int[rows];
        var blocks = new System.Collections.Concurrent.ConcurrentBag<int>();
        layout.ForEachBlock((first, end, block) =>
        {
            blocks.Add(block);
            for (var i = first; i < end; i++)
            {
                System.Threading.Interlocked.Increment(ref seen[i]);
            }
        });

        Assert.All(seen, count => Assert.Equal(1, count));
        Assert.Equal(Enumerable.Range(0, layout.Blocks), blocks.OrderBy(b => b));
        Assert.Equal(expectedBlocks, layout.Blocks);
        Assert.Equal(layout.Blocks, RowLayout.Of(new TensorShape(rows, width)).Blocks);
    }

    [Fact]
    public void Sinks_and_column_readers_in_blocks_give_what_one_block_gives()
    {
        // 1000 x 300 is several blocks; each block adds into its own row and reads its own column buffer.
        var shape = new TensorShape(1000, 300);
        var layout = RowLayout.Of(shape);
        Assert.True(layout.Blocks > 1);
        var g = Tensor.RandomNormal(seed: 8, 1000, 300);
        var column = Tensor.RandomNormal(seed: 9, 1000, 1);
        Assert.True(layout.TryRead(g, out var gRows));
        Assert.True(layout.TryRead(column, out var columnRows));
        Assert.True(layout.TrySink(new TensorShape(300), out var rowSum));
        Assert.True(layout.TrySink(new TensorShape(1000, 1), out var columnSum));
        Assert.True(layout.TrySink(new TensorShape(), out var total));
        layout.ForEachBlock((first, end, block) =>
        {
            for (var i = first; i < end; i++)
            {
                for (var j = 0; j < layout.Width; j += Lane.Count)
                {
                    var product = Lane.Load(gRows.Row(i, block), j) * Lane.Load(columnRows.Row(i, block), j);
                    Lane.AddTo(rowSum.Row(i, block), j, product);
                    Lane.AddTo(columnSum.Row(i, block), j, product);
                    Lane.AddTo(total.Row(i, block), j, product);
                }

                rowSum.EndRow(i, block);
                columnSum.EndRow(i, block);
                total.EndRow(i, block);
            }
        });

        var product = g * column;
        LaneAssert.Close(Tensor.SumTo(product, new TensorShape(300)).ToArray(), rowSum.Result().ToArray(), absolute: 1e-11);
        LaneAssert.Close(Tensor.SumTo(product, new TensorShape(1000, 1)).ToArray(), columnSum.Result().ToArray(), absolute: 1e-11);
        Assert.Equal(Tensor.Sum(product), total.Total(), 9);
    }
}
