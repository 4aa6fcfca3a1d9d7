using System.Collections.Generic;
using System.Linq;
using System.Text;
using BackpropGen.Generator.Common;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BackpropGen.Generator.Lower;

/// <summary>How user code is quoted and replayed as text: flattened to one line, and the usings it needs.</summary>
internal static class SyntaxText
{
    public static (EquatableArray<string> File, EquatableArray<string> Namespace) CollectUsings(MethodDeclarationSyntax syntax)
    {
        var file = new List<string>();
        var inNamespace = new List<string>();
        foreach (var ancestor in syntax.Ancestors())
        {
            switch (ancestor)
            {
                // A node's ToString leaves out its leading and trailing trivia (comments, line breaks) without making a new node.
                case BaseNamespaceDeclarationSyntax ns:
                    inNamespace.InsertRange(0, ns.Usings.Select(u => u.ToString()));
                    break;
                case CompilationUnitSyntax unit:
                    file.AddRange(unit.Usings.Where(u => !u.GlobalKeyword.IsKind(SyntaxKind.GlobalKeyword)).Select(u => u.ToString()));
                    break;
            }
        }

        return (file.ToEquatableArray(), inNamespace.ToEquatableArray());
    }

    /// <summary>
    /// A node's code on one line, its comments dropped and each run of whitespace between tokens made one space:
    /// steps are quoted in comments and replayed as single lines.
    /// </summary>
    /// <remarks>A quote (<paramref name="asQuote"/>) names identifiers as a reader says them: <c>var</c>, not <c>@var</c>.</remarks>
    public static string Flatten(SyntaxNode node, bool asQuote = false)
    {
        // Most steps are written on one line with single spaces: their code is already flat, and read straight from the
        // source text (a rewritten node has none, and writes itself out).
        var written = node.SyntaxTree.TryGetText(out var source) ? source.ToString(node.Span) : node.ToString();
        if (!node.ContainsDiagnostics && IsFlat(written))
        {
            return written;
        }

        var text = new StringBuilder();
        SyntaxToken previous = default;
        foreach (var token in node.DescendantTokens())
        {
            if (text.Length > 0 && (previous.HasTrailingTrivia || token.HasLeadingTrivia))
            {
                text.Append(' ');
            }

            text.Append(asQuote && token.IsKind(SyntaxKind.IdentifierToken) ? token.ValueText : token.Text);
            previous = token;
        }

        return text.ToString();
    }

    /// <summary>
    /// Whether code reads the same flattened: no whitespace but single spaces, no comment or directive, and no escaped
    /// identifier (which a quote spells unescaped). A string literal with such text in it is flattened the long way.
    /// </summary>
    private static bool IsFlat(string code)
    {
        for (var i = 0; i < code.Length; i++)
        {
            var c = code[i];
            if (c is '@' or '\\' or '#'
                || (c == ' ' && i + 1 < code.Length && code[i + 1] == ' ')
                || (c != ' ' && char.IsWhiteSpace(c))
                || (c == '/' && i + 1 < code.Length && code[i + 1] is '/' or '*'))
            {
                return false;
            }
        }

        return true;
    }
}
