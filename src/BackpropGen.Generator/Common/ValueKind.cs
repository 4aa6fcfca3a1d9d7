using Microsoft.CodeAnalysis;

namespace BackpropGen.Generator.Common;

/// <summary>What a value is to differentiation: a tensor, a scalar, or something with no gradient (int, int[], bool, …).</summary>
internal enum ValueKind
{
    Other,
    Double,
    Tensor,
}

internal static class ValueKinds
{
    /// <summary>
    /// The kind of a type, ignoring its nullable annotation (a <c>var</c> local of a reference type is declared
    /// <c>Tensor?</c> in a nullable context, and it is the same tensor).
    /// </summary>
    public static ValueKind Of(ITypeSymbol? type) => type switch
    {
        { SpecialType: SpecialType.System_Double } => ValueKind.Double,
        INamedTypeSymbol { Name: "Tensor", Arity: 0, ContainingType: null } named when KnownNames.IsBackpropGenNamespace(named.ContainingNamespace) => ValueKind.Tensor,
        _ => ValueKind.Other,
    };
}
