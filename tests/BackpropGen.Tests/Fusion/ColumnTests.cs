using System;
using Xunit;

namespace BackpropGen.Tests.Fusion;

/// <summary>
/// The one-value-per-row forms of a fused pass: <see cref="ColumnReader"/> and <see cref="ColumnSink"/> accept exactly the
/// shapes with one element per row of the full shape, and sum rows accumulated in a register (<see cref="Lane.First"/>,
/// <see cref="Lane.Sum"/>) to what <see cref="Tensor.SumTo"/> gives.
/// </summary>
public class ColumnTests
{
    [Theory]
    [InlineData(new[] { 3, 5 }, new[] { 3, 1 }, true)]
    [InlineData(new[] { 2, 3, 5 }, new[] { 2, 3, 1 }, true)]
    [InlineData(new[] { 2, 3, 5 }, new[] { 1, 2, 3, 1 }, false)]   // more dimensions than the full shape
    [InlineData(new[] { 4, 1 }, new[] { 4, 1 }, true)]             // rows one wide: the full shape, and a column
    [InlineData(new[] { 1, 7 }, new[] { 1, 1 }, true)]             // one row: one element
    [InlineData(new[] { 1, 7 }, new[] { 1 }, true)]
    [InlineData(new[] { 3, 5 }, new[] { 1, 5 }, false)]            // a row
    [InlineData(new[] { 3, 5 }, new[] { 3 }, false)]               // [N] aligns to the last axis: not a column
    [InlineData(new[] { 3, 5 }, new[] { 1, 1 }, false)]            // a scalar of a layout with several rows
    [InlineData(new[] { 2, 3, 5 }, new[] { 3, 1 }, false)]         // a column of the last two axes only
    public void Only_a_shape_with_one_element_per_row_is_a_column(int[] full, int[] shape, bool column)
    {
        var layout = RowLayout.Of(new TensorShape(full));

        Assert.Equal(column, layout.TryReadColumn(Tensor.RandomNormal(3, shape), out _));
        Assert.Equal(column, layout.TrySinkColumn(new TensorShape(shape), out _));
    }

    [Theory]
    [InlineData(7, 9)]   // a partial lane at the end of every row
    [InlineData(3, 8)]
    [InlineData(5, 2)]   // rows narrower than a lane
    public void Rows_summed_in_a_register_give_what_SumTo_gives(int n, int d)
    {
        var layout = RowLayout.Of(new TensorShape(n, d));
        var gradient = Tensor.RandomNormal(seed: 12, n, d);
        var rows = gradient.ToArray();

        Assert.True(layout.TrySinkColumn(new TensorShape(n, 1), out var sink));
        for (int i = 0; i < n; i++)
        {
            var row = rows.AsSpan(i * d, d);
            Lane sum = 0.0;
            var j = 0;
            for (; j <= d - Lane.Count; j += Lane.Count)
            {
                sum += Lane.Load(row, j);
            }

            if (j < d)
            {
                // the padding Load puts past the row's end (1.0) must not count
                sum += Lane.First(Lane.Load(row, j), d - j);
            }

            sink.Add(i, Lane.Sum(sum));
        }

        LaneAssert.Close(Tensor.SumTo(gradient, new TensorShape(n, 1)).ToArray(), sink.Result().ToArray(), absolute: 1e-13);
    }

    [Fact]
    public void First_selects_the_padding_away_even_when_it_is_not_a_number()
    {
        var kept = Lane.First(double.NaN, 1);
        Assert.True(double.IsNaN(Lane.Sum(Lane.First(kept, Lane.Count))));
        Assert.Equal(0.0, Lane.Sum(Lane.First(double.NaN, 0)));
        Assert.Equal(3.0 * (Lane.Count - 1), Lane.Sum(Lane.First(3.0, Lane.Count - 1)));
    }

    [Fact]
    public void A_column_reader_gives_each_rows_value_and_a_sink_its_result_once()
    {
        var layout = RowLayout.Of(new TensorShape(3, 4));
        Assert.True(layout.TryReadColumn(Tensor.FromArray([1.0, 2.0, 3.0], 3, 1), out var reader));
        Assert.Equal(2.0, reader[1]);
        Assert.Throws<IndexOutOfRangeException>(() => reader[3]);

        Assert.True(layout.TrySinkColumn(new TensorShape(3, 1), out var sink));
        sink.Add(2, 5.0);
        Assert.Equal([0, 0, 5], sink.Result().ToArray());
        Assert.Throws<InvalidOperationException>(() => sink.Result());
        Assert.Throws<InvalidOperationException>(() => sink.Add(0, 1.0));
    }

    [Theory]
    [InlineData(1, new[] { 3 }, true)]       // Sum(e, axis: 1) of [3, 4]: not kept
    [InlineData(-1, new[] { 3 }, true)]
    [InlineData(1, new[] { 3, 1 }, true)]    // kept
    [InlineData(0, new[] { 4 }, false)]      // along the first axis: a row, read as broadcast instead
    [InlineData(1, new[] { 4 }, false)]      // not the shape reduced along the axis
    public void An_expansion_is_read_as_a_column_only_along_the_last_axis(int axis, int[] reduced, bool column)
    {
        var layout = RowLayout.Of(new TensorShape(3, 4));

        Assert.Equal(column, layout.TryReadColumn(Tensor.RandomNormal(4, reduced), axis, new TensorShape(3, 4), out _));
        Assert.False(layout.TryReadColumn(Tensor.RandomNormal(4, 3), 1, new TensorShape(2, 4), out _));   // not the full shape
    }
}
