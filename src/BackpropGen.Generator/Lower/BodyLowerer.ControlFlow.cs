using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BackpropGen.Generator.Lower;

/// <summary>
/// Loops and branches (SPEC §6): each becomes a node of the forward tree whose body is lowered as a block of its own. A
/// local declared outside a loop or a branch and assigned inside it is written over in place (<c>h = …</c>), not
/// versioned: the backward restores what it needs of the old value from the tape.
/// </summary>
internal sealed partial class BodyLowerer
{
    /// <summary>How deeply the statement being lowered is nested in loops and branches: 0 in the method's own body.</summary>
    private int _depth;

    /// <summary>The depth at which each local (or version of one) was declared; a parameter is at depth 0.</summary>
    private readonly Dictionary<string, int> _depths = new();

    private int _loopCount;

    /// <summary>The local that the returns inside branches assign, once a branch of the method's body returns.</summary>
    private (string Name, ValueKind Kind)? _result;

    /// <summary>How many statements of code without a gradient write over a value (<see cref="ForwardCode.Write"/>).</summary>
    private int _writeCount;
    private int _branchCount;

    /// <summary>The checks of a statement that holds no other statement; a loop's or a branch's are made of its parts.</summary>
    private void CheckSimpleStatement(StatementSyntax statement)
    {
        if (statement is LocalDeclarationStatementSyntax or ExpressionStatementSyntax or ReturnStatementSyntax)
        {
            CheckStatement(statement);
        }
    }

    /// <summary>Whether a write of <paramref name="name"/> here is over a value declared outside the current loop or branch.</summary>
    private bool IsOverwrite(string name) => _depth > 0 && (_depths.TryGetValue(name, out var depth) ? depth : 0) < _depth;

    /// <summary>Lowers a nested statement, or each statement of a nested block, into a block of its own.</summary>
    private ForwardBlock LowerBlock(StatementSyntax statement) =>
        LowerBlock(statement is BlockSyntax block ? (IReadOnlyList<StatementSyntax>)block.Statements : new[] { statement }, loopBody: false);

    /// <summary>
    /// Lowers statements into a block of their own. In a loop's body (<paramref name="loopBody"/>), a branch with an arm
    /// that ends in <c>break</c> or <c>continue</c> takes the statements after it into its other arm, which is where
    /// they run.
    /// </summary>
    private ForwardBlock LowerBlock(IReadOnlyList<StatementSyntax> statements, bool loopBody, IReadOnlyList<StatementSyntax>? rest = null, bool returns = false)
    {
        var outer = _body;
        _body = new List<ForwardNode>();
        _depth++;
        for (var i = 0; i < statements.Count; i++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            var nested = statements[i];
            if (loopBody && nested is IfStatementSyntax branch && (EndsInJump(branch.Statement) || branch.Else is { } e && EndsInJump(e.Statement)))
            {
                LowerJumpBranch(branch, statements.Skip(i + 1).ToList());
                break;
            }

            if (returns && IsReturningBranch(nested))
            {
                LowerReturningBranchArms((IfStatementSyntax)nested, statements.Skip(i + 1).ToList());
                break;
            }

            if (returns && nested is ReturnStatementSyntax { Expression: { } value } && i == statements.Count - 1)
            {
                LowerWriteOf(_result!.Value.Name, _result.Value.Kind, value);
                continue;
            }

            CheckSimpleStatement(nested);
            if (nested is BreakStatementSyntax or ContinueStatementSyntax && i == statements.Count - 1 && rest is not null)
            {
                _body.Add(new ForwardJump(nested is BreakStatementSyntax));
                continue;
            }

            LowerStatement(nested);
        }

        _depth--;
        var lowered = new ForwardBlock(_body.ToEquatableArray());
        _body = outer;
        return lowered;
    }

    /// <summary>Whether an arm's last statement is <c>break</c> or <c>continue</c>.</summary>
    private static bool EndsInJump(StatementSyntax arm) =>
        (arm is BlockSyntax { Statements: { Count: > 0 } statements } ? statements[statements.Count - 1] : arm) is BreakStatementSyntax or ContinueStatementSyntax;

    /// <summary><c>if (c) break; rest</c> in a loop's body is <c>if (c) break; else { rest }</c>: the branch and the rest are one node.</summary>
    private void LowerJumpBranch(IfStatementSyntax branch, IReadOnlyList<StatementSyntax> rest) =>
        LowerExitingBranch(branch, rest, EndsInJump, (statements, leaves) => leaves ? LowerBlock(statements, loopBody: false, rest) : LowerBlock(statements, loopBody: true));

    /// <summary>
    /// A branch an arm of which leaves the block (by <paramref name="exits"/>): the statements after it run in the other
    /// arm, which is where they run. <paramref name="lowerArm"/> lowers an arm's statements, told whether it is one that leaves.
    /// </summary>
    private void LowerExitingBranch(IfStatementSyntax branch, IReadOnlyList<StatementSyntax> rest, System.Func<StatementSyntax, bool> exits, System.Func<List<StatementSyntax>, bool, ForwardBlock> lowerArm)
    {
        CheckStatement(branch.Condition, cuts: false);
        var number = ++_branchCount;
        var condition = TextWithHoisted(branch.Condition);
        var reads = ReadsOf(branch.Condition);
        ForwardBlock Arm(StatementSyntax? arm)
        {
            var statements = arm is null ? new List<StatementSyntax>() : arm is BlockSyntax block ? block.Statements.ToList() : new List<StatementSyntax> { arm };
            var leaves = arm is not null && exits(arm);
            if (!leaves)
            {
                // The arm that does not leave runs on into the rest of the block.
                statements.AddRange(rest);
            }

            return lowerArm(statements, leaves);
        }

        var then = Arm(branch.Statement);
        var otherwise = Arm(branch.Else?.Statement);
        _body.Add(new ForwardBranch(number, condition, reads, then, otherwise));
    }

    private ForwardBlock LowerBody(StatementSyntax body) =>
        LowerBlock(body is BlockSyntax block ? (IReadOnlyList<StatementSyntax>)block.Statements : new[] { body }, loopBody: true);

    private void LowerBranch(IfStatementSyntax branch)
    {
        CheckStatement(branch.Condition, cuts: false);
        var number = ++_branchCount;
        var condition = TextWithHoisted(branch.Condition);
        var reads = ReadsOf(branch.Condition);
        var then = LowerBlock(branch.Statement);
        var otherwise = branch.Else is { } alternative ? LowerBlock(alternative.Statement) : null;
        _body.Add(new ForwardBranch(number, condition, reads, then, otherwise));
    }

    /// <summary>
    /// A value chosen by <c>c ? a : b</c> (the whole right-hand side of a declaration or an assignment) is computed by a
    /// branch whose arms assign it: the chosen side gets the gradient, the other none, as in the branch it is.
    /// </summary>
    private void LowerChoice(string name, ValueKind kind, ConditionalExpressionSyntax choice)
    {
        CheckStatement(choice.Condition, cuts: false);
        var number = ++_branchCount;
        var condition = TextWithHoisted(choice.Condition);
        var reads = ReadsOf(choice.Condition);
        var then = LowerArm(name, kind, choice.WhenTrue);
        var otherwise = LowerArm(name, kind, choice.WhenFalse);
        _body.Add(new ForwardBranch(number, condition, reads, then, otherwise));
    }

    /// <summary>One side of a choice, as an arm that assigns it (<c>y = a;</c>), its nested calls hoisted inside the arm.</summary>
    private ForwardBlock LowerArm(string name, ValueKind kind, ExpressionSyntax side)
    {
        var outer = _body;
        _body = new List<ForwardNode>();
        _depth++;
        LowerWriteOf(name, kind, side);
        _depth--;
        var arm = new ForwardBlock(_body.ToEquatableArray());
        _body = outer;
        return arm;
    }

    /// <summary><c>{name} = {value};</c> over a local declared outside the current arm: a step when the value is varied.</summary>
    private void LowerWriteOf(string name, ValueKind kind, ExpressionSyntax value)
    {
        CheckStatement(value);
        var escaped = Identifiers.Escape(name);
        if (!IsVaried(value))
        {
            _body.Add(new ForwardCode($"{escaped} = {TextWithHoisted(value)};", EquatableArray<string>.Empty, new[] { name }.ToEquatableArray(), ReadsOf(value), ++_writeCount));
            return;
        }

        HoistNestedCalls(value);
        var lowered = LowerStepValue(name, value, out var callText);
        AddOverwrite(name, kind, lowered, name + " = " + TextWithHoisted(value, asQuote: true), callText, $"{escaped} = {TextWithHoisted(value)};");
    }

    /// <summary>Whether an arm's last statement is a <c>return</c> of a value.</summary>
    private static bool EndsInReturn(StatementSyntax arm) =>
        (arm is BlockSyntax { Statements: { Count: > 0 } statements } ? statements[statements.Count - 1] : arm) is ReturnStatementSyntax { Expression: not null };

    /// <summary>Whether a statement of the method's body is a branch an arm of which returns.</summary>
    private static bool IsReturningBranch(StatementSyntax statement) =>
        statement is IfStatementSyntax branch && (EndsInReturn(branch.Statement) || branch.Else is { } otherwise && EndsInReturn(otherwise.Statement));

    /// <summary>
    /// <c>if (c) return a; rest</c> in the method's body: the result is a local that each <c>return</c> assigns, and the
    /// statements after the branch run in its other arm. Returns the result's name.
    /// </summary>
    private string LowerReturningBranch(IfStatementSyntax branch, IReadOnlyList<StatementSyntax> rest)
    {
        var name = UniqueLocalName("result");
        _depths[name] = _depth;
        var kind = ValueKinds.Of(_method.ReturnType);
        var typeName = TypeName(_method.ReturnType);
        _locals.Add(new LocalModel(name, typeName, kind, _depth));
        DeclareForArms(name, typeName);
        _result = (name, kind);
        LowerReturningBranchArms(branch, rest);
        return name;
    }

    private void LowerReturningBranchArms(IfStatementSyntax branch, IReadOnlyList<StatementSyntax> rest) =>
        LowerExitingBranch(branch, rest, EndsInReturn, (statements, _) => LowerBlock(statements, loopBody: false, returns: true));

    private void LowerLoop(StatementSyntax loop)
    {
        MarkLoopCarried(loop);
        var number = ++_loopCount;

        // The header's locals (a for loop's counter) are one level out from the body's, so that the body's writes of
        // them are writes over a value, as the counter's increment is.
        _depth++;
        ForwardLoop? lowered = null;
        switch (loop)
        {
            case ForStatementSyntax @for:
                lowered = LowerFor(number, @for);
                break;
            case WhileStatementSyntax @while:
                CheckStatement(@while.Condition, cuts: false);
                lowered = new ForwardLoop(number, LoopForm.While, $"while ({TextWithHoisted(@while.Condition)})", string.Empty,
                    EquatableArray<string>.Empty, null, LowerBody(@while.Statement));
                break;
            case ForEachStatementSyntax @foreach:
                lowered = LowerForeach(number, @foreach);
                break;
            case DoStatementSyntax @do:
                CheckStatement(@do.Condition, cuts: false);
                var body = LowerBody(@do.Statement);
                lowered = new ForwardLoop(number, LoopForm.Do, "do", $"while ({TextWithHoisted(@do.Condition)});",
                    EquatableArray<string>.Empty, null, body);
                break;
        }

        _depth--;
        if (lowered is not null)
        {
            _body.Add(lowered);
        }
    }

    /// <summary>
    /// A <c>foreach</c> over a collection without a gradient (<c>Tensor[] xs</c>, <c>double[] z</c>): its element is a local
    /// of the loop, recorded when the backward reads it, and the loop records its trip count.
    /// </summary>
    private ForwardLoop? LowerForeach(int number, ForEachStatementSyntax loop)
    {
        if (IsVaried(loop.Expression) || ValueKinds.Of(TypeOf(loop.Expression).Type) != ValueKind.Other)
        {
            Report(DiagnosticDescriptors.UnsupportedStatement, loop.Expression, "foreach over a differentiable value",
                "count through its elements with a for loop and read them by index");
            return null;
        }

        CheckStatement(loop.Expression, cuts: false);
        var name = loop.Identifier.ValueText;
        if (_model.GetDeclaredSymbol(loop, _cancellationToken) is ILocalSymbol local)
        {
            // As for a var declaration, the inferred element type's nullable annotation comes from nullable analysis alone.
            var type = loop.Type.IsVar ? local.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated) : local.Type;
            name = DeclareLocal(local, TypeName(type), ValueKinds.Of(local.Type));
        }

        var header = $"foreach ({TextWithHoisted(loop.Type)} {Identifiers.Escape(name)} in {TextWithHoisted(loop.Expression)})";
        return new ForwardLoop(number, LoopForm.Foreach, header, string.Empty, new[] { name }.ToEquatableArray(), null, LowerBody(loop.Statement));
    }

    private ForwardLoop? LowerFor(int number, ForStatementSyntax loop)
    {
        if (loop.Initializers.Count > 0 || (loop.Declaration is null && loop.Condition is not null))
        {
            Report(DiagnosticDescriptors.UnsupportedStatement, loop.Initializers.Count > 0 ? loop.Initializers[0] : loop, "for loop that assigns a counter declared before it",
                "declare the loop's counter in its header (for (int i = 0; i < n; i++))");
            return null;
        }

        if (loop.Condition is null)
        {
            Report(DiagnosticDescriptors.UnsupportedStatement, loop.ForKeyword.GetLocation(), "for loop without a condition",
                "give the loop the condition that ends it (for (int i = 0; i < n; i++))");
            return null;
        }

        var declared = new List<string>();
        var declaration = string.Empty;
        if (loop.Declaration is { } header)
        {
            CheckStatement(header);
            foreach (var variable in header.Variables)
            {
                if (_model.GetDeclaredSymbol(variable, _cancellationToken) is ILocalSymbol local)
                {
                    declared.Add(DeclareLocal(local, TypeName(local.Type), ValueKinds.Of(local.Type)));
                    if (ValueKinds.Of(local.Type) != ValueKind.Other && _varied.Contains(local))
                    {
                        Report(DiagnosticDescriptors.UnsupportedStatement, variable, "for loop whose counter is differentiable",
                            "count with an int (for (int i = 0; i < n; i++)) and compute the differentiable value in the body");
                    }
                }
            }

            declaration = TextWithHoisted(header);
        }

        foreach (var incrementor in loop.Incrementors)
        {
            if (WrittenNames(incrementor).Any(name => !declared.Contains(name)))
            {
                Report(DiagnosticDescriptors.UnsupportedStatement, incrementor, "for loop whose increment changes a value declared outside it",
                    "change that value in the loop's body, where the backward sees the change");
                return null;
            }
        }

        CheckStatement(loop.Condition, cuts: false);
        var counted = CountedLoopOf(loop, declared);
        var headerText = $"for ({declaration}; {TextWithHoisted(loop.Condition)}; {string.Join(", ", loop.Incrementors.Select(i => TextWithHoisted(i)))})";
        var body = LowerBody(loop.Statement);
        return new ForwardLoop(number, LoopForm.For, headerText, string.Empty, declared.ToEquatableArray(), counted, body);
    }

    /// <summary>
    /// The loop as a count from a start to a bound (<c>for (int i = a; i &lt; b; i++)</c>, <c>i &lt;= b</c>, <c>++i</c>,
    /// <c>i += 1</c>) when its body writes neither the counter nor anything the start and the bound read; else null, and
    /// the loop records its trip count.
    /// </summary>
    private CountedLoop? CountedLoopOf(ForStatementSyntax loop, List<string> declared)
    {
        if (loop.Declaration is not { Variables: { Count: 1 } variables } declaration
            || variables[0].Initializer is not { Value: var start }
            || loop.Condition is not BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LessThanExpression or (int)SyntaxKind.LessThanOrEqualExpression } condition
            || condition.Left is not IdentifierNameSyntax { Identifier.ValueText: var counterText } counterName
            || declared.Count != 1
            || CurrentName(counterName) != declared[0]
            || loop.Incrementors.Count != 1
            || !IsIncrementByOne(loop.Incrementors[0], counterText))
        {
            return null;
        }

        var counter = declared[0];
        var reads = ReadsOf(start).Concat(ReadsOf(condition.Right)).Distinct().ToList();
        var written = WrittenNames(loop.Statement);
        if (written.Contains(counter) || reads.Any(written.Contains) || loop.Statement.DescendantNodes().OfType<BreakStatementSyntax>().Any())
        {
            return null;
        }

        return new CountedLoop(
            counter,
            TextWithHoisted(declaration.Type),
            TextWithHoisted(start),
            TextWithHoisted(condition.Right),
            condition.IsKind(SyntaxKind.LessThanOrEqualExpression),
            reads.ToEquatableArray());
    }

    private static bool IsIncrementByOne(ExpressionSyntax incrementor, string counter) => incrementor switch
    {
        PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression, Operand: IdentifierNameSyntax name } => name.Identifier.ValueText == counter,
        PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression, Operand: IdentifierNameSyntax name } => name.Identifier.ValueText == counter,
        AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.AddAssignmentExpression, Left: IdentifierNameSyntax name, Right: LiteralExpressionSyntax { Token.ValueText: "1" } } =>
            name.Identifier.ValueText == counter,
        _ => false,
    };

    /// <summary>The names of the locals and parameters a piece of code assigns, by any assignment or increment in it, as the lowering names them here.</summary>
    private HashSet<string> WrittenNames(SyntaxNode node)
    {
        var names = new HashSet<string>();
        foreach (var descendant in node.DescendantNodesAndSelf())
        {
            var target = descendant switch
            {
                AssignmentExpressionSyntax assignment => assignment.Left,
                PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } prefix => prefix.Operand,
                PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression } postfix => postfix.Operand,
                _ => null,
            };
            if (target is IdentifierNameSyntax identifier)
            {
                names.Add(CurrentName(identifier));
            }
            else if (target is TupleExpressionSyntax tuple)
            {
                names.UnionWith(tuple.Arguments.Select(a => a.Expression).OfType<IdentifierNameSyntax>().Select(CurrentName));
            }
        }

        return names;
    }

    /// <summary>
    /// Marks what a loop makes varied before its body is lowered: a value that a later iteration reads may become varied
    /// only further down the body (<c>y = s * 2; s = s + x;</c>), so the marking repeats until nothing more changes.
    /// </summary>
    private void MarkLoopCarried(StatementSyntax loop)
    {
        bool changed;
        do
        {
            changed = false;
            foreach (var node in loop.DescendantNodes())
            {
                ISymbol? symbol = null;
                ExpressionSyntax? value = null;
                if (node is VariableDeclaratorSyntax { Initializer.Value: var initial } declarator)
                {
                    symbol = _model.GetDeclaredSymbol(declarator, _cancellationToken);
                    value = initial;
                }
                else if (node is AssignmentExpressionSyntax { Left: IdentifierNameSyntax target } assignment)
                {
                    symbol = SymbolOf(target);
                    value = assignment.Right;
                }

                if (symbol is ILocalSymbol { IsConst: false } or IParameterSymbol
                    && !_varied.Contains(symbol)
                    && ValueKinds.Of(symbol is ILocalSymbol local ? local.Type : ((IParameterSymbol)symbol).Type) != ValueKind.Other
                    && value is not null
                    && IsVaried(value))
                {
                    MarkVaried(symbol);
                    changed = true;
                }
            }

            if (changed)
            {
                // What was worked out before the marking may now be varied.
                _variedMemo.Clear();
            }
        }
        while (changed);
    }
}
