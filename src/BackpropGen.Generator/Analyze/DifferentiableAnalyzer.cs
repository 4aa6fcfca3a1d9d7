using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Diagnostics;
using BackpropGen.Generator.Discover;
using BackpropGen.Generator.Link;
using BackpropGen.Generator.Lower;
using BackpropGen.Generator.Ops;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace BackpropGen.Generator.Analyze;

/// <summary>
/// Reports why a <c>[Differentiable]</c> method gets no generated code, at the code that causes it. It runs the same
/// discovery and lowering as the generator, which itself reports nothing: Roslyn's guidance is that diagnostics come
/// from an analyzer, where the IDE can show, suppress and fix them, and not from a generator's cached pipeline.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DifferentiableAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => DiagnosticDescriptors.All;

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            var attribute = start.Compilation.GetTypeByMetadataName(KnownNames.DifferentiableAttribute);
            if (attribute is null)
            {
                // Without the runtime library there is nothing to mark a method with.
                return;
            }

            // Each method is checked once per compilation, whether as the method analysed or as a method it calls.
            var results = new ConcurrentDictionary<string, Lazy<LoweringResult?>>(StringComparer.Ordinal);
            start.RegisterSyntaxNodeAction(context => AnalyzeMethod(context, attribute, results), SyntaxKind.MethodDeclaration);
            start.RegisterSyntaxNodeAction(
                context => AnalyzeType(context, attribute),
                SyntaxKind.ClassDeclaration,
                SyntaxKind.StructDeclaration,
                SyntaxKind.RecordDeclaration,
                SyntaxKind.RecordStructDeclaration,
                SyntaxKind.InterfaceDeclaration);
        });
    }

    private static void AnalyzeMethod(SyntaxNodeAnalysisContext context, INamedTypeSymbol attribute, ConcurrentDictionary<string, Lazy<LoweringResult?>> results)
    {
        var syntax = (MethodDeclarationSyntax)context.Node;
        if ((syntax.AttributeLists.Count == 0 && !syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            || context.SemanticModel.GetDeclaredSymbol(syntax, context.CancellationToken) is not IMethodSymbol method)
        {
            return;
        }

        if (syntax.AttributeLists.Count > 0)
        {
            ReportHandWritten(context, method);
        }

        if (!HasAttribute(method, attribute)
            || (syntax.Body is null && syntax.ExpressionBody is null && method.PartialImplementationPart is not null))
        {
            // A partial method is analysed once, at the part with the body, wherever its attribute is.
            return;
        }

        var result = FrontEnd.Run(context.SemanticModel, syntax, method, context.CancellationToken);
        var key = MethodIdentity.KeyOf(method);
        results.TryAdd(key, new Lazy<LoweringResult?>(() => result));
        foreach (var info in result.Diagnostics)
        {
            if (info.Descriptor.Id != DiagnosticDescriptors.ContainingTypeNotPartial.Id)
            {
                context.ReportDiagnostic(ToDiagnostic(info, syntax.SyntaxTree));
            }
        }

        ReportCalls(context, syntax.SyntaxTree, key, result, results);

        if (result.Method is { } lowered)
        {
            foreach (var combined in StepOperations.FindCombinedSteps(context.SemanticModel, syntax, lowered, context.CancellationToken))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.StepCombinesOperations,
                    combined.Value.GetLocation(),
                    StepOperations.PropertiesOf(combined),
                    combined.StepName,
                    combined.Operations.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }
    }

    /// <summary>
    /// Checks the derivatives written by hand (SPEC §8): a <c>[CustomDerivative]</c> method's cache, forward and backward,
    /// a <c>[DerivativeOf]</c> backward against the method it names, and that a <c>[Checkpoint]</c> method is
    /// <c>[Differentiable]</c>. Each is reported at the method declared, with the signature expected.
    /// </summary>
    private static void ReportHandWritten(SyntaxNodeAnalysisContext context, IMethodSymbol method)
    {
        var diagnostics = new List<DiagnosticInfo>();
        if (KnownNames.IsCustomDerivative(method))
        {
            diagnostics.AddRange(CustomDerivatives.Check(method));
        }

        if (KnownNames.HasAttribute(method, KnownNames.DerivativeOfAttributeName)
            && DerivativesOf.Resolve(method, diagnostics) is { } target
            && DerivativesOf.BackwardOf(context.SemanticModel.Compilation, target) is { } first
            && !SymbolEqualityComparer.Default.Equals(first, method))
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.SecondDerivativeOf,
                method.Locations.FirstOrDefault(l => l.IsInSource) ?? Location.None,
                method.Name,
                $"{HandWrittenSignatures.TypeText(target.ContainingType)}.{target.Name}({string.Join(", ", target.Parameters.Select(p => HandWrittenSignatures.TypeText(p.Type)))})",
                $"{HandWrittenSignatures.TypeText(first.ContainingType)}.{first.Name}"));
        }

        if (KnownNames.IsCheckpoint(method) && !KnownNames.IsDifferentiable(method))
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.CheckpointNotDifferentiable,
                method.Locations.FirstOrDefault(l => l.IsInSource) ?? Location.None,
                method.Name));
        }

        foreach (var info in diagnostics)
        {
            // Back into the tree the member is declared in (a partial type's other file, maybe), for #pragma and fixes.
            var tree = context.Node.SyntaxTree.FilePath == info.Location?.FilePath
                ? context.Node.SyntaxTree
                : context.SemanticModel.Compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == info.Location?.FilePath) ?? context.Node.SyntaxTree;
            context.ReportDiagnostic(ToDiagnostic(info, tree));
        }
    }

    /// <summary>
    /// Reports the calls that keep the method from getting code although its own body is fine: a call that leads back
    /// to the method, and a call of a method that gets no code itself. The call graph of the methods reachable from this
    /// one decides, as the generator's graph of the whole compilation does.
    /// </summary>
    private static void ReportCalls(
        SyntaxNodeAnalysisContext context, SyntaxTree tree, string key, LoweringResult result, ConcurrentDictionary<string, Lazy<LoweringResult?>> results)
    {
        if (result.Calls.Count == 0 || result.Link is null)
        {
            return;
        }

        var compilation = context.SemanticModel.Compilation;
        var cancellationToken = context.CancellationToken;
        var links = new List<MethodLink> { result.Link };
        var seen = new HashSet<string>(StringComparer.Ordinal) { key };
        var pending = new Stack<string>(result.Link.Callees);
        while (pending.Count > 0)
        {
            var callee = pending.Pop();
            if (!seen.Add(callee))
            {
                continue;
            }

            var calleeResult = results.GetOrAdd(callee, k => new Lazy<LoweringResult?>(() => FrontEnd.RunCallee(compilation, k, cancellationToken))).Value;
            if (calleeResult?.Link is not { } link)
            {
                continue;
            }

            links.Add(link);
            foreach (var next in link.Callees)
            {
                pending.Push(next);
            }
        }

        var graph = new CallGraph(links);
        var name = result.Link.Name;
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var call in result.Calls)
        {
            if (!graph.Contains(call.CalleeKey) || !reported.Add(call.CalleeKey + "@" + call.Location?.Span))
            {
                continue;
            }

            var chain = call.CalleeKey == key ? name + " → " + name : graph.PathTo(call.CalleeKey, key) is { } path ? name + " → " + path : null;
            var info = chain is not null
                ? new DiagnosticInfo(DiagnosticDescriptors.RecursiveCall, call.Location, new[] { name, call.CalleeName, chain }.ToEquatableArray())
                : !graph.GetsCode(call.CalleeKey)
                    ? new DiagnosticInfo(DiagnosticDescriptors.CalleeHasNoCode, call.Location, new[] { name, call.CalleeName }.ToEquatableArray())
                    : null;
            if (info is not null)
            {
                context.ReportDiagnostic(ToDiagnostic(info, tree));
            }
        }
    }

    /// <summary>
    /// BPG0001 is reported from the type, not from the method that needs it: a diagnostic at the type's name is then
    /// local to the node being analysed, which the IDE requires to offer its code fix, and a type with several
    /// differentiable methods gets one diagnostic, not one per method.
    /// </summary>
    private static void AnalyzeType(SyntaxNodeAnalysisContext context, INamedTypeSymbol attribute)
    {
        var type = (TypeDeclarationSyntax)context.Node;
        if (type.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            return;
        }

        foreach (var node in type.DescendantNodes())
        {
            if (node is MethodDeclarationSyntax { AttributeLists.Count: > 0 } candidate
                && context.SemanticModel.GetDeclaredSymbol(candidate, context.CancellationToken) is { } method
                && HasAttribute(method, attribute))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.ContainingTypeNotPartial, type.Identifier.GetLocation(), type.Identifier.ValueText, method.Name));
                return;
            }
        }
    }

    private static bool HasAttribute(IMethodSymbol method, INamedTypeSymbol attribute)
    {
        foreach (var data in method.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, attribute))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Lowering keeps locations as plain values; here they go back into the analysed tree, so that the IDE can place
    /// them and <c>#pragma warning disable</c> and code fixes work on them.
    /// </summary>
    private static Diagnostic ToDiagnostic(DiagnosticInfo info, SyntaxTree tree)
    {
        var location = info.Location is { } plain && plain.FilePath == tree.FilePath && plain.Span.End <= tree.Length
            ? Location.Create(tree, plain.Span)
            : info.Location?.ToLocation();
        var args = new object?[info.MessageArgs.Count];
        for (var i = 0; i < args.Length; i++)
        {
            args[i] = info.MessageArgs[i];
        }

        return Diagnostic.Create(info.Descriptor, location, args);
    }
}
