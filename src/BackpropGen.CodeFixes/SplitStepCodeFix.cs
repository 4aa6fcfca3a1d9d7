using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BackpropGen.Generator.Analyze;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Text;

namespace BackpropGen.CodeFixes;

/// <summary>
/// BPG0013: splits a step that combines operations into numbered steps of one operation each. Every inner operation
/// the analyzer found becomes a local (<c>var t1 = Sum(x, axis: 0);</c>) declared just before the step, innermost
/// first, and the step keeps its outermost operation (<c>var mu = 1.0 / N * t1;</c>). Values are computed in the
/// same order from the same operands, so the result is unchanged.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SplitStepCodeFix))]
[Shared]
public sealed class SplitStepCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticIds.StepCombinesOperations);

    /// <summary>None: the new locals are numbered from the names in use, so splits computed together would collide.</summary>
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (Plan(root, diagnostic) is { } plan)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        "Split into steps of one operation each",
                        cancellationToken => SplitAsync(context.Document, plan, cancellationToken),
                        equivalenceKey: nameof(SplitStepCodeFix)),
                    diagnostic);
            }
        }
    }

    /// <summary>The step's value and the operations to extract from it, innermost and leftmost first.</summary>
    private sealed record SplitPlan(ExpressionSyntax Value, ImmutableArray<ExpressionSyntax> Extracted);

    private static SplitPlan? Plan(SyntaxNode root, Diagnostic diagnostic)
    {
        if (!diagnostic.Properties.TryGetValue(StepOperations.OperationSpansProperty, out var encoded) || encoded is null
            || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax value
            || value.Span != diagnostic.Location.SourceSpan
            || !IsStepValue(value))
        {
            return null;
        }

        var operations = new List<ExpressionSyntax>();
        var bySpan = value.DescendantNodesAndSelf().OfType<ExpressionSyntax>().Where(IsOperation).GroupBy(n => n.Span).ToDictionary(g => g.Key, g => g.First());
        foreach (var part in encoded.Split(';'))
        {
            var fields = part.Split(':');
            if (fields.Length != 2
                || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
                || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                || !bySpan.TryGetValue(new TextSpan(start, length), out var operation))
            {
                // The document changed since the analysis: offer nothing rather than a wrong split.
                return null;
            }

            operations.Add(operation);
        }

        // An operation inside another one becomes a local; the outermost stays the step's own operation.
        var extracted = operations.Where(o => operations.Any(other => other != o && other.Span.Contains(o.Span))).ToImmutableArray();
        return extracted.IsEmpty ? null : new SplitPlan(value, extracted);
    }

    private static bool IsStepValue(ExpressionSyntax value) => value.Parent switch
    {
        EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Parent: LocalDeclarationStatementSyntax { Parent: BlockSyntax } } } } => true,
        ReturnStatementSyntax { Parent: BlockSyntax } => true,
        ArrowExpressionClauseSyntax { Parent: MethodDeclarationSyntax } => true,
        _ => false,
    };

    private static bool IsOperation(ExpressionSyntax expression) => expression.Kind() is SyntaxKind.AddExpression or SyntaxKind.SubtractExpression
        or SyntaxKind.MultiplyExpression or SyntaxKind.DivideExpression or SyntaxKind.UnaryMinusExpression or SyntaxKind.InvocationExpression;

    private static async Task<Document> SplitAsync(Document document, SplitPlan plan, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var method = plan.Value.FirstAncestorOrSelf<MethodDeclarationSyntax>();
        if (root is null || method is null)
        {
            return document;
        }

        var inUse = LocalNames.InUse(method);
        var names = new Dictionary<SyntaxNode, string>();
        var declarations = new List<StatementSyntax>();
        foreach (var operation in plan.Extracted)
        {
            var text = WithLocals(operation, plan.Extracted, names).ToString();
            var name = LocalNames.Numbered("t0", inUse);
            names[operation] = name;
            declarations.Add(SyntaxFactory.ParseStatement($"var {name} = {text};"));
        }

        var value = WithLocals(plan.Value, plan.Extracted, names);
        if (plan.Value.Parent is ArrowExpressionClauseSyntax arrow)
        {
            // An expression body has no room for statements: it becomes a block that ends in the return.
            var body = SyntaxFactory.Block(declarations.Append(SyntaxFactory.ReturnStatement(value.WithoutTrivia())))
                .WithAdditionalAnnotations(Formatter.Annotation);
            var withBlock = method
                .WithExpressionBody(null)
                .WithSemicolonToken(default)
                .WithParameterList(method.ParameterList.WithTrailingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed))
                .WithBody(body)
                .WithTrailingTrivia(method.GetTrailingTrivia());
            return document.WithSyntaxRoot(root.ReplaceNode(method, withBlock.WithAdditionalAnnotations(Formatter.Annotation)));
        }

        var statement = plan.Value.FirstAncestorOrSelf<StatementSyntax>()!;
        var block = (BlockSyntax)statement.Parent!;
        var indentation = Indentation(statement);
        var newLine = statement.GetTrailingTrivia().LastOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) is { RawKind: not 0 } eol
            ? eol
            : SyntaxFactory.CarriageReturnLineFeed;

        // The first new step takes over the statement's leading comments, so that a "step 1: …" heading heads the group.
        var split = new List<StatementSyntax>();
        for (var i = 0; i < declarations.Count; i++)
        {
            split.Add(declarations[i]
                .WithLeadingTrivia(i == 0 ? statement.GetLeadingTrivia() : SyntaxFactory.TriviaList(indentation))
                .WithTrailingTrivia(newLine));
        }

        split.Add(statement.ReplaceNode(plan.Value, value).WithLeadingTrivia(indentation));
        var statements = block.Statements.ReplaceRange(statement, split);
        return document.WithSyntaxRoot(root.ReplaceNode(block, block.WithStatements(statements)));
    }

    /// <summary>The node with each extracted operation inside it replaced by the local that now holds its value.</summary>
    private static ExpressionSyntax WithLocals(ExpressionSyntax node, ImmutableArray<ExpressionSyntax> extracted, Dictionary<SyntaxNode, string> names)
    {
        var inside = extracted.Where(e => e != node && node.Span.Contains(e.Span) && names.ContainsKey(e)).ToList();
        return node.ReplaceNodes(inside, (original, _) => SyntaxFactory.IdentifierName(names[original]).WithTriviaFrom(original));
    }

    private static SyntaxTriviaList Indentation(StatementSyntax statement)
    {
        var leading = statement.GetLeadingTrivia();
        var lastLineStart = 0;
        for (var i = 0; i < leading.Count; i++)
        {
            if (leading[i].IsKind(SyntaxKind.EndOfLineTrivia))
            {
                lastLineStart = i + 1;
            }
        }

        return SyntaxFactory.TriviaList(leading.Skip(lastLineStart).Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia)));
    }
}
