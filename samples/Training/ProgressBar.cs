using System;
using System.Diagnostics;
using System.IO;

namespace Samples.Training;

/// <summary>
/// A progress bar for one pass over the data (<c>epoch 2/5 [██████······] 4,800/8,000  loss 0.41 …</c>), redrawn in
/// place on a terminal. When the output is redirected (a log, CI) a carriage return would pile the redraws into one
/// long line, so it writes a plain line at each quarter instead, and the finished line.
/// </summary>
public sealed class ProgressBar
{
    private const int BarWidth = 28;
    private const int RedirectedLines = 4;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly string _label;
    private readonly int _total;
    private readonly TextWriter _writer;
    private readonly bool _inPlace;
    private readonly Stopwatch _sinceRedraw = Stopwatch.StartNew();
    private int _linesWritten;
    private int _lastWidth;

    /// <summary>A bar over <paramref name="total"/> items, written to the console.</summary>
    public ProgressBar(string label, int total)
        : this(label, total, Console.Out, inPlace: !Console.IsOutputRedirected)
    {
    }

    /// <summary>A bar over <paramref name="total"/> items, written to <paramref name="writer"/>, redrawn in place or not.</summary>
    public ProgressBar(string label, int total, TextWriter writer, bool inPlace)
    {
        _label = label;
        _total = Math.Max(1, total);
        _writer = writer;
        _inPlace = inPlace;
    }

    /// <summary>Shows that <paramref name="done"/> items are done, with <paramref name="status"/> after the bar.</summary>
    public void Report(int done, string status)
    {
        if (_inPlace)
        {
            if (_sinceRedraw.Elapsed >= RedrawInterval)
            {
                Redraw(Line(done, status));
                _sinceRedraw.Restart();
            }
        }
        else if ((long)done * RedirectedLines >= (long)(_linesWritten + 1) * _total && done < _total)
        {
            _linesWritten++;
            _writer.WriteLine(Line(done, status));
        }
    }

    /// <summary>Draws the full bar with the final <paramref name="status"/> and ends its line.</summary>
    public void Finish(string status)
    {
        if (_inPlace)
        {
            Redraw(Line(_total, status));
            _writer.WriteLine();
        }
        else
        {
            _writer.WriteLine(Line(_total, status));
        }

        _writer.Flush();
    }

    private void Redraw(string line)
    {
        // Spaces over what a longer previous line left behind.
        _writer.Write("\r" + line + new string(' ', Math.Max(0, _lastWidth - line.Length)));
        _writer.Flush();
        _lastWidth = line.Length;
    }

    private string Line(int done, string status)
    {
        done = Math.Clamp(done, 0, _total);
        int filled = (int)((long)done * BarWidth / _total);
        var bar = new string('█', filled) + new string('·', BarWidth - filled);
        var width = _total.ToString("N0").Length;
        return $"{_label} [{bar}] {done.ToString("N0").PadLeft(width)}/{_total:N0}  {status}";
    }
}
