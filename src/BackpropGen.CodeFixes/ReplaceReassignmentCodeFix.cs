using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BackpropGen.CodeFixes;

/// <summary>
/// BPG0008: turns <c>y = y * 2.0;</c> or <c>y *= 2.0;</c> into <c>var y2 = y * 2.0;</c> and renames the later uses of
/// <c>y</c> in the block to <c>y2</c>, so that every value is assigned once and what the code computes is unchanged.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReplaceReassignmentCodeFix))]
[Shared]
public sealed class ReplaceReassignmentCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticIds.Reassignment);

    /// <summary>
    /// None: each fix numbers its new local from the names in use, so fixes computed together on one document
    /// would pick the same name; they are applied one at a time.
    /// </summary>
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span, getInnermostNodeForTie: true) is not AssignmentExpressionSyntax assignment
            || assignment.Span != context.Span
            || assignment.Left is not IdentifierNameSyntax target
            || assignment.Parent is not ExpressionStatementSyntax { Parent: BlockSyntax } statement
            || NewValue(assignment) is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Declare a new local instead of reassigning '{target.Identifier.ValueText}'",
                    cancellationToken => ReplaceAsync(context.Document, statement, assignment, target, cancellationToken),
                    equivalenceKey: nameof(ReplaceReassignmentCodeFix)),
                diagnostic);
        }
    }

    private static async Task<Document> ReplaceAsync(
        Document document, ExpressionStatementSyntax statement, AssignmentExpressionSyntax assignment, IdentifierNameSyntax target, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var value = NewValue(assignment);
        if (root is null || model is null || value is null
            || model.GetSymbolInfo(target, cancellationToken).Symbol is not { Kind: SymbolKind.Local or SymbolKind.Parameter } assigned)
        {
            return document;
        }

        var block = (BlockSyntax)statement.Parent!;
        var member = (SyntaxNode?)statement.FirstAncestorOrSelf<MemberDeclarationSyntax>() ?? block;
        var name = LocalNames.Numbered(target.Identifier.ValueText, LocalNames.InUse(member));

        var declaration = SyntaxFactory.ParseStatement($"var {name} = {value.ToString()};").WithTriviaFrom(statement);
        var replacements = new Dictionary<SyntaxNode, SyntaxNode> { [statement] = declaration };
        foreach (var later in block.Statements.Skip(block.Statements.IndexOf(statement) + 1))
        {
            foreach (var use in later.DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                if (use.Identifier.ValueText == target.Identifier.ValueText
                    && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(use, cancellationToken).Symbol, assigned))
                {
                    replacements[use] = SyntaxFactory.IdentifierName(name).WithTriviaFrom(use);
                }
            }
        }

        return document.WithSyntaxRoot(root.ReplaceNodes(replacements.Keys, (original, _) => replacements[original]));
    }

    /// <summary>The value the assignment stores: its right-hand side, or <c>y op (right)</c> for a compound assignment.</summary>
    private static ExpressionSyntax? NewValue(AssignmentExpressionSyntax assignment)
    {
        var operatorKind = assignment.Kind() switch
        {
            SyntaxKind.SimpleAssignmentExpression => SyntaxKind.None,
            SyntaxKind.AddAssignmentExpression => SyntaxKind.AddExpression,
            SyntaxKind.SubtractAssignmentExpression => SyntaxKind.SubtractExpression,
            SyntaxKind.MultiplyAssignmentExpression => SyntaxKind.MultiplyExpression,
            SyntaxKind.DivideAssignmentExpression => SyntaxKind.DivideExpression,
            _ => (SyntaxKind?)null,
        };
        var right = assignment.Right.WithoutTrivia();
        return operatorKind switch
        {
            null => null,
            SyntaxKind.None => right,
            { } kind => SyntaxFactory.BinaryExpression(kind, assignment.Left.WithoutTrivia(), NeedsParentheses(right) ? SyntaxFactory.ParenthesizedExpression(right) : right)
                .NormalizeWhitespace(),
        };
    }

    /// <summary><c>y *= a + b</c> is <c>y * (a + b)</c>: only operands that bind tighter than any binary operator go bare.</summary>
    private static bool NeedsParentheses(ExpressionSyntax right) => right is not (IdentifierNameSyntax or LiteralExpressionSyntax
        or InvocationExpressionSyntax or MemberAccessExpressionSyntax or ElementAccessExpressionSyntax or ParenthesizedExpressionSyntax);
}
