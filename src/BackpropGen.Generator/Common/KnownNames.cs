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
    public const string CustomDerivativeAttributeName = "CustomDerivativeAttribute";
    public const string DerivativeOfAttributeName = "DerivativeOfAttribute";
    public const string CheckpointAttributeName = "CheckpointAttribute";

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
    public static bool IsDifferentiable(IMethodSymbol method) => HasAttribute(method, DifferentiableAttributeName);

    /// <summary>Whether a method is marked <c>[CustomDerivative]</c>: its author wrote its cache, forward and backward.</summary>
    public static bool IsCustomDerivative(IMethodSymbol method) => HasAttribute(method, CustomDerivativeAttributeName);

    /// <summary>Whether a method is marked <c>[Checkpoint]</c>: its callers keep its arguments, not its cache.</summary>
    public static bool IsCheckpoint(IMethodSymbol method) => HasAttribute(method, CheckpointAttributeName);

    /// <summary>Whether a parameter is marked <c>[NoGrad]</c>.</summary>
    public static bool IsNoGrad(IParameterSymbol parameter) =>
        parameter.GetAttributes().Any(a => IsBackpropGenType(a.AttributeClass, NoGradAttributeName));

    /// <summary>Whether a symbol carries the runtime's attribute of that (metadata) name.</summary>
    public static bool HasAttribute(ISymbol symbol, string attributeName) =>
        symbol.GetAttributes().Any(a => IsBackpropGenType(a.AttributeClass, attributeName));
}
