using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace BackpropGen.Generator.Tests;

/// <summary>The links and heading anchors of a markdown file, as GitHub renders them.</summary>
internal static class MarkdownLinks
{
    private static readonly Regex Link = new(@"!?\[[^\]]*\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)", RegexOptions.Compiled);
    private static readonly Regex InlineCode = new("`[^`\n]*`", RegexOptions.Compiled);
    private static readonly Regex Heading = new(@"^#{1,6}\s+(?<text>.+?)\s*#*\s*$", RegexOptions.Compiled);

    /// <summary>The link targets of the text outside code (fenced blocks and inline code spans), in order.</summary>
    public static IEnumerable<string> Targets(string markdown) =>
        Prose(markdown).SelectMany(line => Link.Matches(InlineCode.Replace(line, string.Empty)).Select(m => m.Groups["target"].Value));

    /// <summary>True for a target with a scheme (https:, mailto:): a link out of the repository by intent.</summary>
    public static bool IsAbsolute(string target) => Regex.IsMatch(target, "^[a-zA-Z][a-zA-Z0-9+.-]*:");

    /// <summary>The anchors GitHub gives the headings: lower case, punctuation dropped, spaces as '-', repeats numbered.</summary>
    public static IReadOnlySet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in Prose(markdown))
        {
            var heading = Heading.Match(line);
            if (!heading.Success)
            {
                continue;
            }

            var slug = Slug(heading.Groups["text"].Value);
            var anchor = slug;
            for (var repeat = 1; !anchors.Add(anchor); repeat++)
            {
                anchor = $"{slug}-{repeat}";
            }
        }

        return anchors;
    }

    private static string Slug(string heading)
    {
        var slug = new StringBuilder();
        foreach (var c in heading.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                slug.Append(c);
            }
            else if (c == ' ')
            {
                slug.Append('-');
            }
        }

        return slug.ToString();
    }

    /// <summary>The lines outside fenced code blocks.</summary>
    private static IEnumerable<string> Prose(string markdown)
    {
        var inFence = false;
        foreach (var line in markdown.Replace("\r\n", "\n").Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                continue;
            }

            if (!inFence)
            {
                yield return line;
            }
        }
    }
}
