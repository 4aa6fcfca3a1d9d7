using System;
using System.Linq;
using Xunit;

namespace BackpropGen.Tests.Runtime;

/// <summary>The indexers of one to four coordinates, on tensors and gradient buffers: the params form's elements, its errors, and no allocation.</summary>
public class ElementAccessTests
{
    public static TheoryData<int[]> Shapes() => new() { new[] { 5 }, new[] { 3, 4 }, new[] { 2, 3, 4 }, new[] { 2, 2, 3, 2 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Each_coordinate_indexer_reads_the_element_the_params_indexer_reads(int[] shape)
    {
        var x = Tensor.RandomNormal(3, shape);
        var buffer = GradientBuffer.Zeros(x.Shape);
        var last = new int[shape.Length];
        for (var offset = 0; offset < x.Length; offset++)
        {
            var index = IndexOf(offset, shape);
            var read = index.Length switch
            {
                1 => x[index[0]],
                2 => x[index[0], index[1]],
                3 => x[index[0], index[1], index[2]],
                _ => x[index[0], index[1], index[2], index[3]],
            };
            Assert.Equal(x[index], read);
            switch (index.Length)
            {
                case 1: buffer[index[0]] += read; break;
                case 2: buffer[index[0], index[1]] += read; break;
                case 3: buffer[index[0], index[1], index[2]] += read; break;
                default: buffer[index[0], index[1], index[2], index[3]] += read; break;
            }

            last = index;
        }

        Assert.Equal(x[last], buffer[last]);
        Assert.Equal(x.ToArray(), buffer.Flush().ToArray());
    }

    [Fact]
    public void A_coordinate_indexer_refuses_the_wrong_rank_and_an_index_out_of_range_as_the_params_one_does()
    {
        var m = Tensor.RandomNormal(4, 3, 4);
        Assert.Contains("Index [1] has 1 coordinates, but shape [3, 4] has rank 2", Assert.Throws<ArgumentException>(() => m[1]).Message);
        Assert.Contains("Index [1, 4] is out of range for shape [3, 4]", Assert.Throws<ArgumentOutOfRangeException>(() => m[1, 4]).Message);
        Assert.Contains("Index [-1, 0] is out of range", Assert.Throws<ArgumentOutOfRangeException>(() => GradientBuffer.Zeros(m.Shape)[-1, 0]).Message);
        Assert.Contains("has 3 coordinates", Assert.Throws<ArgumentException>(() => GradientBuffer.Zeros(m.Shape)[0, 0, 0] = 1.0).Message);
    }

    /// <summary>
    /// Every index of one to four coordinates that a shape refuses (a wrong rank, or one coordinate negative or past its
    /// dimension, on each axis): the coordinate indexers, which check in line, throw what the params form throws.
    /// </summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void Each_coordinate_indexer_refuses_every_bad_index_with_the_params_indexers_exception(int[] shape)
    {
        var x = Tensor.RandomNormal(6, shape);
        var buffer = GradientBuffer.Zeros(x.Shape);
        var refused = 0;
        for (var rank = 1; rank <= 4; rank++)
        {
            foreach (var index in BadIndices(shape, rank))
            {
                var expected = Record.Exception(() => x[index]);
                Assert.NotNull(expected);
                AssertSame(expected, Record.Exception(() => Read(x, index)), index);
                AssertSame(expected, Record.Exception(() => ReadBuffer(buffer, index)), index);
                AssertSame(expected, Record.Exception(() => AddToBuffer(buffer, index)), index);
                refused++;
            }
        }

        Assert.True(refused >= 3 + (4 * shape.Length), $"only {refused} bad indices tried");
        Assert.Equal(new double[x.Length], buffer.Flush().ToArray());
    }

    // The indices of `rank` coordinates that `shape` refuses: any index of another rank, and of its own rank each coordinate
    // set to -1 and to its dimension in turn, the others in range (and one far out, past the element count).
    private static int[][] BadIndices(int[] shape, int rank)
    {
        if (rank != shape.Length)
        {
            return [new int[rank]];
        }

        var bad = new System.Collections.Generic.List<int[]>();
        for (var axis = 0; axis < rank; axis++)
        {
            foreach (var coordinate in new[] { -1, shape[axis], int.MaxValue, int.MinValue })
            {
                var index = new int[rank];
                index[axis] = coordinate;
                bad.Add(index);
            }
        }

        return bad.ToArray();
    }

    private static void AssertSame(Exception expected, Exception? actual, int[] index)
    {
        Assert.NotNull(actual);
        Assert.True(expected.GetType() == actual.GetType(), $"[{string.Join(", ", index)}]: {actual.GetType().Name}, not {expected.GetType().Name}");
        Assert.Equal(expected.Message, actual.Message);
    }

    private static double Read(Tensor x, int[] index) => index.Length switch
    {
        1 => x[index[0]],
        2 => x[index[0], index[1]],
        3 => x[index[0], index[1], index[2]],
        _ => x[index[0], index[1], index[2], index[3]],
    };

    private static double ReadBuffer(GradientBuffer buffer, int[] index) => index.Length switch
    {
        1 => buffer[index[0]],
        2 => buffer[index[0], index[1]],
        3 => buffer[index[0], index[1], index[2]],
        _ => buffer[index[0], index[1], index[2], index[3]],
    };

    private static void AddToBuffer(GradientBuffer buffer, int[] index)
    {
        switch (index.Length)
        {
            case 1: buffer[index[0]] += 1.0; break;
            case 2: buffer[index[0], index[1]] += 1.0; break;
            case 3: buffer[index[0], index[1], index[2]] += 1.0; break;
            default: buffer[index[0], index[1], index[2], index[3]] += 1.0; break;
        }
    }

    [Fact]
    public void Reading_and_adding_elements_by_coordinates_allocates_nothing()
    {
        var m = Tensor.RandomNormal(5, 16, 16);
        var buffer = GradientBuffer.Zeros(m.Shape);
        SumAndAdd(m, buffer);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var sum = SumAndAdd(m, buffer);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(double.IsFinite(sum));
    }

    [Fact]
    public void A_flush_hands_over_the_sum_and_the_buffer_starts_again_from_zeros()
    {
        var buffer = GradientBuffer.Zeros(new TensorShape(2, 2));
        buffer[0, 1] += 3.0;
        var first = buffer.Flush();
        buffer[1, 0] += 5.0;
        var second = buffer.Flush();
        Assert.Equal(new[] { 0.0, 3.0, 0.0, 0.0 }, first.ToArray());
        Assert.Equal(new[] { 0.0, 0.0, 5.0, 0.0 }, second.ToArray());
        Assert.Equal(new double[4], buffer.Flush().ToArray());
    }

    [Fact]
    public void Whole_gradients_added_in_place_sum_with_broadcasting_and_a_shape_that_does_not_broadcast_is_named()
    {
        var buffer = GradientBuffer.Zeros(new TensorShape(2, 3));
        var a = Tensor.RandomNormal(1, 2, 3);
        var row = Tensor.RandomNormal(2, 3);
        buffer.Add(a);
        buffer[1, 2] += 0.5;
        buffer.Add(row);
        buffer.Add(a);

        var expected = a + row + a;
        var sum = buffer.Flush();
        Assert.Equal(new[] { 2, 3 }, sum.Shape.ToArray());
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(expected.ToArray()[i] + (i == 5 ? 0.5 : 0.0), sum.ToArray()[i], 15);
        }

        var message = Assert.Throws<ArgumentException>(() => buffer.Add(Tensor.Zeros(3, 2))).Message;
        Assert.Contains("[3, 2]", message);
        Assert.Contains("[2, 3]", message);
    }

    [Fact]
    public void Adding_a_whole_gradient_of_the_buffers_shape_allocates_nothing_once_the_buffer_has_its_array()
    {
        var buffer = GradientBuffer.Zeros(new TensorShape(64, 64));
        var g = Tensor.RandomNormal(3, 64, 64);
        buffer.Add(g);
        var before = GC.GetAllocatedBytesForCurrentThread();
        buffer.Add(g);
        buffer.Add(g);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(3 * g.ToArray()[7], buffer.Flush().ToArray()[7], 14);
    }

    [Theory]
    [InlineData(7, 5, 3)]
    [InlineData(64, 256, 128)] // above the kernel's threshold for two threads
    public void Products_added_in_place_equal_the_products_made_and_added(int k, int m, int n)
    {
        var a = Tensor.RandomNormal(1, k, m);
        var b = Tensor.RandomNormal(2, k, n);
        var start = Tensor.RandomNormal(4, m, n);
        var buffer = GradientBuffer.Zeros(new TensorShape(m, n));
        buffer.Add(start);
        buffer.AddDotTransposeA(a, b);
        buffer.AddDotTransposeB(Tensor.Transpose(a), Tensor.Transpose(b));

        var expected = start + Tensor.DotTransposeA(a, b) + Tensor.DotTransposeB(Tensor.Transpose(a), Tensor.Transpose(b));
        TensorAssert.Equal([m, n], expected.ToArray(), buffer.Flush(), 1e-12);

        // A product of one row broadcasts to every row of the buffer.
        var r = Tensor.RandomNormal(5, k, 1);
        var rows = GradientBuffer.Zeros(new TensorShape(4, n));
        rows.AddDotTransposeA(r, b);
        var broadcast = Tensor.BroadcastTo(Tensor.DotTransposeA(r, b), new TensorShape(4, n));
        TensorAssert.Equal([4, n], broadcast.ToArray(), rows.Flush(), 1e-12);

        var message = Assert.Throws<ArgumentException>(() => GradientBuffer.Zeros(new TensorShape(m, n)).AddDotTransposeB(a, b)).Message;
        Assert.Contains($"[{k}, {m}]", message);
        Assert.Contains($"[{k}, {n}]", message);
        Assert.Contains("AddDotTransposeB", message);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 3)]
    [InlineData(-1, 0)]
    public void Slices_added_in_place_equal_the_unsliced_gradients_made_and_added(int axis, int start)
    {
        var shape = new TensorShape(3, 4, 5);
        var start0 = Tensor.RandomNormal(1, 3, 4, 5);
        var sliceShape = shape.ToArray();
        var normalized = axis < 0 ? axis + 3 : axis;
        sliceShape[normalized] = 2;
        var g = Tensor.RandomNormal(2, sliceShape);
        var buffer = GradientBuffer.Zeros(shape);
        buffer.Add(start0);
        buffer.AddUnsliced(g, axis, start, shape);
        buffer.AddUnsliced(g, axis, start, shape);

        var expected = start0 + Tensor.Unslice(g, axis, start, shape) + Tensor.Unslice(g, axis, start, shape);
        Assert.Equal(expected.ToArray(), buffer.Flush().ToArray());

        // A slice of a shape that broadcasts to the buffer's (one row of [1, 4, 5] to each of 3) is added to every row.
        var row = Tensor.RandomNormal(3, [.. sliceShape.Select((d, i) => i == 0 && normalized != 0 ? 1 : d)]);
        var rowShape = new TensorShape(1, 4, 5);
        if (normalized != 0)
        {
            var rows = GradientBuffer.Zeros(shape);
            rows.AddUnsliced(row, axis, start, rowShape);
            Assert.Equal(Tensor.BroadcastTo(Tensor.Unslice(row, axis, start, rowShape), shape).ToArray(), rows.Flush().ToArray());
        }

        // A gradient that does not fit the slice is refused as Unslice refuses it.
        var message = Assert.Throws<ArgumentException>(() => GradientBuffer.Zeros(shape).AddUnsliced(g, axis, 4, shape)).Message;
        Assert.Equal(Assert.Throws<ArgumentException>(() => Tensor.Unslice(g, axis, 4, shape)).Message, message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public void Taken_slabs_added_in_place_equal_the_untaken_gradients_made_and_added(int axis)
    {
        var shape = new TensorShape(4, 5, 3);
        var normalized = axis < 0 ? axis + 3 : axis;
        int[] indices = [2, 0, 2];
        var takenShape = shape.ToArray();
        takenShape[normalized] = indices.Length;
        var g = Tensor.RandomNormal(1, takenShape);
        var start = Tensor.RandomNormal(2, 4, 5, 3);
        var buffer = GradientBuffer.Zeros(shape);
        buffer.Add(start);
        buffer.AddUntaken(g, indices, axis, shape);

        // Index 2, taken twice, gets both slabs, as Untake adds them (into the sum so far, so in another order: to rounding).
        TensorAssert.Equal([4, 5, 3], (start + Tensor.Untake(g, indices, axis, shape)).ToArray(), buffer.Flush(), 1e-14);

        var message = Assert.Throws<ArgumentException>(() => GradientBuffer.Zeros(shape).AddUntaken(g, [0, 9, 1], axis, shape)).Message;
        Assert.Equal(Assert.Throws<ArgumentException>(() => Tensor.Untake(g, [0, 9, 1], axis, shape)).Message, message);
    }

    [Fact]
    public void Products_sums_and_constants_summed_in_place_equal_SumProductTo_SumTo_and_Full_made_and_added()
    {
        var a = Tensor.RandomNormal(1, 6, 5);
        var b = Tensor.RandomNormal(2, 6, 5);
        var start = Tensor.RandomNormal(3, 6, 5);

        // The buffer's own shape: the same product rounded and added, bit for bit.
        var whole = GradientBuffer.Zeros(new TensorShape(6, 5));
        whole.Add(start);
        whole.AddSumProductTo(a, b, new TensorShape(6, 5));
        whole.AddFull(0.25, new TensorShape(6, 5));
        Assert.Equal((start + Tensor.SumProductTo(a, b, new TensorShape(6, 5)) + Tensor.Full(0.25, 6, 5)).ToArray(), whole.Flush().ToArray());

        // A row of it: the rows summed into the buffer (in another order than SumProductTo's: to rounding).
        foreach (var row in new[] { new TensorShape(5), new TensorShape(1, 5) })
        {
            var rows = GradientBuffer.Zeros(row);
            rows.Add(Tensor.Ones(row));
            rows.AddSumProductTo(a, b, row);
            TensorAssert.Equal([.. row], (Tensor.Ones(row) + Tensor.SumProductTo(a, b, row)).ToArray(), rows.Flush(), 1e-13);
        }

        // Shapes that only broadcast to the buffer's are made and added: a row of the product to each of two rows, a Full of one row.
        var broadcast = GradientBuffer.Zeros(new TensorShape(2, 5));
        broadcast.AddSumProductTo(a, b, new TensorShape(5));
        broadcast.AddFull(2.0, new TensorShape(5));
        var row5 = Tensor.SumProductTo(a, b, new TensorShape(5)) + 2.0;
        Assert.Equal(Tensor.BroadcastTo(row5, new TensorShape(2, 5)).ToArray(), broadcast.Flush().ToArray());

        // Sums to a row are added row by row too (to rounding), a sum to the buffer's own shape is the gradient itself.
        var bias = GradientBuffer.Zeros(new TensorShape(5));
        bias.AddSumTo(a, new TensorShape(5));
        bias.AddSumTo(b, new TensorShape(5));
        TensorAssert.Equal([5], (Tensor.SumTo(a, new TensorShape(5)) + Tensor.SumTo(b, new TensorShape(5))).ToArray(), bias.Flush(), 1e-13);
        var itself = GradientBuffer.Zeros(new TensorShape(6, 5));
        itself.AddSumTo(a, new TensorShape(6, 5));
        Assert.Equal(a.ToArray(), itself.Flush().ToArray());
        var columns = GradientBuffer.Zeros(new TensorShape(6, 1));
        columns.AddSumTo(a, new TensorShape(6, 1));
        Assert.Equal(Tensor.SumTo(a, new TensorShape(6, 1)).ToArray(), columns.Flush().ToArray());
        Assert.Equal(
            Assert.Throws<ArgumentException>(() => Tensor.SumTo(a, new TensorShape(4))).Message,
            Assert.Throws<ArgumentException>(() => GradientBuffer.Zeros(new TensorShape(4)).AddSumTo(a, new TensorShape(4))).Message);

        var message = Assert.Throws<ArgumentException>(() => GradientBuffer.Zeros(new TensorShape(6, 5)).AddSumProductTo(a, Tensor.RandomNormal(4, 6, 4), new TensorShape(6, 5))).Message;
        Assert.Equal(Assert.Throws<ArgumentException>(() => Tensor.SumProductTo(a, Tensor.RandomNormal(4, 6, 4), new TensorShape(6, 5))).Message, message);
    }

    private static double SumAndAdd(Tensor m, GradientBuffer buffer)
    {
        var sum = 0.0;
        for (var i = 0; i < m.Shape[0]; i++)
        {
            for (var j = 0; j < m.Shape[1]; j++)
            {
                sum += m[i, j];
                buffer[i, j] += m[i, j];
            }
        }

        return sum;
    }

    private static int[] IndexOf(int offset, int[] shape)
    {
        var index = new int[shape.Length];
        for (var axis = shape.Length - 1; axis >= 0; axis--)
        {
            index[axis] = offset % shape[axis];
            offset /= shape[axis];
        }

        return index;
    }
}
