using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace BackpropGen.CodeFixes;

/// <summary>Names for the locals the fixes introduce, never one already used in the method.</summary>
internal static class LocalNames
{
    /// <summary>Every identifier written in the node: a new local named like any of them could capture or shadow it.</summary>
    public static HashSet<string> InUse(SyntaxNode node)
    {
        var names = new HashSet<string>();
        foreach (var token in node.DescendantTokens())
        {
            if (token.IsKind(SyntaxKind.IdentifierToken))
            {
                names.Add(token.ValueText);
            }
        }

        return names;
    }

    /// <summary><c>y</c> → <c>y2</c>, <c>y2</c> → <c>y3</c>: the next numbered name after <paramref name="name"/> not in use.</summary>
    public static string Numbered(string name, HashSet<string> inUse)
    {
        var stem = name.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9');
        if (stem.Length == 0)
        {
            stem = name;
        }

        var start = stem.Length < name.Length && int.TryParse(name.Substring(stem.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n + 1 : 2;
        for (var i = start; ; i++)
        {
            var candidate = stem + i.ToString(CultureInfo.InvariantCulture);
            if (inUse.Add(candidate))
            {
                return candidate;
            }
        }
    }
}
