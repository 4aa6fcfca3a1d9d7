using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Diagnostics;
using BackpropGen.Generator.Discover;
using BackpropGen.Generator.Ops;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using static BackpropGen.Generator.Lower.SyntaxText;

namespace BackpropGen.Generator.Lower;

/// <summary>A step's right-hand side, lowered to a tree of ops (<see cref="Ops.Operations"/>).</summary>
internal sealed partial class BodyLowerer
{
    private Expr LowerExpression(ExpressionSyntax expression)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        if (_hoisted.TryGetValue(expression, out var hoisted))
        {
            return new VarExpr(hoisted, ValueKinds.Of(TypeOf(expression).Type));
        }

        if (!IsVaried(expression))
        {
            var type = TypeOf(expression);
            return new ConstExpr(TextWithHoisted(expression), ValueKinds.Of(type.ConvertedType ?? type.Type), ReadsOf(expression), Precedence.Of(expression));
        }

        var kind = ValueKinds.Of(TypeOf(expression).Type);
        switch (expression)
        {
            case ParenthesizedExpressionSyntax parenthesized:
                return LowerExpression(parenthesized.Expression);
            case IdentifierNameSyntax identifier:
                return new VarExpr(CurrentName(identifier), kind);
            case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryPlusExpression } plus:
                return LowerExpression(plus.Operand);
            case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression } minus:
                return Op(Operations.Negate, kind, expression, LowerExpression(minus.Operand));
            case BinaryExpressionSyntax binary when BinaryOp(binary) is { } op:
                return Op(op, kind, expression, LowerExpression(binary.Left), LowerExpression(binary.Right));
            case InvocationExpressionSyntax invocation:
                return LowerInvocation(invocation, kind);
            case ElementAccessExpressionSyntax access
                when ValueKinds.Of(TypeOf(access.Expression).Type) == ValueKind.Tensor && access.ArgumentList.Arguments.All(a => a.NameColon is null && !IsVaried(a.Expression)):
                // x[i, j]: the coordinates are code without a gradient, written as the user wrote them.
                var arguments = access.ArgumentList.Arguments;
                var index = new ConstExpr(
                    string.Join(", ", arguments.Select(a => TextWithHoisted(a.Expression))),
                    ValueKind.Other,
                    arguments.SelectMany(a => ReadsOf(a.Expression)).Distinct().ToEquatableArray(),
                    Precedence.Primary);
                return Op(Operations.Element, kind, expression, LowerExpression(access.Expression), index);
            case AssignmentExpressionSyntax
                or PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression }
                or PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression }:
                // A write inside an expression: reported where it is (BPG0008), with what to write instead.
                return new ConstExpr(Flatten(expression), kind, EquatableArray<string>.Empty);
            default:
                Report(DiagnosticDescriptors.NotDifferentiable, expression, Flatten(expression), ExplainNotDifferentiable(expression));
                return new ConstExpr(expression.ToString(), kind, EquatableArray<string>.Empty);
        }
    }

    private static Op? BinaryOp(BinaryExpressionSyntax binary) => binary.Kind() switch
    {
        SyntaxKind.AddExpression => Operations.Add,
        SyntaxKind.SubtractExpression => Operations.Subtract,
        SyntaxKind.MultiplyExpression => Operations.Multiply,
        SyntaxKind.DivideExpression => Operations.Divide,
        _ => null,
    };

    private Expr LowerInvocation(InvocationExpressionSyntax invocation, ValueKind kind)
    {
        if (InvocationOf(invocation) is not { TargetMethod: var callee } operation)
        {
            _hasCompileErrors = true;
            return new ConstExpr(invocation.ToString(), kind, EquatableArray<string>.Empty);
        }

        var op = OperationBinding.Resolve(callee);
        if (op is null)
        {
            var reason = KnownNames.IsDifferentiable(callee)
                ? $"a call of the [Differentiable] method '{callee.Name}' must be a whole step of its own (var h = {callee.Name}(…);), so that its cache can be kept"
                : $"BackpropGen has no derivative rule for '{callee.ContainingType.Name}.{callee.Name}'; use the BackpropGen.Tensor operations or System.Math functions listed in the README, or compute it from them in steps"
                  + (callee.Locations.Any(l => l.IsInSource)
                      ? $"; or, since '{callee.Name}' is your own, mark it [Differentiable] (its body written as steps) and call it as a step of its own (var h = {callee.Name}(…);), or mark it [CustomDerivative] and write its {GeneratedNames.Cache(callee.Name)}, {GeneratedNames.Forward(callee.Name)} and {GeneratedNames.Backward(callee.Name)}"
                      : $"; or write its backward: [DerivativeOf(typeof({callee.ContainingType.Name}), nameof({callee.ContainingType.Name}.{callee.Name}))] on a static method of your own that takes the gradient of its result and its arguments ({HandWrittenSignatures.TypeText(callee.ReturnType)} dout, {HandWrittenSignatures.ParameterList(callee.Parameters)}) and returns the gradients of its Tensor and double parameters");
            Report(DiagnosticDescriptors.NotDifferentiable, invocation, Flatten(invocation), reason);
            return new ConstExpr(invocation.ToString(), kind, EquatableArray<string>.Empty);
        }

        var (args, _) = LowerArguments(operation, withTexts: false, op);
        return new OpExpr(op, kind, args, TextWithHoisted(invocation), ReadsOf(invocation));
    }

    /// <summary>
    /// A call's arguments in the callee's parameter order, defaults filled in; and, <paramref name="withTexts"/>, each as
    /// code to pass it on (else no texts). An <see cref="ArgRole.Operands"/> list of <paramref name="op"/> gives one
    /// argument per element.
    /// </summary>
    private (EquatableArray<Expr> Args, IReadOnlyList<string> Texts) LowerArguments(IInvocationOperation operation, bool withTexts, Op? op = null)
    {
        var call = operation.Syntax as InvocationExpressionSyntax;
        var args = new List<Expr>(operation.Arguments.Length);

        // Null when no texts are wanted: texts?.Add(…) then does not even compute the text.
        var texts = withTexts ? new List<string>() : null;
        foreach (var argument in InParameterOrder(operation.Arguments))
        {
            switch (argument)
            {
                case { ArgumentKind: ArgumentKind.DefaultValue, Parameter: { } parameter }:
                    var literal = LiteralText(parameter.ExplicitDefaultValue);
                    args.Add(new ConstExpr(literal, ValueKinds.Of(parameter.Type), EquatableArray<string>.Empty));
                    texts?.Add(literal);
                    break;
                case { ArgumentKind: ArgumentKind.ParamArray } when op is not null && IsOperandList(op, argument):
                    LowerOperandList(argument, args);
                    break;
                case { ArgumentKind: ArgumentKind.ParamArray } when argument.Value is IArrayCreationOperation { IsImplicit: true }:
                    // params given as a list (Reshape(x, 2, 3), Reshape(x, 12)): shape numbers, which have no gradient.
                    // The argument's own syntax is not one of the call's arguments (Roslyn gives it the syntax of the call,
                    // or of the argument the call is nested in), so it is read only through the array's elements.
                    ReportVariedParams(argument);
                    var elements = ParamsText(argument);
                    args.Add(new ConstExpr(elements, ValueKind.Other, EquatableArray<string>.Empty));
                    texts?.Add(elements);
                    break;
                case { Syntax: ArgumentSyntax syntax } when call is not null && syntax.Parent == call.ArgumentList:
                    args.Add(LowerExpression(syntax.Expression));
                    texts?.Add(TextWithHoisted(syntax.Expression));
                    break;
                default:
                    // An argument that is none of the call's own arguments: lowering its syntax would mean lowering what
                    // contains the call, without end. Reported, so that the method gets a reason instead of code.
                    Report(DiagnosticDescriptors.NotDifferentiable, operation.Syntax, Flatten(operation.Syntax),
                        "BackpropGen cannot read the arguments of this call; pass each argument as a plain value");
                    args.Add(new ConstExpr(Flatten(argument.Syntax), ValueKind.Other, EquatableArray<string>.Empty));
                    texts?.Add(Flatten(argument.Syntax));
                    break;
            }
        }

        return (args.ToEquatableArray(), texts ?? (IReadOnlyList<string>)System.Array.Empty<string>());
    }

    /// <summary>The arguments by their parameters' positions (named arguments may come in another order).</summary>
    private static IEnumerable<IArgumentOperation> InParameterOrder(System.Collections.Immutable.ImmutableArray<IArgumentOperation> arguments)
    {
        for (var k = 1; k < arguments.Length; k++)
        {
            if ((arguments[k].Parameter?.Ordinal ?? 0) < (arguments[k - 1].Parameter?.Ordinal ?? 0))
            {
                return arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0);
            }
        }

        return arguments;
    }

    /// <summary>The elements of an expanded <c>params</c> argument, as an array the generated call can pass.</summary>
    private string ParamsText(IArgumentOperation argument)
    {
        var array = (IArrayCreationOperation)argument.Value;
        var elements = array.Initializer is { } initializer
            ? string.Join(", ", initializer.ElementValues.Select(e => TextWithHoisted(e.Syntax)))
            : string.Empty;
        return "new " + array.Type!.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + " { " + elements + " }";
    }

    /// <summary>
    /// The elements of an expanded <c>params</c> list are passed as written, with no gradient: one that depends on a
    /// differentiable value (<c>Concat(a, b)</c> of tensors) is reported rather than silently cut.
    /// </summary>
    private void ReportVariedParams(IArgumentOperation argument)
    {
        if (((IArrayCreationOperation)argument.Value).Initializer is not { } initializer)
        {
            return;
        }

        foreach (var element in initializer.ElementValues)
        {
            if (element.Syntax is ExpressionSyntax expression && IsVaried(expression))
            {
                Report(DiagnosticDescriptors.NotDifferentiable, expression, Flatten(expression),
                    "a value passed in a 'params' list has no gradient rule; pass the values as arguments of their own, or combine them with Tensor operations");
            }
        }
    }

    private Expr Op(Op op, ValueKind kind, ExpressionSyntax syntax, params Expr[] args) =>
        new OpExpr(op, kind, args.ToEquatableArray(), TextWithHoisted(syntax), ReadsOf(syntax));
}
