using BackpropGen.Generator.Discover;
using BackpropGen.Generator.Ir;
using Microsoft.CodeAnalysis;

namespace BackpropGen.Generator.Lower;

internal static class ValueKinds
{
    /// <summary>
    /// The kind of a type, ignoring its nullable annotation (a <c>var</c> local of a reference type is declared
    /// <c>Tensor?</c> in a nullable context, and it is the same tensor).
    /// </summary>
    public static ValueKind Of(ITypeSymbol? type) => type switch
    {
        { SpecialType: SpecialType.System_Double } => ValueKind.Double,
        INamedTypeSymbol { Name: "Tensor", Arity: 0, ContainingType: null } named when IsBackpropGenNamespace(named.ContainingNamespace) => ValueKind.Tensor,
        _ => ValueKind.Other,
    };

    /// <summary>Whether a type is declared in the <c>BackpropGen</c> namespace: compared by name, as this runs for every expression.</summary>
    public static bool IsBackpropGenNamespace(INamespaceSymbol? ns) =>
        ns is { Name: "BackpropGen", ContainingNamespace.IsGlobalNamespace: true };
}
