using BackpropGen.Generator.Discover;
using Microsoft.CodeAnalysis;

namespace BackpropGen.Generator.Lower;

internal static class ValueKinds
{
    /// <summary>
    /// The kind of a type, ignoring its nullable annotation: a <c>var</c> local of a reference type is declared
    /// <c>Tensor?</c> in a nullable context, and it is the same tensor.
    /// </summary>
    public static ValueKind Of(ITypeSymbol? type) => type switch
    {
        { SpecialType: SpecialType.System_Double } => ValueKind.Double,
        INamedTypeSymbol named when named.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString() == KnownNames.Tensor => ValueKind.Tensor,
        _ => ValueKind.Other,
    };
}
