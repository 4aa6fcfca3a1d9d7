using System.Collections.Immutable;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Diagnostics;
using BackpropGen.Generator.Discover;
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

            start.RegisterSyntaxNodeAction(context => AnalyzeMethod(context, attribute), SyntaxKind.MethodDeclaration);
            start.RegisterSyntaxNodeAction(
                context => AnalyzeType(context, attribute),
                SyntaxKind.ClassDeclaration,
                SyntaxKind.StructDeclaration,
                SyntaxKind.RecordDeclaration,
                SyntaxKind.RecordStructDeclaration,
                SyntaxKind.InterfaceDeclaration);
        });
    }

    private static void AnalyzeMethod(SyntaxNodeAnalysisContext context, INamedTypeSymbol attribute)
    {
        var syntax = (MethodDeclarationSyntax)context.Node;
        if (syntax.AttributeLists.Count == 0
            || context.SemanticModel.GetDeclaredSymbol(syntax, context.CancellationToken) is not IMethodSymbol method
            || !HasAttribute(method, attribute))
        {
            return;
        }

        var result = MethodDiscovery.Analyze(context.SemanticModel, syntax, method, context.CancellationToken);
        foreach (var info in result.Diagnostics)
        {
            if (info.Descriptor.Id != DiagnosticDescriptors.ContainingTypeNotPartial.Id)
            {
                context.ReportDiagnostic(ToDiagnostic(info, syntax.SyntaxTree));
            }
        }

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
