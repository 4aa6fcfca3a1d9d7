using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Lower;
using BackpropGen.Generator.Ops;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BackpropGen.Generator.Analyze;

/// <summary>A step whose right-hand side holds more than one differentiable operation.</summary>
internal sealed record CombinedStep(string StepName, ExpressionSyntax Value, ImmutableArray<ExpressionSyntax> Operations);

/// <summary>
/// Finds the differentiable operations inside each step of a method that lowered cleanly: the nodes of a step's
/// right-hand side that compute a differentiable value from a differentiable one (<c>+ - * /</c>, unary minus, and calls).
/// <c>1.0 / N</c> in <c>1.0 / N * Sum(x, axis: 0)</c> depends on no differentiable value, so it is not an operation.
/// </summary>
internal static class StepOperations
{
    /// <summary>
    /// Diagnostic property: the spans of the step's operations, innermost and leftmost first (<c>start:length;…</c>).
    /// The code fix extracts all but the outermost into new locals, in this order.
    /// </summary>
    public const string OperationSpansProperty = "OperationSpans";

    public static IEnumerable<CombinedStep> FindCombinedSteps(
        SemanticModel model, MethodDeclarationSyntax syntax, MethodModel lowered, CancellationToken cancellationToken)
    {
        var method = model.GetDeclaredSymbol(syntax, cancellationToken);
        var varied = new HashSet<string>(lowered.Parameters.Where(p => p.IsDifferentiable).Select(p => p.Name));
        foreach (var step in lowered.Steps())
        {
            varied.Add(step.Name);
        }

        foreach (var (name, value) in StepValues(syntax, varied, lowered.ReturnedName))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var operations = OperationsOf(model, method, value, varied, cancellationToken);
            if (operations.Length > 1)
            {
                yield return new CombinedStep(name, value, operations);
            }
        }
    }

    public static ImmutableDictionary<string, string?> PropertiesOf(CombinedStep step)
    {
        var spans = new StringBuilder();
        foreach (var operation in step.Operations)
        {
            if (spans.Length > 0)
            {
                spans.Append(';');
            }

            spans.Append(operation.SpanStart.ToString(CultureInfo.InvariantCulture))
                .Append(':')
                .Append(operation.Span.Length.ToString(CultureInfo.InvariantCulture));
        }

        return ImmutableDictionary<string, string?>.Empty.Add(OperationSpansProperty, spans.ToString());
    }

    /// <summary>The right-hand side of each step, as written: a declared local's value, or the returned expression.</summary>
    private static IEnumerable<(string Name, ExpressionSyntax Value)> StepValues(
        MethodDeclarationSyntax syntax, HashSet<string> steps, string returnedName)
    {
        if (syntax.ExpressionBody is { } arrow)
        {
            if (steps.Contains(returnedName))
            {
                yield return (returnedName, arrow.Expression);
            }

            yield break;
        }

        if (syntax.Body is null)
        {
            yield break;
        }

        var declared = new HashSet<string>();
        foreach (var statement in syntax.Body.Statements)
        {
            switch (statement)
            {
                case LocalDeclarationStatementSyntax { Declaration.Variables: { Count: 1 } variables }:
                    var declarator = variables[0];
                    declared.Add(declarator.Identifier.ValueText);
                    if (declarator.Initializer is { } initializer && steps.Contains(declarator.Identifier.ValueText))
                    {
                        yield return (declarator.Identifier.ValueText, initializer.Value);
                    }

                    break;
                case ReturnStatementSyntax { Expression: { } returned } when steps.Contains(returnedName) && !declared.Contains(returnedName):
                    // The lowering made the returned expression a step of its own (named result).
                    yield return (returnedName, returned);
                    break;
            }
        }
    }

    /// <summary>The differentiable operations of an expression, inner before outer and left before right.</summary>
    private static ImmutableArray<ExpressionSyntax> OperationsOf(
        SemanticModel model, IMethodSymbol? method, ExpressionSyntax value, HashSet<string> varied, CancellationToken cancellationToken)
    {
        // Reverse pre-order visits every node after all of its descendants, without recursion: a step may nest deeply.
        var nodes = value.DescendantNodesAndSelf().ToList();
        var isVaried = new HashSet<SyntaxNode>();
        var operations = new List<ExpressionSyntax>();
        for (var i = nodes.Count - 1; i >= 0; i--)
        {
            if (nodes[i] is not ExpressionSyntax expression
                || ValueKinds.Of(model.GetTypeInfo(expression, cancellationToken).Type) == ValueKind.Other)
            {
                continue;
            }

            var dependsOnVaried = expression is IdentifierNameSyntax
                ? model.GetSymbolInfo(expression, cancellationToken).Symbol is { Kind: SymbolKind.Local or SymbolKind.Parameter } symbol
                  && SymbolEqualityComparer.Default.Equals(symbol.ContainingSymbol, method)
                  && varied.Contains(symbol.Name)
                : ValueChildren(expression).Any(isVaried.Contains);
            if (!dependsOnVaried)
            {
                continue;
            }

            isVaried.Add(expression);
            if (IsOperation(expression))
            {
                operations.Add(expression);
            }
        }

        return operations
            .OrderBy(operation => operation.Span.End)
            .ThenByDescending(operation => operation.SpanStart)
            .ToImmutableArray();
    }

    private static IEnumerable<SyntaxNode> ValueChildren(ExpressionSyntax expression)
    {
        foreach (var child in expression.ChildNodes())
        {
            switch (child)
            {
                case ExpressionSyntax value:
                    yield return value;
                    break;
                case BaseArgumentListSyntax arguments:
                    foreach (var argument in arguments.Arguments)
                    {
                        yield return argument.Expression;
                    }

                    break;
            }
        }
    }

    private static bool IsOperation(ExpressionSyntax expression) => expression.Kind() switch
    {
        SyntaxKind.AddExpression or SyntaxKind.SubtractExpression or SyntaxKind.MultiplyExpression or SyntaxKind.DivideExpression => true,
        SyntaxKind.UnaryMinusExpression => true,
        SyntaxKind.InvocationExpression => true,
        _ => false,
    };
}
