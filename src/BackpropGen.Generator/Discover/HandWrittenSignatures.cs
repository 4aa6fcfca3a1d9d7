using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using Microsoft.CodeAnalysis;

namespace BackpropGen.Generator.Discover;

/// <summary>
/// The shapes a hand-written derivative must have (SPEC §2 and §8), as the diagnostics quote them: a method's
/// differentiable parameters, the gradient type its backward returns, and signatures spelled as the user would write them.
/// </summary>
internal static class HandWrittenSignatures
{
    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.MinimallyQualifiedFormat;

    /// <summary>How a type reads in a message: <c>Tensor</c>, <c>double</c>, <c>int[]</c>.</summary>
    public static string TypeText(ITypeSymbol type) => type.ToDisplayString(TypeFormat);

    /// <summary>The parameters as declared: <c>Tensor x, double beta</c>.</summary>
    public static string ParameterList(IEnumerable<IParameterSymbol> parameters) =>
        string.Join(", ", parameters.Select(p => TypeText(p.Type) + " " + p.Name));

    /// <summary>Whether a parameter gets a gradient: a <c>Tensor</c> or <c>double</c>, not marked <c>[NoGrad]</c> on <paramref name="marks"/>.</summary>
    public static bool IsDifferentiable(IParameterSymbol parameter, IParameterSymbol marks) =>
        ValueKinds.Of(parameter.Type) != ValueKind.Other && !KnownNames.IsNoGrad(marks);

    /// <summary>
    /// The gradient a backward of these parameters returns (SPEC §2): the one differentiable parameter's type, or a tuple
    /// of them named <c>d</c> + the parameter's name; null when none is differentiable.
    /// </summary>
    public static string? GradientText(IReadOnlyList<IParameterSymbol> differentiable) => differentiable.Count switch
    {
        0 => null,
        1 => TypeText(differentiable[0].Type),
        _ => "(" + string.Join(", ", differentiable.Select(p => TypeText(p.Type) + " d" + p.Name)) + ")",
    };

    /// <summary>Whether <paramref name="returned"/> is the gradient of <paramref name="differentiable"/>: its type, or a tuple of their types in order (element names free).</summary>
    public static bool IsGradientOf(ITypeSymbol returned, IReadOnlyList<IParameterSymbol> differentiable)
    {
        if (differentiable.Count == 1)
        {
            return SymbolEqualityComparer.Default.Equals(returned, differentiable[0].Type);
        }

        return returned is INamedTypeSymbol { IsTupleType: true } tuple
            && tuple.TupleElements.Length == differentiable.Count
            && tuple.TupleElements.Select((element, i) => SymbolEqualityComparer.Default.Equals(element.Type, differentiable[i].Type)).All(same => same);
    }

    /// <summary>Whether two lists of parameters have the same types, in order, all passed by value.</summary>
    public static bool SameTypes(IReadOnlyList<IParameterSymbol> parameters, IReadOnlyList<IParameterSymbol> expected) =>
        parameters.Count == expected.Count
        && parameters.Select((p, i) => p.RefKind == RefKind.None && SymbolEqualityComparer.Default.Equals(p.Type, expected[i].Type)).All(same => same);

    /// <summary>A method's signature as declared: <c>public static Tensor SoftplusBackward(Tensor dout, SoftplusCache cache)</c>.</summary>
    public static string Declared(IMethodSymbol method) =>
        $"{AccessibilityText(method.DeclaredAccessibility)}{(method.IsStatic ? "static " : string.Empty)}{TypeText(method.ReturnType)} {method.Name}({ParameterList(method.Parameters)})";

    /// <summary>The keyword of an accessibility, with a space after it (<c>public </c>), or nothing.</summary>
    public static string AccessibilityText(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Public => "public ",
        Accessibility.Internal => "internal ",
        Accessibility.Protected => "protected ",
        Accessibility.ProtectedOrInternal => "protected internal ",
        Accessibility.ProtectedAndInternal => "private protected ",
        Accessibility.Private => "private ",
        _ => string.Empty,
    };

    /// <summary>Where a diagnostic about a symbol goes: its first source location, else <paramref name="fallback"/>.</summary>
    public static Location LocationOf(ISymbol symbol, Location fallback) => symbol.Locations.FirstOrDefault(l => l.IsInSource) ?? fallback;
}
