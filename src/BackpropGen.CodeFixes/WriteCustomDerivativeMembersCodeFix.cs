using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Discover;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace BackpropGen.CodeFixes;

/// <summary>
/// BPG0018 at a <c>[CustomDerivative]</c> method <c>M</c>: writes the members of the three that its type lacks, after it,
/// in the shapes the diagnostic quotes. <c>MCache</c> keeps the arguments, <c>MForward</c> runs <c>M</c> and keeps them,
/// and <c>MBackward</c>, whose derivative only its author knows, throws until it is written.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(WriteCustomDerivativeMembersCodeFix))]
[Shared]
public sealed class WriteCustomDerivativeMembersCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticIds.CustomDerivativeMember);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindToken(context.Span.Start).Parent is not MethodDeclarationSyntax method
            || method.Identifier.Span != context.Span
            || method.Parent is not TypeDeclarationSyntax
            || model?.GetDeclaredSymbol(method, context.CancellationToken) is not { } symbol
            || MissingMembers(symbol).Count == 0)
        {
            return;
        }

        // The three diagnostics of one method's missing members get one fix, which writes them all.
        context.RegisterCodeFix(
            CodeAction.Create(
                $"Write the missing members of [CustomDerivative] '{symbol.Name}'",
                cancellationToken => WriteAsync(context.Document, method, symbol, cancellationToken),
                equivalenceKey: nameof(WriteCustomDerivativeMembersCodeFix)),
            context.Diagnostics);
    }

    /// <summary>Which of <c>MCache</c>, <c>MForward</c> and <c>MBackward</c> the type has no member of that name for.</summary>
    private static List<string> MissingMembers(IMethodSymbol method) =>
        new[] { GeneratedNames.Cache(method.Name), GeneratedNames.Forward(method.Name), GeneratedNames.Backward(method.Name) }
            .Where(name => method.ContainingType.GetMembers(name).IsEmpty)
            .ToList();

    private static async Task<Document> WriteAsync(Document document, MethodDeclarationSyntax method, IMethodSymbol symbol, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var members = Skeletons(method, symbol)
            .Select(text => SyntaxFactory.ParseMemberDeclaration(text)!
                .WithLeadingTrivia(SyntaxFactory.EndOfLine("\n"))
                .WithAdditionalAnnotations(Formatter.Annotation))
            .ToList();
        return document.WithSyntaxRoot(root.InsertNodesAfter(method, members));
    }

    /// <summary>The members' code, types spelled as <c>M</c>'s declaration spells them.</summary>
    private static IEnumerable<string> Skeletons(MethodDeclarationSyntax method, IMethodSymbol symbol)
    {
        var missing = MissingMembers(symbol);
        var name = symbol.Name;
        var access = HandWrittenSignatures.AccessibilityText(symbol.DeclaredAccessibility);
        var result = method.ReturnType.ToString();
        var parameters = method.ParameterList.Parameters.Select(p => (Type: p.Type?.ToString() ?? "Tensor", Name: p.Identifier.ValueText)).ToList();
        var cache = GeneratedNames.Cache(name);
        var names = string.Join(", ", parameters.Select(p => p.Name));
        if (missing.Contains(cache))
        {
            yield return $"{access}sealed record {cache}({string.Join(", ", parameters.Select(p => p.Type + " " + Capitalized(p.Name)))});\n";
        }

        var forward = GeneratedNames.Forward(name);
        if (missing.Contains(forward))
        {
            yield return $"{access}static ({result} Out, {cache} Cache) {forward}({string.Join(", ", parameters.Select(p => p.Type + " " + p.Name))}) => ({name}({names}), new {cache}({names}));\n";
        }

        var backward = GeneratedNames.Backward(name);
        if (missing.Contains(backward))
        {
            var differentiable = symbol.Parameters
                .Select((p, i) => (Symbol: p, Syntax: parameters[i]))
                .Where(p => HandWrittenSignatures.IsDifferentiable(p.Symbol, p.Symbol))
                .Select(p => p.Syntax)
                .ToList();
            var gradient = differentiable.Count == 1
                ? differentiable[0].Type
                : "(" + string.Join(", ", differentiable.Select(p => p.Type + " d" + p.Name)) + ")";
            var which = string.Join(", ", differentiable.Select(p => p.Name));
            yield return $"{access}static {gradient} {backward}({result} dout, {cache} cache) =>\n"
                + $"    throw new System.NotImplementedException(\"{backward}: return the gradient of {which}, from dout (the gradient of the result of {name}) and what {forward} kept in the cache\");\n";
        }
    }

    private static string Capitalized(string name) => char.ToUpperInvariant(name[0]) + name.Substring(1);
}
