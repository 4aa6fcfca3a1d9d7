using System;
using System.Runtime.CompilerServices;
using System.Text;
using BackpropGen.Generator.Common;

namespace BackpropGen.Generator.Emit;

/// <summary>Writes lines of code at the current indentation; <see cref="Block"/> opens a braced block.</summary>
internal sealed class IndentedWriter
{
    private const string Indentation = "    ";

    private readonly StringBuilder _text;
    private int _depth;

    /// <summary>A verbatim string's content, copied out of its builder to be written with its quotes doubled.</summary>
    [ThreadStatic]
    private static char[]? s_verbatimChunk;

    public IndentedWriter() => _text = StringBuilderCache.Acquire();

    public IndentedWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            WriteIndentation();
            _text.Append(line);
        }

        _text.Append('\n');
        return this;
    }

    /// <summary>
    /// A line written from an interpolated string: its parts go straight into the text, with no string made for the line
    /// (the emitters write most lines so, and the strings were most of what emission allocated).
    /// </summary>
    public IndentedWriter Line([InterpolatedStringHandlerArgument("")] ref LineHandler line)
    {
        line.End();
        return this;
    }

    public IDisposable Block(string header)
    {
        Line(header);
        Line("{");
        _depth++;
        return new Closer(this);
    }

    /// <summary>Indents the lines that follow one level more, for a block whose braces do not fit <see cref="Block"/>.</summary>
    public void Indent() => _depth++;

    /// <summary>Ends an <see cref="Indent"/>.</summary>
    public void Outdent() => _depth--;

    /// <summary>
    /// The text written, as a compact <see cref="Microsoft.CodeAnalysis.Text.SourceText"/>; the writer is not used after
    /// this, and its buffer serves the next one on the thread.
    /// </summary>
    public Microsoft.CodeAnalysis.Text.SourceText Finish()
    {
        var text = CompactSourceText.From(_text);
        StringBuilderCache.Release(_text);
        return text;
    }

    /// <summary>
    /// A verbatim string's lines: the first after <paramref name="prefix"/> at the indentation, the others as they are
    /// (they are the string's content, which <paramref name="writeContent"/> writes), each <c>"</c> doubled, trailing line
    /// ends dropped, then <paramref name="suffix"/> and the line's end.
    /// </summary>
    public void Verbatim<T>(string prefix, T content, Action<T, StringBuilder> writeContent, string suffix)
    {
        // The content is written into a builder of its own, lent like the file's, and copied with its quotes doubled.
        var scratch = StringBuilderCache.Acquire();
        writeContent(content, scratch);
        WriteIndentation();
        _text.Append(prefix);
        var end = scratch.Length;
        while (end > 0 && scratch[end - 1] == '\n')
        {
            end--;
        }

        // In chunks through one buffer per thread; a run of characters up to a quote is appended whole.
        var chunk = s_verbatimChunk ??= new char[1024];
        for (var start = 0; start < end; start += chunk.Length)
        {
            var count = Math.Min(chunk.Length, end - start);
            scratch.CopyTo(start, chunk, 0, count);
            var from = 0;
            for (var i = 0; i < count; i++)
            {
                if (chunk[i] == '"')
                {
                    // Up to and with the quote, which the next run starts with again: so it is written twice.
                    _text.Append(chunk, from, i + 1 - from);
                    from = i;
                }
            }

            _text.Append(chunk, from, count - from);
        }

        StringBuilderCache.Release(scratch);
        _text.Append(suffix).Append('\n');
    }

    private void WriteIndentation()
    {
        for (var i = 0; i < _depth; i++)
        {
            _text.Append(Indentation);
        }
    }

    /// <summary>Appends the parts of an interpolated line after its indentation; an empty line gets no indentation.</summary>
    [InterpolatedStringHandler]
    internal readonly struct LineHandler
    {
        private readonly StringBuilder _text;
        private readonly int _start;
        private readonly int _afterIndentation;

        public LineHandler(int literalLength, int formattedCount, IndentedWriter writer)
        {
            _ = literalLength;
            _ = formattedCount;
            _text = writer._text;
            _start = _text.Length;
            writer.WriteIndentation();
            _afterIndentation = _text.Length;
        }

        public void AppendLiteral(string value) => _text.Append(value);

        public void AppendFormatted(string? value) => _text.Append(value);

        public void AppendFormatted(int value) => _text.Append(value);

        public void AppendFormatted(char value) => _text.Append(value);

        public void AppendFormatted(AdjointRenderer.SpelledExpression value) => value.AppendTo(_text);

        public void AppendFormatted<T>(T value) => _text.Append(value?.ToString());

        public void End()
        {
            if (_text.Length == _afterIndentation)
            {
                _text.Length = _start;
            }

            _text.Append('\n');
        }
    }

    private sealed class Closer : IDisposable
    {
        private readonly IndentedWriter _writer;
        private bool _closed;

        public Closer(IndentedWriter writer) => _writer = writer;

        public void Dispose()
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            _writer._depth--;
            _writer.Line("}");
        }
    }
}
