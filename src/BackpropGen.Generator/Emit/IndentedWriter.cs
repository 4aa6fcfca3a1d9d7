using System;
using System.Text;

namespace BackpropGen.Generator.Emit;

/// <summary>Writes lines of code at the current indentation; <see cref="Block"/> opens a braced block.</summary>
internal sealed class IndentedWriter
{
    private const string Indentation = "    ";
    private readonly StringBuilder _text = new();
    private int _depth;

    public IndentedWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            for (var i = 0; i < _depth; i++)
            {
                _text.Append(Indentation);
            }

            _text.Append(line);
        }

        _text.Append('\n');
        return this;
    }

    /// <summary>Text written as it is, without indentation: the continuation lines of a verbatim string.</summary>
    public IndentedWriter Raw(string text)
    {
        _text.Append(text);
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

    public override string ToString() => _text.ToString();

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
