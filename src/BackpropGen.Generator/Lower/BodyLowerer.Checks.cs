using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using static BackpropGen.Generator.Lower.SyntaxText;

namespace BackpropGen.Generator.Lower;

/// <summary>The checks of what cannot be differentiated, each reported at the offending code with what to write instead.</summary>
internal sealed partial class BodyLowerer
{
    /// <summary>
    /// What a step reads may be kept in the cache record for the backward; a record cannot hold a ref struct or a
    /// pointer, so a step that reads one is reported at the local's declaration.
    /// </summary>
    private void CheckUnkeepableReads()
    {
        if (_unkeepableLocals.Count == 0)
        {
            return;
        }

        var reported = new HashSet<string>();
        foreach (var step in _body.OfType<ForwardStep>().Select(statement => statement.Step))
        {
            foreach (var name in ReadsOf(step.Value))
            {
                if (_unkeepableLocals.TryGetValue(name, out var declarator) && reported.Add(name))
                {
                    Report(DiagnosticDescriptors.UnsupportedStatement, declarator,
                        "ref struct or pointer local read by a step",
                        $"step {step.Number} reads '{name}', and what a step reads is kept in the cache record for the backward, which cannot hold a ref struct or a pointer; compute what the step needs from '{name}' in a local of its own (var n = {name}.Length;), or use an array");
                }
            }
        }
    }

    /// <summary>
    /// The checks of one statement, in one walk of it: assignments anywhere in it (every value of a step program is
    /// assigned once), and differentiable values read into something without a gradient.
    /// </summary>
    private void CheckStatement(SyntaxNode node, bool? cuts = null)
    {
        // A call made for its effect (Console.WriteLine(x)) feeds nothing, so it cuts no gradient; a reassignment does.
        // A loop's or a branch's condition picks what runs and carries no gradient.
        var checkCuts = cuts ?? (node is not ExpressionStatementSyntax statement || IsVersionedWrite(statement.Expression));
        HashSet<SyntaxNode>? reported = null;
        foreach (var descendant in node.DescendantNodesAndSelf())
        {
            switch (descendant)
            {
                case IdentifierNameSyntax identifier when checkCuts:
                    CheckGradientCut(identifier, node, ref reported);
                    break;
                case AssignmentExpressionSyntax assignment when !IsVersionedWrite(assignment):
                    ReportWrite(assignment, assignment.Left);
                    break;
                case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } prefix when !IsVersionedWrite(prefix):
                    ReportWrite(prefix, prefix.Operand);
                    break;
                case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression } postfix when !IsVersionedWrite(postfix):
                    ReportWrite(postfix, postfix.Operand);
                    break;
                case SingleVariableDesignationSyntax designation when !checkCuts && designation.Ancestors().OfType<IsPatternExpressionSyntax>().FirstOrDefault() is { } test && IsVaried(test.Expression):
                    Report(DiagnosticDescriptors.NotDifferentiable, designation, Flatten(designation),
                        $"a pattern variable copies '{Flatten(test.Expression)}' without its gradient; test the value in the condition and use it by its own name");
                    break;
                case ArgumentSyntax { RefKindKeyword.RawKind: (int)SyntaxKind.RefKeyword or (int)SyntaxKind.OutKeyword } argument:
                    Report(DiagnosticDescriptors.NotDifferentiable, argument, Flatten(argument),
                        "passing a value by 'ref' or 'out' lets a call change it behind the steps; pass it by value and use the result");
                    break;
            }
        }
    }

    /// <summary>
    /// Reports where a differentiable value is read into something that has no gradient (<c>y.ToArray()</c>,
    /// a lambda, a cast to another type): whatever is computed from it afterwards would silently get a zero gradient.
    /// Reading a value's shape (<c>x.Shape[0]</c>, <c>x.Rank</c>, <c>x.Length</c>) is fine: a shape has no gradient.
    /// </summary>
    private void CheckGradientCut(IdentifierNameSyntax identifier, SyntaxNode statement, ref HashSet<SyntaxNode>? reported)
    {
        if (IsMemberOrArgumentName(identifier) || !_variedNames.Contains(identifier.Identifier.ValueText))
        {
            return;
        }

        var symbol = SymbolOf(identifier);
        if (symbol is null || !_varied.Contains(symbol))
        {
            return;
        }

        if (identifier.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Shape" or "Rank" or "Length" } shapeRead
            && shapeRead.Expression == identifier)
        {
            return;
        }

        if (IsInNameof(identifier, statement))
        {
            // nameof(x) reads the name, not the value.
            return;
        }

        for (var ancestor = identifier.Parent; ancestor is not null && ancestor != statement.Parent; ancestor = ancestor.Parent)
        {
            if (ancestor is ArgumentSyntax or ArgumentListSyntax or BracketedArgumentListSyntax
                || ancestor is MemberAccessExpressionSyntax { Parent: InvocationExpressionSyntax call } && call.Expression == ancestor)
            {
                // Not a value of its own: an argument, or the method group of a call.
                continue;
            }

            if (ancestor is not ExpressionSyntax expression)
            {
                break;
            }

            if (ancestor.Parent is ConditionalExpressionSyntax choice && choice.Condition == ancestor)
            {
                // A choice's condition picks a side and carries no gradient, as a branch's does.
                break;
            }

            if (TypeOf(expression).Type is { TypeKind: TypeKind.Error } || OperationOf(expression) is IInvalidOperation)
            {
                // A call of a name that does not exist (a typo, an operation BackpropGen lacks): the compiler reports
                // it (CS0103, CS0117), and advice about gradients would send the user the wrong way.
                _hasCompileErrors = true;
                break;
            }

            if (ValueKinds.Of(TypeOf(expression).Type) == ValueKind.Other)
            {
                if ((reported ??= new HashSet<SyntaxNode>()).Add(expression))
                {
                    Report(DiagnosticDescriptors.NotDifferentiable, expression, Flatten(expression),
                        $"it turns '{symbol.Name}' into a value without a gradient, so everything computed from it would get a zero gradient; "
                        + $"compute with Tensor operations instead, or mark the parameter [NoGrad] if '{symbol.Name}' needs no gradient");
                }

                break;
            }
        }
    }

    /// <summary>The name of a member (<c>x.Shape</c>) or of an argument (<c>axis: 0</c>): not a value.</summary>
    private static bool IsMemberOrArgumentName(IdentifierNameSyntax identifier) =>
        identifier.Parent is MemberAccessExpressionSyntax access && access.Name == identifier || identifier.Parent is NameColonSyntax;

    /// <summary>Whether a name is inside <c>nameof(…)</c> within the statement (the ancestors above it cannot be).</summary>
    private static bool IsInNameof(IdentifierNameSyntax identifier, SyntaxNode statement)
    {
        for (var ancestor = identifier.Parent; ancestor is not null && ancestor != statement.Parent; ancestor = ancestor.Parent)
        {
            if (ancestor is InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" } })
            {
                return true;
            }
        }

        return false;
    }

    private void ReportWrite(ExpressionSyntax write, ExpressionSyntax target)
    {
        var symbol = _model.GetSymbolInfo(target, _cancellationToken).Symbol;
        if (symbol is ILocalSymbol or IParameterSymbol && SymbolEqualityComparer.Default.Equals(symbol.ContainingSymbol, _method))
        {
            var where = write.Parent is ExpressionStatementSyntax
                ? "with an operator that has no version form"
                : "inside an expression, where the order of its writes and reads is not a sequence of steps";
            Report(DiagnosticDescriptors.Reassignment, write, Flatten(write), symbol.Name, where);
        }
        else if (symbol is ILocalSymbol or IParameterSymbol)
        {
            // A lambda's own locals: the lambda is reported where it is used in a step, if it is.
        }
        else if (target is ElementAccessExpressionSyntax)
        {
            // An array element has no gradient of its own: what is stored there would silently lose it.
            Report(DiagnosticDescriptors.UnsupportedStatement, write, "write to the element " + Flatten(target),
                "a value stored in an array or a collection loses its gradient; keep it in a local (a running sum, or a Tensor grown with Concat) and read it from there");
        }
        else
        {
            Report(DiagnosticDescriptors.UnsupportedStatement, write, "write to " + Flatten(target),
                "a [Differentiable] method computes its result from its inputs only; return the value instead of storing it");
        }
    }

    private static (string Construct, string Advice) DescribeUnsupported(StatementSyntax statement) => statement switch
    {
        SwitchStatementSyntax =>
            ("switch", "write the cases as if/else branches"),
        TryStatementSyntax or ThrowStatementSyntax => ("try/throw", "validate inputs before calling the method"),
        LocalFunctionStatementSyntax => ("local function", "make it a [Differentiable] method of its own, or inline its steps"),
        BlockSyntax => ("nested block", "write its statements directly in the enclosing body"),
        UsingStatementSyntax or LockStatementSyntax or FixedStatementSyntax or UnsafeStatementSyntax or CheckedStatementSyntax =>
            ("'" + statement.GetFirstToken().ValueText + "' statement", "write the steps directly in the method body"),
        BreakStatementSyntax or ContinueStatementSyntax =>
            ("'" + statement.GetFirstToken().ValueText + "'", "end the loop by its condition (while (i < n && !done)), and skip the rest of an iteration with if/else"),
        GotoStatementSyntax or LabeledStatementSyntax =>
            ("jump", "write the control flow with loops and if/else"),
        YieldStatementSyntax => ("yield", "return one value"),
        _ => ("'" + statement.Kind() + "'", "write each value as a local declaration"),
    };

    private static string ExplainNotDifferentiable(ExpressionSyntax expression) => expression switch
    {
        ConditionalExpressionSyntax => "a choice is differentiated only as the whole right-hand side of a declaration or an assignment; assign it to a local of its own (var y = c ? a : b;)",
        SwitchExpressionSyntax => "a switch expression is not differentiated yet; select with Maximum, Minimum or Relu, or write one [Differentiable] method per case",
        LambdaExpressionSyntax or AnonymousMethodExpressionSyntax => "a lambda cannot be differentiated; write its body as steps",
        ElementAccessExpressionSyntax => "element access is not differentiable; use Pick, Sum or Reshape on the whole tensor",
        CastExpressionSyntax => "a conversion of a differentiable value cuts its gradient; compute with Tensor and double throughout",
        MemberAccessExpressionSyntax => "reading a member of a differentiable value is not a differentiable operation",
        BinaryExpressionSyntax => "only +, -, * and / are differentiable operators",
        _ => "it is not one of the differentiable operations (see the README's op table)",
    };
}
