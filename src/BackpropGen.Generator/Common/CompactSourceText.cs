using System;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace BackpropGen.Generator.Common;

/// <summary>
/// A generated file's text kept one byte per character when every character is below U+0100 (generated code nearly always
/// is): the driver holds every generated file for the whole build, and at two bytes a character they were most of the
/// memory the generator's results kept.
/// </summary>
internal sealed class CompactSourceText : SourceText
{
    private const int ChunkLength = 4096;

    /// <summary>The characters being copied out of a builder, a chunk at a time (one buffer per thread).</summary>
    [ThreadStatic]
    private static char[]? s_chunk;

    private readonly byte[] _latin1;

    private CompactSourceText(byte[] latin1) => _latin1 = latin1;

    public override Encoding Encoding => Encoding.UTF8;

    public override int Length => _latin1.Length;

    public override char this[int position] => (char)_latin1[position];

    /// <summary>The text of <paramref name="builder"/>, compact when it can be; the builder is left as it was.</summary>
    public static SourceText From(StringBuilder builder)
    {
        var length = builder.Length;
        var chars = s_chunk ??= new char[ChunkLength];
        var bytes = new byte[length];
        for (var start = 0; start < length; start += ChunkLength)
        {
            var count = Math.Min(ChunkLength, length - start);
            builder.CopyTo(start, chars, 0, count);
            for (var i = 0; i < count; i++)
            {
                if (chars[i] > '\u00FF')
                {
                    return SourceText.From(builder.ToString(), Encoding.UTF8);
                }

                bytes[start + i] = (byte)chars[i];
            }
        }

        return new CompactSourceText(bytes);
    }

    public override void CopyTo(int sourceIndex, char[] destination, int destinationIndex, int count)
    {
        for (var i = 0; i < count; i++)
        {
            destination[destinationIndex + i] = (char)_latin1[sourceIndex + i];
        }
    }
}
