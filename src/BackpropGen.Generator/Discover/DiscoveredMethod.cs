using System.Collections.Generic;
using System.Text;
using BackpropGen.Generator.Common;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BackpropGen.Generator.Discover;

/// <summary>A type that contains the method, outermost first, as it is declared (<c>static partial class Layers</c>).</summary>
internal sealed record ContainingType(string Keyword, string NameWithTypeParameters);

/// <summary>
/// How a method is known to the later stages: its <paramref name="Key"/> (its documentation id), its name, and the
/// name of the file its code would get.
/// </summary>
internal sealed record MethodIdentity(string Key, string Name, string HintName)
{
    public static MethodIdentity Of(IMethodSymbol method) => new(KeyOf(method), method.Name, HintNameOf(method));

    /// <summary>A method's documentation id (<c>M:Layers.Affine(BackpropGen.Tensor,…)</c>): one per method, the same from a call and from the declaration, and from either part of a partial method.</summary>
    public static string KeyOf(IMethodSymbol method)
    {
        var definition = method.PartialDefinitionPart ?? method.OriginalDefinition;
        return definition.GetDocumentationCommentId() ?? definition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
    }

    /// <summary>
    /// The name of a method's generated file, from the namespace, type and method names as a reader says them (<c>class</c>,
    /// not <c>@class</c>); a character a file name may not have becomes <c>_</c>. The call graph makes it unique.
    /// </summary>
    private static string HintNameOf(IMethodSymbol method)
    {
        var parts = new List<string> { method.Name };
        for (var type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            parts.Add(type.Name);
        }

        for (var ns = method.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
        {
            parts.Add(ns.Name);
        }

        parts.Reverse();
        var name = new StringBuilder();
        foreach (var part in parts)
        {
            foreach (var c in part)
            {
                name.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
            }

            name.Append('.');
        }

        return name.Append("g.cs").ToString();
    }
}

/// <summary>
/// A <c>[Differentiable]</c> method as discovery found it: the body to lower and what the checks of its signature
/// reported. It holds the semantic model and syntax, so it lives only within the transform that found it; what leaves
/// the front end is the lowering's value-equal result.
/// </summary>
internal sealed class DiscoveredMethod
{
    public DiscoveredMethod(
        SemanticModel model,
        MethodDeclarationSyntax syntax,
        IMethodSymbol method,
        MethodIdentity identity,
        EquatableArray<ContainingType> containingTypes,
        MethodScan scan,
        EquatableArray<DiagnosticInfo> diagnostics,
        bool canLower)
    {
        Model = model;
        Syntax = syntax;
        Method = method;
        Identity = identity;
        ContainingTypes = containingTypes;
        Scan = scan;
        Diagnostics = diagnostics;
        CanLower = canLower;
    }

    public SemanticModel Model { get; }

    /// <summary>The declaration whose body is lowered (the implementing part of a partial method).</summary>
    public MethodDeclarationSyntax Syntax { get; }

    public IMethodSymbol Method { get; }

    public MethodIdentity Identity { get; }

    public EquatableArray<ContainingType> ContainingTypes { get; }

    public MethodScan Scan { get; }

    /// <summary>The errors of the signature, containing types and generated names.</summary>
    public EquatableArray<DiagnosticInfo> Diagnostics { get; }

    /// <summary>
    /// Whether the body is worth lowering: not when an error leaves nothing to lower or would only be restated by the
    /// body's errors, nor with two parameters of one name (CS0100, which the compiler reports).
    /// </summary>
    public bool CanLower { get; }

    /// <summary>Whether the method cannot compile, judged cheaply (<see cref="MethodDiscovery.HasCompileErrors"/>).</summary>
    public bool HasCompileErrors => MethodDiscovery.HasCompileErrors(Syntax, Scan);
}
