using Microsoft.CodeAnalysis.CSharp;

namespace BackpropGen.Generator.Common;

internal static class Identifiers
{
    /// <summary>A name as code: keywords get an <c>@</c> (<c>@out</c>); so does <c>var</c>, which would read as the keyword.</summary>
    public static string Escape(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) == SyntaxKind.VarKeyword
            ? "@" + name
            : name;
}
