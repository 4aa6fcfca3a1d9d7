using System.Linq;
using System.Text;
using BackpropGen.Generator.Common;
using Xunit;

namespace BackpropGen.Generator.Tests;

/// <summary>Generated files are handed to the compiler one byte a character when they are ASCII: the text must read the same.</summary>
public class CompactSourceTextTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4095)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(20_000)]
    public void Ascii_text_reads_back_the_same_at_every_length_and_offset(int length)
    {
        var text = string.Concat(Enumerable.Range(0, length).Select(i => (char)(' ' + (i * 7 % 95))));
        var compact = CompactSourceText.From(new StringBuilder(text));

        Assert.IsType<CompactSourceText>(compact);
        Assert.Equal(text, compact.ToString());
        Assert.Equal(length, compact.Length);
        if (length > 0)
        {
            Assert.Equal(text[length / 2], compact[length / 2]);
            var part = new char[length - (length / 3)];
            compact.CopyTo(length / 3, part, 0, part.Length);
            Assert.Equal(text.Substring(length / 3), new string(part));
        }

        Assert.Equal(Encoding.UTF8, compact.Encoding);
    }

    [Theory]
    [InlineData("var y = x * \"é\".Length;")]
    [InlineData("// ü at the start of a later chunk")]
    public void Text_with_other_characters_is_kept_as_it_is(string line)
    {
        var text = new string('a', 5000) + line;
        var source = CompactSourceText.From(new StringBuilder(text));

        Assert.IsNotType<CompactSourceText>(source);
        Assert.Equal(text, source.ToString());
    }
}
