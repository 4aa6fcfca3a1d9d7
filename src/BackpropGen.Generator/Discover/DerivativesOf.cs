using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static BackpropGen.Generator.Discover.HandWrittenSignatures;

namespace BackpropGen.Generator.Discover;

/// <summary>
/// <c>[DerivativeOf(typeof(T), nameof(T.E))]</c> on <c>static G EBackward(R dout, P1 p1, …, Pk pk)</c>: the backward of
/// <c>T</c>'s method <c>E(P1, …, Pk)</c> returning <c>R</c>, the overload whose parameter types are those after
/// <c>dout</c>. Resolves the attribute (for the analyzer, with what is wrong), and finds the backward of a called
/// method among the compilation's declarations (for the lowering).
/// </summary>
internal static class DerivativesOf
{
    private static readonly ConditionalWeakTable<Compilation, Dictionary<IMethodSymbol, IMethodSymbol>> s_backwards = new();

    /// <summary>
    /// The method a <c>[DerivativeOf]</c> method is the backward of, when it resolves and its gradients match; else null,
    /// and what is wrong added to <paramref name="diagnostics"/> (when given).
    /// </summary>
    public static IMethodSymbol? Resolve(IMethodSymbol backward, List<DiagnosticInfo>? diagnostics)
    {
        var attribute = backward.GetAttributes().FirstOrDefault(a => KnownNames.IsBackpropGenType(a.AttributeClass, KnownNames.DerivativeOfAttributeName));
        if (attribute is null
            || attribute.ConstructorArguments.Length != 2
            || attribute.ConstructorArguments[0].Value is not INamedTypeSymbol type
            || attribute.ConstructorArguments[1].Value is not string name)
        {
            // typeof of a type that does not bind, or a name that is not constant: the compiler reports it.
            return null;
        }

        var at = backward.Locations.FirstOrDefault(l => l.IsInSource) ?? Location.None;
        var typeText = TypeText(type);
        var target = $"{typeText}.{name}";
        var afterDout = backward.Parameters.Skip(1).ToList();
        var result = backward.Parameters.Length > 0 ? TypeText(backward.Parameters[0].Type) : "Tensor";
        var expectedTarget = $"static {result} {name}({ParameterList(afterDout)})";

        void Report(DiagnosticDescriptor descriptor, params string[] args) =>
            diagnostics?.Add(DiagnosticInfo.Create(descriptor, at, args));

        var candidates = type.GetMembers(name).OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary).ToList();
        if (candidates.Count == 0)
        {
            Report(DiagnosticDescriptors.DerivativeOfTargetNotFound, backward.Name, target, $"but '{typeText}' has no method '{name}'", expectedTarget);
            return null;
        }

        var usable = candidates.Where(IsUsableTarget).ToList();
        if (usable.Count == 0)
        {
            Report(
                DiagnosticDescriptors.DerivativeOfTargetNotFound,
                backward.Name,
                target,
                $"but no '{name}' of '{typeText}' is static, non-generic, returns a Tensor or a double and takes its parameters by value",
                expectedTarget);
            return null;
        }

        var matched = backward.Parameters.Length == 0 || backward.Parameters[0].RefKind != RefKind.None
            ? null
            : usable.FirstOrDefault(m => SymbolEqualityComparer.Default.Equals(m.ReturnType, backward.Parameters[0].Type) && SameTypes(afterDout, m.Parameters));
        if (matched is null || !backward.IsStatic || backward.IsGenericMethod)
        {
            var problem = !backward.IsStatic ? "it is not static"
                : backward.IsGenericMethod ? "it is generic"
                : $"its parameters ({ParameterList(backward.Parameters)}) match no overload of '{name}'";
            var expected = string.Join("' or '", usable.Select(m => ExpectedBackward(backward, m, m.Parameters.ToList())));
            Report(DiagnosticDescriptors.DerivativeOfParametersMismatch, backward.Name, target, problem, expected);
            return null;
        }

        var differentiable = matched.Parameters.Where((p, i) => IsDifferentiable(p, backward.Parameters[i + 1])).ToList();
        if (differentiable.Count == 0)
        {
            Report(
                DiagnosticDescriptors.DerivativeOfParametersMismatch,
                backward.Name,
                target,
                $"'{name}' has no Tensor or double parameter without [NoGrad] on '{backward.Name}', so there is no gradient to compute",
                ExpectedBackward(backward, matched, matched.Parameters.ToList()));
            return null;
        }

        if (!IsGradientOf(backward.ReturnType, differentiable))
        {
            Report(
                DiagnosticDescriptors.CustomGradientTypesMismatch,
                backward.Name,
                TypeText(backward.ReturnType),
                target,
                GradientText(differentiable)!,
                ExpectedBackward(backward, matched, differentiable));
            return null;
        }

        return matched;
    }

    /// <summary>
    /// The <c>[DerivativeOf]</c> backward of <paramref name="target"/> declared in <paramref name="compilation"/>, or null.
    /// The compilation's declarations are searched once, for every call of every method lowered with it.
    /// </summary>
    public static IMethodSymbol? BackwardOf(Compilation compilation, IMethodSymbol target) =>
        s_backwards.GetValue(compilation, Index).TryGetValue(target.OriginalDefinition, out var backward) ? backward : null;

    private static Dictionary<IMethodSymbol, IMethodSymbol> Index(Compilation compilation)
    {
        var backwards = new Dictionary<IMethodSymbol, IMethodSymbol>(SymbolEqualityComparer.Default);
        foreach (var tree in compilation.SyntaxTrees)
        {
            SemanticModel? model = null;

            // Only declarations hold methods: method bodies, where most of the syntax is, are not walked.
            foreach (var node in tree.GetRoot().DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax or TypeDeclarationSyntax))
            {
                if (node is not MethodDeclarationSyntax { AttributeLists.Count: > 0 } method || !NamesDerivativeOf(method))
                {
                    continue;
                }

                model ??= compilation.GetSemanticModel(tree);
                if (model.GetDeclaredSymbol(method) is IMethodSymbol backward && Resolve(backward, diagnostics: null) is { } resolved && !backwards.ContainsKey(resolved.OriginalDefinition))
                {
                    backwards[resolved.OriginalDefinition] = backward;
                }
            }
        }

        return backwards;
    }

    /// <summary>Whether a method's attributes may be <c>[DerivativeOf]</c>, judged by their names alone (no binding).</summary>
    private static bool NamesDerivativeOf(MethodDeclarationSyntax method) =>
        method.AttributeLists.SelectMany(list => list.Attributes).Any(attribute => (attribute.Name switch
        {
            QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
            AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
            SimpleNameSyntax simple => simple.Identifier.ValueText,
            _ => string.Empty,
        }) is "DerivativeOf" or KnownNames.DerivativeOfAttributeName);

    private static bool IsUsableTarget(IMethodSymbol method) =>
        method.IsStatic && !method.IsGenericMethod && ValueKinds.Of(method.ReturnType) != ValueKind.Other && method.Parameters.All(p => p.RefKind == RefKind.None);

    private static string ExpectedBackward(IMethodSymbol backward, IMethodSymbol target, IReadOnlyList<IParameterSymbol> differentiable) =>
        $"{AccessibilityText(backward.DeclaredAccessibility)}static {GradientText(differentiable.Where(p => ValueKinds.Of(p.Type) != ValueKind.Other).ToList()) ?? "Tensor"} "
        + $"{backward.Name}({TypeText(target.ReturnType)} dout{(target.Parameters.Length > 0 ? ", " : string.Empty)}{ParameterList(target.Parameters)})";
}
