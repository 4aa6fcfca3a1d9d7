using System;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace BackpropGen.Generator.Common;

/// <summary>
/// A generated file's text kept one byte per character when it is all ASCII (generated code nearly always is): the
/// driver holds every generated file for the whole build, and at two bytes a character they were most of the memory the
/// generator's results kept.
/// </summary>
internal sealed class CompactSourceText : SourceText
{
    private const int ChunkLength = 4096;

    /// <summary>The characters being copied out of a builder, a chunk at a time (one buffer per thread).</summary>
    [ThreadStatic]
    private static char[]? s_chunk;

    private readonly byte[] _ascii;

    private CompactSourceText(byte[] ascii) => _ascii = ascii;

    public override Encoding Encoding => Encoding.UTF8;

    public override int Length => _ascii.Length;

    public override char this[int position] => (char)_ascii[position];

    /// <summary>The text of <paramref name="builder"/>, compact when it is ASCII; the builder is left as it was.</summary>
    public static SourceText From(StringBuilder builder)
    {
        var length = builder.Length;
        var chars = s_chunk ??= new char[ChunkLength];
        var bytes = new byte[length];
        for (var start = 0; start < length; start += ChunkLength)
        {
            var count = Math.Min(ChunkLength, length - start);
            builder.CopyTo(start, chars, 0, count);

            // UTF-8 spends one byte on a character exactly when it is ASCII; both calls are vectorized by the runtime.
            if (Encoding.UTF8.GetByteCount(chars, 0, count) != count)
            {
                return SourceText.From(builder.ToString(), Encoding.UTF8);
            }

            Encoding.UTF8.GetBytes(chars, 0, count, bytes, start);
        }

        return new CompactSourceText(bytes);
    }

    public override void CopyTo(int sourceIndex, char[] destination, int destinationIndex, int count) =>
        Encoding.ASCII.GetChars(_ascii, sourceIndex, count, destination, destinationIndex);
}
