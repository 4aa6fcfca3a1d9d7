using System.Collections.Generic;
using Microsoft.CodeAnalysis.CSharp;

namespace BackpropGen.Generator.Common;

internal static class Identifiers
{
    /// <summary>A name as code: keywords get an <c>@</c> (<c>@out</c>); so does <c>var</c>, which would read as the keyword.</summary>
    public static string Escape(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) == SyntaxKind.VarKeyword
            ? "@" + name
            : name;

    /// <summary>
    /// <paramref name="name"/>, or the first of <c>name2</c>, <c>name3</c>, … that <paramref name="taken"/> does not hold;
    /// the name returned is added to it.
    /// </summary>
    /// <param name="name">The name wanted.</param>
    /// <param name="taken">The names in use, to which the one returned is added.</param>
    /// <param name="takenOutside">Names in use in an enclosing scope, which the one returned must not be either.</param>
    public static string Fresh(string name, HashSet<string> taken, HashSet<string>? takenOutside = null)
    {
        var candidate = name;
        for (var i = 2; takenOutside?.Contains(candidate) == true || !taken.Add(candidate); i++)
        {
            candidate = name + i;
        }

        return candidate;
    }
}
