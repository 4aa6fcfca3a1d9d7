using System.Linq;
using Microsoft.CodeAnalysis;

namespace BackpropGen.Generator.Common;

/// <summary>Metadata names of the runtime types the generator recognises.</summary>
internal static class KnownNames
{
    public const string DifferentiableAttribute = "BackpropGen.DifferentiableAttribute";
    public const string NoGradAttribute = "BackpropGen.NoGradAttribute";
    public const string Tensor = "BackpropGen.Tensor";
    public const string TensorShape = "BackpropGen.TensorShape";

    public const string DifferentiableAttributeName = "DifferentiableAttribute";
    public const string NoGradAttributeName = "NoGradAttribute";

    /// <summary>
    /// Whether a type is the runtime's top-level type of that name: compared by name rather than by display string, as
    /// this runs for every attribute of every called method and parameter.
    /// </summary>
    public static bool IsBackpropGenType(INamedTypeSymbol? type, string name) =>
        type is { ContainingType: null } && type.Name == name && IsBackpropGenNamespace(type.ContainingNamespace);

    /// <summary>Whether a type is declared in the <c>BackpropGen</c> namespace: compared by name, as this runs for every expression.</summary>
    public static bool IsBackpropGenNamespace(INamespaceSymbol? ns) =>
        ns is { Name: "BackpropGen", ContainingNamespace.IsGlobalNamespace: true };

    /// <summary>Whether a method is marked <c>[Differentiable]</c>.</summary>
    public static bool IsDifferentiable(IMethodSymbol method) =>
        method.GetAttributes().Any(a => IsBackpropGenType(a.AttributeClass, DifferentiableAttributeName));
}
