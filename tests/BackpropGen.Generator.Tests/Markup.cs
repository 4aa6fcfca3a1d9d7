using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace BackpropGen.Generator.Tests;

/// <summary>
/// Test sources mark where a diagnostic is expected as <c>{|BPG0007:for|}</c>, as the Roslyn analyzer testing
/// library does: the id, and the exact text the diagnostic's span must cover.
/// </summary>
internal static class Markup
{
    public static (string Source, IReadOnlyList<(string Id, TextSpan Span)> Expected) Parse(string markup)
    {
        var source = new StringBuilder();
        var expected = new List<(string, TextSpan)>();
        var i = 0;
        while (i < markup.Length)
        {
            var open = markup.IndexOf("{|", i, System.StringComparison.Ordinal);
            if (open < 0)
            {
                source.Append(markup, i, markup.Length - i);
                break;
            }

            source.Append(markup, i, open - i);
            var colon = markup.IndexOf(':', open);
            var close = markup.IndexOf("|}", colon, System.StringComparison.Ordinal);
            var id = markup.Substring(open + 2, colon - open - 2);
            var text = markup.Substring(colon + 1, close - colon - 1);
            expected.Add((id, new TextSpan(source.Length, text.Length)));
            source.Append(text);
            i = close + 2;
        }

        return (source.ToString(), expected);
    }
}
