using System.Collections.Generic;
using System.Linq;
using System.Threading;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BackpropGen.Generator.Discover;

/// <summary>
/// Checks that a <c>[Differentiable]</c> method can be given a generated forward and backward (static, in partial
/// types, differentiable result, by-value parameters, no clashing names), and finds the body the lowering stage reads.
/// </summary>
internal static class MethodDiscovery
{
    /// <summary>
    /// <c>Compilation.GetSemanticModel(tree, SemanticModelOptions.DisableNullableAnalysis)</c>, where the compiler has it
    /// (Roslyn 4.9 and later; the generator is built against 4.8, for the .NET 8 SDK): found once by reflection. Roslyn
    /// marks the option experimental (RSEXPERIMENTAL001): should it go or change shape, the lookup finds nothing and the
    /// driver's model is used, as on 4.8.
    /// </summary>
    private static readonly (System.Reflection.MethodInfo Method, object Options)? s_withoutNullableAnalysis = FindWithoutNullableAnalysis();

    /// <summary>
    /// A model of the tree that does not run nullable analysis, or <paramref name="model"/> on a compiler without the
    /// option. The lowering reads types, symbols and operations, which nullable analysis does not change (a var local's
    /// inferred annotation is dropped anyway); and the analysis is a quarter of what binding a body costs.
    /// </summary>
    internal static SemanticModel WithoutNullableAnalysis(SemanticModel model, SyntaxTree tree) =>
        s_withoutNullableAnalysis is { } found
            ? (SemanticModel)found.Method.Invoke(model.Compilation, new[] { tree, found.Options })!
            : model;

    private static (System.Reflection.MethodInfo, object)? FindWithoutNullableAnalysis()
    {
        var optionsType = typeof(Compilation).Assembly.GetType("Microsoft.CodeAnalysis.SemanticModelOptions");
        if (optionsType is null || !System.Enum.IsDefined(optionsType, "DisableNullableAnalysis"))
        {
            return null;
        }

        var getModel = typeof(Compilation).GetMethod(nameof(Compilation.GetSemanticModel), new[] { typeof(SyntaxTree), optionsType });
        return getModel is null ? null : (getModel, System.Enum.Parse(optionsType, "DisableNullableAnalysis"));
    }

    /// <summary>
    /// Checks one method: its signature, its containing types, the names its generated members take, how deeply its
    /// expressions nest. <paramref name="method"/> may be the declaring part of a partial method; what is found is the
    /// implementing part, whose body is lowered.
    /// </summary>
    public static DiscoveredMethod Discover(SemanticModel model, MethodDeclarationSyntax syntax, IMethodSymbol method, CancellationToken cancellationToken)
    {
        // [Differentiable] on the declaring part of a partial method: the body, and the names it uses, are the
        // implementing part's.
        if (syntax.Body is null && syntax.ExpressionBody is null
            && method.PartialImplementationPart is { } implementation
            && implementation.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is MethodDeclarationSyntax implementing)
        {
            syntax = implementing;
            method = implementation;
            if (implementing.SyntaxTree != model.SyntaxTree)
            {
                model = WithoutNullableAnalysis(model.Compilation.GetSemanticModel(implementing.SyntaxTree), implementing.SyntaxTree);
            }
        }

        var diagnostics = new List<DiagnosticInfo>();
        var scan = MethodScan.Of(syntax, cancellationToken);
        CheckSignature(syntax, method, scan, diagnostics);
        var containingTypes = CheckContainingTypes(syntax, method, diagnostics);
        CheckGeneratedNames(syntax, method, diagnostics);
        CheckNesting(scan, diagnostics);
        var canLower = !HasDuplicateParameterNames(method) && !diagnostics.Any(d => BlocksLowering(d.Descriptor));
        return new DiscoveredMethod(model, syntax, method, MethodIdentity.Of(method), containingTypes, scan, diagnostics.ToEquatableArray(), canLower);
    }

    /// <summary>
    /// The <c>[Differentiable]</c> method of this compilation with documentation id <paramref name="key"/>, as a callee,
    /// checked; null when it is another assembly's (generated with it) or not differentiable.
    /// </summary>
    public static DiscoveredMethod? DiscoverCallee(Compilation compilation, string key, CancellationToken cancellationToken)
    {
        if (DocumentationCommentId.GetFirstSymbolForDeclarationId(key, compilation) is not IMethodSymbol callee
            || !KnownNames.IsDifferentiable(callee)
            || callee.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not MethodDeclarationSyntax syntax)
        {
            return null;
        }

        var model = WithoutNullableAnalysis(compilation.GetSemanticModel(syntax.SyntaxTree), syntax.SyntaxTree);
        return Discover(model, syntax, callee, cancellationToken);
    }

    /// <summary>
    /// The errors after which the body is not lowered: one nested too deeply (the guard of every stage's stack); an
    /// async method or iterator, whose body is no sequence of values; and a result or parameters not passed as values,
    /// which the body's own errors would only restate (a write to an 'out' parameter, a 'void' method's missing return).
    /// </summary>
    private static bool BlocksLowering(DiagnosticDescriptor descriptor) =>
        descriptor == DiagnosticDescriptors.StepTooDeep
        || descriptor == DiagnosticDescriptors.MethodIsAsync
        || descriptor == DiagnosticDescriptors.RefParameter
        || descriptor == DiagnosticDescriptors.ReturnTypeNotDifferentiable;

    /// <summary>
    /// Two parameters of one name do not compile (CS0100, which the compiler reports); the method gets no code, and no
    /// diagnostic of ours beside the compiler's.
    /// </summary>
    private static bool HasDuplicateParameterNames(IMethodSymbol method)
    {
        for (var i = 1; i < method.Parameters.Length; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (method.Parameters[i].Name == method.Parameters[j].Name)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static void CheckSignature(MethodDeclarationSyntax syntax, IMethodSymbol method, MethodScan scan, List<DiagnosticInfo> diagnostics)
    {
        if (!method.IsStatic)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MethodNotStatic, syntax.Identifier.GetLocation(), method.Name));
        }

        if (method.IsGenericMethod || IsInGenericType(method))
        {
            var location = syntax.TypeParameterList?.GetLocation() ?? syntax.Identifier.GetLocation();
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MethodIsGeneric, location, method.Name));
        }

        if (method.IsAsync || scan.HasYield)
        {
            var location = syntax.Modifiers.FirstOrDefault(m => m.IsKind(SyntaxKind.AsyncKeyword)).GetLocation() is { SourceTree: not null } async
                ? async
                : syntax.Identifier.GetLocation();
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MethodIsAsync, location, method.Name));
        }

        if (ValueKinds.Of(method.ReturnType) == ValueKind.Other)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.ReturnTypeNotDifferentiable,
                syntax.ReturnType,
                method.Name,
                method.ReturnType.ToDisplayString()));
        }

        foreach (var parameter in method.Parameters)
        {
            if (parameter.RefKind != RefKind.None)
            {
                var location = parameter.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax().GetLocation() ?? syntax.Identifier.GetLocation();
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.RefParameter,
                    location,
                    parameter.Name,
                    SyntaxFacts.GetText(parameter.RefKind switch
                    {
                        RefKind.Ref => SyntaxKind.RefKeyword,
                        RefKind.Out => SyntaxKind.OutKeyword,
                        _ => SyntaxKind.InKeyword,
                    })));
            }
        }
    }

    private static bool IsInGenericType(IMethodSymbol method)
    {
        for (var type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            if (type.IsGenericType)
            {
                return true;
            }
        }

        return false;
    }

    private static EquatableArray<ContainingType> CheckContainingTypes(
        MethodDeclarationSyntax syntax, IMethodSymbol method, List<DiagnosticInfo> diagnostics)
    {
        var types = new List<ContainingType>();
        for (var node = syntax.Parent; node is not null; node = node.Parent)
        {
            if (node is not TypeDeclarationSyntax type)
            {
                continue;
            }

            if (type.Modifiers.Any(SyntaxKind.FileKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.FileLocalType, type.Identifier.GetLocation(), type.Identifier.ValueText, method.Name));
            }

            if (!type.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.ContainingTypeNotPartial, type.Identifier.GetLocation(), type.Identifier.ValueText, method.Name));
            }

            types.Insert(0, new ContainingType(KeywordOf(type), type.Identifier.Text));
        }

        return types.ToEquatableArray();
    }

    private static string KeywordOf(TypeDeclarationSyntax type) => type switch
    {
        RecordDeclarationSyntax record when record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "record struct",
        RecordDeclarationSyntax => "record",
        StructDeclarationSyntax => "struct",
        InterfaceDeclarationSyntax => "interface",
        _ => "class",
    };

    /// <summary>Overloads and user members named like a generated member would make the generated code fail to compile.</summary>
    private static void CheckGeneratedNames(MethodDeclarationSyntax syntax, IMethodSymbol method, List<DiagnosticInfo> diagnostics)
    {
        var type = method.ContainingType;
        foreach (var generated in GeneratedNames.All(method.Name))
        {
            if (type.GetMembers(generated).Any(member => !IsGeneratedByBackpropGen(member)))
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.GeneratedNameClash, syntax.Identifier.GetLocation(), generated, method.Name, type.Name));
            }
        }

        var overloads = type.GetMembers(method.Name).OfType<IMethodSymbol>().Count(KnownNames.IsDifferentiable);
        if (overloads > 1)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.GeneratedNameClash,
                syntax.Identifier.GetLocation(),
                GeneratedNames.Forward(method.Name),
                method.Name,
                type.Name));
        }
    }

    /// <summary>
    /// Whether the method cannot compile, judged cheaply: a syntax error, or a local that reuses the name of a parameter
    /// or of another local (which binds in surprising ways: <c>var y = a async b;</c> declares a local <c>b</c>). Full
    /// semantic diagnostics would cost as much again as the lowering; other semantic errors already stop the lowering,
    /// which cannot resolve what does not bind.
    /// </summary>
    internal static bool HasCompileErrors(MethodDeclarationSyntax syntax, MethodScan scan) =>
        (syntax.ContainsDiagnostics && syntax.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error)) || scan.RedeclaresAName;

    /// <summary>
    /// How deeply one expression of the body may nest. Lowering and the later stages walk a step recursively, and
    /// Roslyn's binder needs stack for each level too (it gives up near a thousand nested calls on a 1 MB stack); a
    /// step in this style is one operation, so a bound far above any real step keeps every stage's stack and time small.
    /// </summary>
    public const int MaxExpressionDepth = 128;

    /// <summary>Reports each statement whose expressions nest deeper than <see cref="MaxExpressionDepth"/>.</summary>
    private static void CheckNesting(MethodScan scan, List<DiagnosticInfo> diagnostics)
    {
        // Reported once per statement, at its outermost expression.
        var reported = new Dictionary<SyntaxNode, int>();
        foreach (var node in scan.TooDeep)
        {
            // The levels of the step: the outermost expression and the expressions below it down to the node.
            var outermost = node;
            var levels = 1;
            while (outermost.Parent is ExpressionSyntax or ArgumentSyntax or BaseArgumentListSyntax)
            {
                levels += outermost is ExpressionSyntax ? 1 : 0;
                outermost = outermost.Parent;
            }

            if (!reported.TryGetValue(outermost, out var deepest) || levels > deepest)
            {
                reported[outermost] = levels;
            }
        }

        foreach (var pair in reported.OrderBy(p => p.Key.SpanStart))
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.StepTooDeep,
                pair.Key,
                pair.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
                MaxExpressionDepth.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>
    /// The analyzer runs on the compilation with the generator's output in it: the members generated for a method are
    /// not a clash with it.
    /// </summary>
    private static bool IsGeneratedByBackpropGen(ISymbol member) =>
        member.GetAttributes().Any(a =>
            a.AttributeClass?.ToDisplayString() == "System.CodeDom.Compiler.GeneratedCodeAttribute"
            && a.ConstructorArguments.Length > 0
            && a.ConstructorArguments[0].Value as string == GeneratedNames.GeneratorName);
}
