using System.Collections.Generic;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Diagnostics;
using BackpropGen.Generator.Ops;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using static BackpropGen.Generator.Lower.SyntaxText;

namespace BackpropGen.Generator.Lower;

/// <summary>
/// The <c>params</c> lists of operands (<c>Concat(axis, a, b)</c>'s parts, <see cref="ArgRole.Operands"/>): each element
/// is an argument of the op of its own, so that each gets its gradient as any operand does.
/// </summary>
internal sealed partial class BodyLowerer
{
    /// <summary>Whether <paramref name="argument"/> is the elements of <paramref name="op"/>'s list of operands, written as a list.</summary>
    private static bool IsOperandList(Op op, IArgumentOperation argument) =>
        argument is { Parameter.Ordinal: var ordinal, Value: IArrayCreationOperation { IsImplicit: true } }
        && ordinal < op.Arguments.Count
        && op.Arguments[ordinal] == ArgRole.Operands;

    /// <summary>
    /// Appends each element of a list of operands as an argument of its own. The elements are the call's own arguments
    /// (the list's array, made by the compiler, has no syntax of its own), so each is lowered as any argument is.
    /// </summary>
    private void LowerOperandList(IArgumentOperation argument, List<Expr> args)
    {
        if (((IArrayCreationOperation)argument.Value).Initializer is not { } initializer)
        {
            return;
        }

        foreach (var element in initializer.ElementValues)
        {
            if (element.Syntax is ExpressionSyntax expression)
            {
                args.Add(LowerExpression(expression));
                continue;
            }

            // Not an expression of the call's (no such list is known): reported, so that no part is silently cut.
            Report(DiagnosticDescriptors.NotDifferentiable, argument.Parent?.Syntax ?? element.Syntax, Flatten(element.Syntax),
                "BackpropGen cannot read this part of the list; pass each part as a plain value");
            args.Add(new ConstExpr(Flatten(element.Syntax), ValueKind.Other, EquatableArray<string>.Empty));
        }
    }
}
