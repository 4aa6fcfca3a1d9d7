using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Ops;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BackpropGen.Generator.Lower;

/// <summary>
/// Reassignment of the method's locals and parameters: <c>y = y * 2.0;</c>, <c>y += x;</c>, <c>k++;</c>. Each assignment
/// makes a new version of the value, as if the user had declared a new local (<c>var y_2 = y * 2.0;</c>), and the code
/// after it reads that version. A differentiable version is a step of its own; the backward of a version written over
/// is the gradient of the version it was computed from, so nothing a later assignment overwrites is lost to the cache.
/// </summary>
internal sealed partial class BodyLowerer
{
    /// <summary>
    /// A write that is a statement of its own and assigns a local or parameter of the method by <c>=</c>, <c>+=</c>,
    /// <c>-=</c>, <c>*=</c>, <c>/=</c>, <c>++</c> or <c>--</c>: it becomes a new version. Other writes are reported.
    /// </summary>
    private bool IsVersionedWrite(ExpressionSyntax write)
    {
        if (write.Parent is not ExpressionStatementSyntax || OperatorOf(write).Operator is null || TargetOf(write) is not IdentifierNameSyntax target)
        {
            return false;
        }

        var symbol = SymbolOf(target);
        return symbol is ILocalSymbol { IsRef: false, IsConst: false } or IParameterSymbol { RefKind: RefKind.None }
            && SymbolEqualityComparer.Default.Equals(symbol.ContainingSymbol, _method);
    }

    private static ExpressionSyntax? TargetOf(ExpressionSyntax write) => write switch
    {
        AssignmentExpressionSyntax assignment => assignment.Left,
        PrefixUnaryExpressionSyntax prefix => prefix.Operand,
        PostfixUnaryExpressionSyntax postfix => postfix.Operand,
        _ => null,
    };

    /// <summary>
    /// The op a write applies to its target and its operator's text (null for a plain <c>=</c>); (null, null) when the
    /// write is not one that becomes a version.
    /// </summary>
    private static (Op? Op, string? Operator) OperatorOf(ExpressionSyntax write) => write.Kind() switch
    {
        SyntaxKind.SimpleAssignmentExpression => (null, string.Empty),
        SyntaxKind.AddAssignmentExpression or SyntaxKind.PreIncrementExpression or SyntaxKind.PostIncrementExpression => (Operations.Add, "+"),
        SyntaxKind.SubtractAssignmentExpression or SyntaxKind.PreDecrementExpression or SyntaxKind.PostDecrementExpression => (Operations.Subtract, "-"),
        SyntaxKind.MultiplyAssignmentExpression => (Operations.Multiply, "*"),
        SyntaxKind.DivideAssignmentExpression => (Operations.Divide, "/"),
        _ => (null, null),
    };

    /// <summary>
    /// The name code reads a local or parameter by at this point of the body: its latest version's, or its own when it
    /// was never reassigned.
    /// </summary>
    private string CurrentName(IdentifierNameSyntax identifier) =>
        _reassignedNames.Contains(identifier.Identifier.ValueText) && SymbolOf(identifier) is { } symbol && _versions.TryGetValue(symbol, out var version)
            ? version
            : identifier.Identifier.ValueText;

    private string CurrentName(ISymbol symbol) => _versions.TryGetValue(symbol, out var version) ? version : symbol.Name;

    /// <summary>Lowers a versioned write (<see cref="IsVersionedWrite"/>) into the next version of its target.</summary>
    private void LowerReassignment(ExpressionSyntax write)
    {
        var target = (IdentifierNameSyntax)TargetOf(write)!;
        var symbol = SymbolOf(target)!;
        var type = symbol is ILocalSymbol local ? local.Type : ((IParameterSymbol)symbol).Type;
        var kind = ValueKinds.Of(type);
        var (op, symbolText) = OperatorOf(write);
        var right = (write as AssignmentExpressionSyntax)?.Right;
        var varied = _varied.Contains(symbol) || (right is not null && IsVaried(right));
        if (right is not null && varied)
        {
            HoistNestedCalls(right, wholeToo: op is not null);
        }

        // The value's code as the forward computes it (and as comments quote it), reading the versions current before
        // this write.
        string ValueCode(bool asQuote)
        {
            var rightText = right is null ? "1" : TextWithHoisted(right, asQuote);
            return op is null ? rightText : $"{TextWithHoisted(target, asQuote)} {symbolText} {Operand(rightText, right, op)}";
        }

        var text = ValueCode(asQuote: false);
        var quoteText = ValueCode(asQuote: true);
        var current = CurrentName(symbol);
        if (op is null && varied && kind != ValueKind.Other && right is not null && Unparenthesized(right) is ConditionalExpressionSyntax choice)
        {
            LowerChosenWrite(symbol, type, kind, current, choice);
            return;
        }

        if (IsOverwrite(current))
        {
            LowerOverwrite(write, symbol, current, kind, varied, op, right, text, quoteText);
            return;
        }

        var name = NextVersionName(symbol);
        var declaredType = kind == ValueKind.Other ? type : type.WithNullableAnnotation(NullableAnnotation.NotAnnotated);
        var typeName = TypeName(declaredType);
        if (kind == ValueKind.Other || !varied)
        {
            // A value without a gradient: replayed as written, in a local of its own, so that what the backward reads of
            // it is the value at this point. A compound write converts back to the target's type, as C# does.
            _locals.Add(new LocalModel(name, typeName, kind, _depth));
            _body.Add(new ForwardCode(
                $"{typeName} {Identifiers.Escape(name)} = {(op is not null && kind == ValueKind.Other ? $"({typeName})({text})" : text)};",
                new[] { name }.ToEquatableArray(),
                Reads: ReadsOf(write)));
            SetVersion(symbol, name);
            return;
        }

        var value = LowerWrittenValue(name, target, kind, op, right, text, out var callText);
        _locals.Add(new LocalModel(name, typeName, kind, _depth));
        var step = new StepModel(++_stepCount, name, kind, value, name + " = " + quoteText);
        _body.Add(new ForwardStep(step, callText ?? $"{typeName} {Identifiers.Escape(name)} = {text};"));
        MarkVaried(symbol);
        SetVersion(symbol, name);
    }

    /// <summary>
    /// A write inside a loop or a branch of a local declared outside it: the local is written over (<c>h = …;</c>), as the
    /// user wrote it, since the next iteration, or the code after the branch, reads it by its name.
    /// </summary>
    private void LowerOverwrite(ExpressionSyntax write, ISymbol symbol, string current, ValueKind kind, bool varied, Ops.Op? op, ExpressionSyntax? right, string text, string quoteText)
    {
        if (kind == ValueKind.Other || !varied)
        {
            _body.Add(new ForwardCode(TextWithHoisted(write) + ";", EquatableArray<string>.Empty, new[] { current }.ToEquatableArray(), ReadsOf(write), ++_writeCount));
            return;
        }

        var target = (IdentifierNameSyntax)TargetOf(write)!;
        var value = LowerWrittenValue(current, target, kind, op, right, text, out var callText);
        AddOverwrite(current, kind, value, current + " = " + quoteText, callText, TextWithHoisted(write) + ";");
        MarkVaried(symbol);
    }

    /// <summary>
    /// The step that writes over <paramref name="name"/>, whose forward is <paramref name="text"/>, or for a call of a
    /// <c>[Differentiable]</c> method its forward into the local and a cache of this iteration's own:
    /// <c>(h, var hCache) = Cell.CellForward(h, x);</c>.
    /// </summary>
    private void AddOverwrite(string name, ValueKind kind, Expr value, string quote, string? callText, string text)
    {
        var escaped = Identifiers.Escape(name);
        var step = new StepModel(++_stepCount, name, kind, value, quote, Overwrites: true);
        _body.Add(new ForwardStep(step, callText is null ? text : "(" + escaped + ", var " + callText.Substring(("var (" + escaped + ", ").Length)));
    }

    /// <summary>The name of <paramref name="symbol"/>'s next version: <c>y_2</c>, <c>y_3</c>, … (the numbered partials of y, dy1 and dy2, cannot be mistaken for it).</summary>
    private string NextVersionName(ISymbol symbol)
    {
        var name = UniqueLocalName((_declaredAs.TryGetValue(symbol, out var declared) ? declared : symbol.Name) + "_" + (_versionCounts[symbol] = _versionCounts.TryGetValue(symbol, out var count) ? count + 1 : 2));
        _depths[name] = _depth;
        return name;
    }

    /// <summary>A local declared without its value (<c>double y = default!;</c>), for the arms of a branch to assign.</summary>
    private void DeclareForArms(string name, string typeName) =>
        _body.Add(new ForwardCode($"{typeName} {Identifiers.Escape(name)} = default!;", new[] { name }.ToEquatableArray()));

    /// <summary>The value a write gives its target: the right-hand side of <c>=</c>, or the compound operation of the others.</summary>
    private Expr LowerWrittenValue(string name, IdentifierNameSyntax target, ValueKind kind, Ops.Op? op, ExpressionSyntax? right, string text, out string? callText)
    {
        callText = null;
        if (op is null)
        {
            return LowerStepValue(name, right!, out callText);
        }

        var operand = right is null ? new ConstExpr("1", ValueKind.Other, EquatableArray<string>.Empty, Precedence.Primary) : LowerExpression(right);
        var reads = right is null ? ReadsOf(target) : ReadsOf(target).Concat(ReadsOf(right)).Distinct().ToEquatableArray();
        return new OpExpr(op, kind, new[] { LowerExpression(target), operand }.ToEquatableArray(), text, reads);
    }

    /// <summary><c>y = c ? a : b;</c>: a branch that assigns the local, or a new version of it declared just before.</summary>
    private void LowerChosenWrite(ISymbol symbol, ITypeSymbol type, ValueKind kind, string current, ConditionalExpressionSyntax choice)
    {
        MarkVaried(symbol);
        if (IsOverwrite(current))
        {
            LowerChoice(current, kind, choice);
            return;
        }

        var name = NextVersionName(symbol);
        var typeName = TypeName(type.WithNullableAnnotation(NullableAnnotation.NotAnnotated));
        _locals.Add(new LocalModel(name, typeName, kind, _depth));
        DeclareForArms(name, typeName);

        // The sides read the versions current before the write.
        LowerChoice(name, kind, choice);
        SetVersion(symbol, name);
    }

    /// <summary>The right side of a compound write, parenthesized where it binds no tighter than the operator (<c>y *= x + 1</c> is <c>y * (x + 1)</c>).</summary>
    private static string Operand(string text, ExpressionSyntax? right, Op op) =>
        right is null || Precedence.Of(right) > op.Precedence ? text : "(" + text + ")";

    private void SetVersion(ISymbol symbol, string name)
    {
        _versions[symbol] = name;
        _reassignedNames.Add(symbol.Name);
    }
}
