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

    /// <summary>How many loops the statement being lowered is in: a <c>break</c> or <c>continue</c> leaves the innermost.</summary>
    private int _loopNesting;

    /// <summary>The flag a <c>return</c> inside a loop sets, so that the loops around it and the rest of the method are skipped.</summary>
    private string? _returnedFlag;

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
    private ForwardBlock LowerBlock(StatementSyntax statement) => LowerBlock(StatementsOf(statement));

    private static IReadOnlyList<StatementSyntax> StatementsOf(StatementSyntax statement) =>
        statement is BlockSyntax block ? block.Statements : new[] { statement };

    /// <summary>Lowers statements into a block of their own (<see cref="LowerStatements"/>).</summary>
    private ForwardBlock LowerBlock(IReadOnlyList<StatementSyntax> statements) => LowerNested(() => LowerStatements(statements));

    /// <summary>Runs <paramref name="lower"/> one level in, into a block of its own, and returns the block.</summary>
    private ForwardBlock LowerNested(System.Action lower)
    {
        var outer = _body;
        _body = new List<ForwardNode>();
        _depth++;
        lower();
        _depth--;
        var lowered = new ForwardBlock(_body.ToEquatableArray());
        _body = outer;
        return lowered;
    }

    /// <summary>
    /// Lowers statements into the current block. A statement that may leave the block — by <c>break</c> or
    /// <c>continue</c> of the loop it is in, or by a <c>return</c> once the method returns from inside its body — takes
    /// the statements after it into the paths that do not leave, which are where they run: every statement then runs
    /// exactly when the branches and loop trips around it say, which is what the backward reverses.
    /// </summary>
    private void LowerStatements(IReadOnlyList<StatementSyntax> statements)
    {
        for (var i = 0; i < statements.Count; i++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            var statement = statements[i];
            switch (statement)
            {
                case IfStatementSyntax branch when Leaves(branch):
                    LowerBranch(branch, statements.Skip(i + 1).ToList());
                    return;
                case ReturnStatementSyntax { Expression: { } value } when _result is not null:
                    LowerWriteOf(_result.Value.Name, _result.Value.Kind, value);
                    if (_loopNesting > 0)
                    {
                        // The loops around it are left too (by the flag, after each), and the rest of the method skipped.
                        _body.Add(new ForwardCode($"{Identifiers.Escape(_returnedFlag!)} = true;", EquatableArray<string>.Empty, new[] { _returnedFlag! }.ToEquatableArray(), EquatableArray<string>.Empty, ++_writeCount));
                        _body.Add(new ForwardJump(Breaks: true));
                    }

                    // What follows a jump never runs (the compiler warns of it).
                    return;
                case BreakStatementSyntax or ContinueStatementSyntax when _loopNesting > 0:
                    _body.Add(new ForwardJump(statement is BreakStatementSyntax));
                    return;
                case ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax when _returnedFlag is not null && Returns(statement):
                    LowerLoop(statement);
                    LowerAfterReturningLoop(statements.Skip(i + 1).ToList());
                    return;
            }

            CheckSimpleStatement(statement);
            LowerStatement(statement);
        }
    }

    /// <summary>Whether a statement holds a way out of the block being lowered: a jump of the loop it is in, or a return.</summary>
    private bool Leaves(StatementSyntax statement) =>
        (_loopNesting > 0 && Jumps(statement)) || (_result is not null && Returns(statement));

    /// <summary>Whether a statement holds a <c>break</c> or <c>continue</c> of the loop around it (not of a loop inside it).</summary>
    private static bool Jumps(StatementSyntax statement) =>
        statement.DescendantNodesAndSelf(node => node == statement || !IsLoop(node) && !IsFunction(node)).Any(node => node is BreakStatementSyntax or ContinueStatementSyntax);

    /// <summary>Whether a statement holds a <c>return</c> of the method (not of a lambda inside it).</summary>
    private static bool Returns(StatementSyntax statement) =>
        statement.DescendantNodesAndSelf(node => !IsFunction(node)).Any(node => node is ReturnStatementSyntax);

    /// <summary>Whether a statement holds a <c>return</c> inside a loop, which needs the flag that leaves the loops around it.</summary>
    private static bool ReturnsFromLoop(StatementSyntax statement) =>
        statement.DescendantNodesAndSelf(node => !IsFunction(node)).Any(node => IsLoop(node) && Returns((StatementSyntax)node));

    private static bool IsLoop(SyntaxNode node) => node is ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax;

    private static bool IsFunction(SyntaxNode node) => node is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax;

    /// <summary>Whether statements never run on past their end: their last is a jump or a return, or a branch each arm of which leaves so.</summary>
    private bool EndsInExit(IReadOnlyList<StatementSyntax> statements) =>
        statements.Count > 0 && statements[statements.Count - 1] switch
        {
            BreakStatementSyntax or ContinueStatementSyntax => _loopNesting > 0,
            ReturnStatementSyntax => _result is not null,
            IfStatementSyntax { Else: { } otherwise } branch => EndsInExit(StatementsOf(branch.Statement)) && EndsInExit(StatementsOf(otherwise.Statement)),
            BlockSyntax block => EndsInExit(block.Statements),
            _ => false,
        };

    /// <summary>
    /// How many statements may be copied into arms. <c>if (a) { if (b) break; } rest</c> runs <c>rest</c> in both arms of
    /// the outer branch, so jumps nested in branches side by side copy it again for each; past this the method is reported.
    /// </summary>
    private const int MaxCopiedStatements = 2000;

    private int _copiedStatements;

    /// <summary>
    /// An <c>if</c>, and the statements after it in its block when it may leave the block (<see cref="Leaves"/>): those
    /// run in each arm that does not end by leaving, after the arm's own.
    /// </summary>
    private void LowerBranch(IfStatementSyntax branch, IReadOnlyList<StatementSyntax> rest)
    {
        var (number, condition, reads) = LowerCondition(branch.Condition);
        var then = StatementsOf(branch.Statement).ToList();
        var otherwise = branch.Else is { } alternative ? StatementsOf(alternative.Statement).ToList() : new List<StatementSyntax>();
        var thenRunsOn = !EndsInExit(then);
        var otherwiseRunsOn = !EndsInExit(otherwise);
        if (thenRunsOn && otherwiseRunsOn && rest.Count > 0)
        {
            _copiedStatements += rest.Sum(s => s.DescendantNodesAndSelf().Count(n => n is StatementSyntax));
            if (_copiedStatements > MaxCopiedStatements)
            {
                Report(DiagnosticDescriptors.UnsupportedStatement, branch.IfKeyword.GetLocation(), "jumps nested in branches side by side, whose rest would be copied into each arm more than " + MaxCopiedStatements + " statements' worth",
                    "leave the loop by its condition (while (i < n && !done)) and skip the rest of an iteration with if/else");
                return;
            }
        }

        if (thenRunsOn)
        {
            then.AddRange(rest);
        }

        if (otherwiseRunsOn)
        {
            otherwise.AddRange(rest);
        }

        _body.Add(new ForwardBranch(number, condition, reads, LowerBlock(then), branch.Else is null && otherwise.Count == 0 ? null : LowerBlock(otherwise)));
    }

    /// <summary>A branch's condition, checked: its number, its code and what it reads.</summary>
    private (int Number, string Condition, EquatableArray<string> Reads) LowerCondition(ExpressionSyntax condition)
    {
        CheckStatement(condition, cuts: false);
        return (++_branchCount, TextWithHoisted(condition), ReadsOf(condition));
    }

    /// <summary>
    /// After a loop that a <c>return</c> may have left: inside another loop, that one is left too (<c>if (returned)
    /// break;</c>), and the statements after it run when nothing returned.
    /// </summary>
    private void LowerAfterReturningLoop(IReadOnlyList<StatementSyntax> rest)
    {
        var flag = _returnedFlag!;
        var reads = new[] { flag }.ToEquatableArray();
        if (_loopNesting > 0)
        {
            var leave = new ForwardBlock(new ForwardNode[] { new ForwardJump(Breaks: true) }.ToEquatableArray());
            _body.Add(new ForwardBranch(++_branchCount, Identifiers.Escape(flag), reads, leave, rest.Count == 0 ? null : LowerBlock(rest)));
        }
        else if (rest.Count > 0)
        {
            _body.Add(new ForwardBranch(++_branchCount, "!" + Identifiers.Escape(flag), reads, LowerBlock(rest), null));
        }
    }

    private ForwardBlock LowerBody(StatementSyntax body)
    {
        _loopNesting++;
        var lowered = LowerBlock(StatementsOf(body));
        _loopNesting--;
        return lowered;
    }

    /// <summary>
    /// A value chosen by <c>c ? a : b</c> (the whole right-hand side of a declaration or an assignment) is computed by a
    /// branch whose arms assign it: the chosen side gets the gradient, the other none, as in the branch it is.
    /// </summary>
    private void LowerChoice(string name, ValueKind kind, ConditionalExpressionSyntax choice)
    {
        var (number, condition, reads) = LowerCondition(choice.Condition);
        var then = LowerArm(name, kind, choice.WhenTrue);
        var otherwise = LowerArm(name, kind, choice.WhenFalse);
        _body.Add(new ForwardBranch(number, condition, reads, then, otherwise));
    }

    /// <summary>One side of a choice, as an arm that assigns it (<c>y = a;</c>), its nested calls hoisted inside the arm.</summary>
    private ForwardBlock LowerArm(string name, ValueKind kind, ExpressionSyntax side) => LowerNested(() => LowerWriteOf(name, kind, side));

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

    /// <summary>
    /// Once a statement of the method's body returns from inside a branch or a loop: the result is a local that each
    /// <c>return</c> assigns (and, when a loop returns, a flag that leaves the loops around it), and the statements
    /// from this one on are lowered so that each runs only where no return came first. Returns the result's name.
    /// </summary>
    private string LowerReturningStatements(IReadOnlyList<StatementSyntax> statements)
    {
        var name = UniqueLocalName("result");
        _depths[name] = _depth;
        var kind = ValueKinds.Of(_method.ReturnType);
        var typeName = TypeName(_method.ReturnType);
        _locals.Add(new LocalModel(name, typeName, kind, _depth));
        DeclareForArms(name, typeName);
        _result = (name, kind);
        if (statements.Any(ReturnsFromLoop))
        {
            var flag = UniqueLocalName("returned");
            _depths[flag] = _depth;
            _locals.Add(new LocalModel(flag, "bool", ValueKind.Other, _depth));
            _body.Add(new ForwardCode($"bool {Identifiers.Escape(flag)} = false;", new[] { flag }.ToEquatableArray()));
            _returnedFlag = flag;
        }

        LowerStatements(statements);
        return name;
    }

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
    /// the loop records its trip count and its counters.
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
        var startReads = ReadsOf(start).Distinct().ToList();
        var boundReads = ReadsOf(condition.Right).Distinct().ToList();
        var written = WrittenNames(loop.Statement);
        if (written.Contains(counter) || startReads.Concat(boundReads).Any(written.Contains))
        {
            return null;
        }

        return new CountedLoop(
            counter,
            TextWithHoisted(declaration.Type),
            TextWithHoisted(start),
            TextWithHoisted(condition.Right),
            condition.IsKind(SyntaxKind.LessThanOrEqualExpression),
            startReads.ToEquatableArray(),
            boundReads.ToEquatableArray(),
            Leaves: loop.Statement.DescendantNodes().Any(n => n is BreakStatementSyntax or ReturnStatementSyntax));
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
