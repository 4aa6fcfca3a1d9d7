using System;
using Xunit;

namespace BackpropGen.Tests.Runtime;

/// <summary>The tape a generated forward records into and its backward reads back: order, growth, sizes, rewinding.</summary>
public class TapeTests
{
    [Theory]
    [InlineData(1, 4)]
    [InlineData(2, 4)]
    [InlineData(4, 4)]
    [InlineData(5, 4)]
    [InlineData(100, 4)]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(1000, 10)]
    public void Records_come_back_last_first_whatever_the_count_and_the_capacity(int count, int capacity)
    {
        var tape = new Tape<double>(capacity);
        for (var i = 0; i < count; i++)
        {
            tape.Push(i + 0.5);
        }

        Assert.Equal(count, tape.Count);
        Assert.Equal(8L * count, tape.Bytes);
        var reader = tape.Rewind();
        for (var i = count - 1; i >= 0; i--)
        {
            Assert.Equal(i + 1, reader.Remaining);
            Assert.Equal(i + 0.5, reader.Pop());
        }

        Assert.Equal(0, reader.Remaining);
        Assert.Contains("read back to its start", Assert.Throws<InvalidOperationException>(() => reader.Pop()).Message);
    }

    [Fact]
    public void A_tape_rewinds_again_from_its_last_record_and_a_copied_reader_reads_on_where_the_original_was()
    {
        var tape = new Tape<int>();
        tape.Push(1);
        tape.Push(2);
        tape.Push(3);
        var first = tape.Rewind();
        Assert.Equal(3, first.Pop());
        var copy = first;
        Assert.Equal(2, first.Pop());
        Assert.Equal(2, copy.Pop());
        Assert.Equal(1, copy.Pop());
        Assert.Equal(1, first.Pop());
        var again = tape.Rewind();
        Assert.Equal(3, again.Remaining);
        Assert.Equal(3, again.Pop());
    }

    [Fact]
    public void A_tape_of_one_record_holds_it_without_an_array_and_an_empty_one_has_none_to_read()
    {
        var tape = new Tape<Tensor>();
        Assert.Equal(0, tape.Rewind().Remaining);
        var x = Tensor.RandomNormal(1, 3, 2);
        var before = GC.GetAllocatedBytesForCurrentThread();
        tape.Push(x);
        var reader = tape.Rewind();
        var back = reader.Pop();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Same(x, back);
        Assert.Equal(48, tape.Bytes);
    }
}
