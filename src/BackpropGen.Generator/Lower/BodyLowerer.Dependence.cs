using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BackpropGen.Generator.Lower;

/// <summary>Which values depend on a differentiable parameter (are varied), and which names an expression reads.</summary>
internal sealed partial class BodyLowerer
{
    private void MarkVaried(ISymbol symbol)
    {
        _varied.Add(symbol);
        _variedNames.Add(symbol.Name);
    }

    /// <summary>
    /// True when the expression is a differentiable value (Tensor or double) that depends on a differentiable parameter.
    /// Values of other types (<c>x.Shape[0]</c>) break the dependence: they have no gradient.
    /// </summary>
    private bool IsVaried(ExpressionSyntax expression)
    {
        if (_variedMemo.TryGetValue(expression, out var known))
        {
            return known;
        }

        if (expression is IdentifierNameSyntax name && !_variedNames.Contains(name.Identifier.ValueText))
        {
            return false;
        }

        var result = false;
        var kind = ValueKinds.Of(TypeOf(expression).Type);
        if (kind != ValueKind.Other)
        {
            if (expression is IdentifierNameSyntax)
            {
                var symbol = SymbolOf((IdentifierNameSyntax)expression);
                result = symbol is not null && _varied.Contains(symbol);
            }
            else
            {
                result = HasVariedChild(expression) && !(expression is InvocationExpressionSyntax invocation && PassesNoGradient(invocation));
            }
        }

        _variedMemo[expression] = result;
        return result;
    }

    /// <summary>
    /// Whether an expression below the node is varied, looking through every kind of node between them: argument lists,
    /// a switch expression's arms, initializers, collection elements. A construct whose value depends on a
    /// differentiable value is then lowered as such, and reported where it has no rule, never taken for a constant.
    /// </summary>
    private bool HasVariedChild(SyntaxNode node)
    {
        foreach (var child in node.ChildNodes())
        {
            if (child is ExpressionSyntax expression ? IsVaried(expression) : HasVariedChild(child))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a call is of an op none of whose arguments is an operand (<c>StopGradient(x)</c>): its value carries no
    /// gradient whatever it reads, so it is a constant to the code around it, and what it reads needs no gradient for it.
    /// </summary>
    private bool PassesNoGradient(InvocationExpressionSyntax invocation) =>
        InvocationOf(invocation) is { TargetMethod: var method }
        && OperationBinding.Resolve(method) is { } op
        && op.Arguments.All(role => role is not (Ops.ArgRole.Operand or Ops.ArgRole.Operands));

    /// <summary>What a step's value reads: an operation's or a call's reads are those of its whole expression.</summary>
    private static EquatableArray<string> ReadsOf(Expr expression) => expression switch
    {
        ConstExpr constant => constant.Reads,
        OpExpr op => op.Reads,
        CallExpr call => call.Reads,
        _ => EquatableArray<string>.Empty,
    };

    /// <summary>The locals and parameters of this method that an expression reads, in order of first appearance.</summary>
    private EquatableArray<string> ReadsOf(ExpressionSyntax? expression)
    {
        if (expression is null)
        {
            return EquatableArray<string>.Empty;
        }

        var names = new List<string>();

        // The steps hoisted out of it are read as the locals that hold their values.
        foreach (var hoisted in _hoisted)
        {
            if (hoisted.Key != expression && expression.Span.Contains(hoisted.Key.Span) && expression.SyntaxTree == hoisted.Key.SyntaxTree)
            {
                names.Add(hoisted.Value);
            }
        }

        foreach (var node in expression.DescendantNodesAndSelf())
        {
            if (node is not IdentifierNameSyntax identifier || IsMemberOrArgumentName(identifier))
            {
                // Not a value: and such names have no operation of their own, so asking would cost a semantic query.
                continue;
            }

            var symbol = SymbolOf(identifier);
            if (symbol is ILocalSymbol or IParameterSymbol
                && SymbolEqualityComparer.Default.Equals(symbol.ContainingSymbol, _method)
                && CurrentName(symbol) is var name
                && !names.Contains(name))
            {
                names.Add(name);
            }
        }

        return names.ToEquatableArray();
    }
}
