using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Differentiate;
using BackpropGen.Generator.Ir;
using BackpropGen.Generator.Lower;
using BackpropGen.Generator.Plan;

namespace BackpropGen.Generator.Emit;

/// <summary>
/// Writes the forward and the backward of a method with loops and branches: the forward as the user wrote it, with the
/// tape's records where the plan puts them; the backward as a tree that walks it in reverse, each loop headed by the
/// loop it reverses.
/// </summary>
internal sealed class FlowEmitter
{
    private readonly IndentedWriter _writer;
    private readonly CachePlan _plan;
    private readonly AdjointRenderer _renderer;
    private readonly string _stepMarker;
    private readonly HashSet<string> _taken;
    private readonly HashSet<RestoredWrite> _restored;
    private readonly Dictionary<string, ScopeRecord> _scopes;

    /// <summary>The types a kept local is most often of that are value types, whose default needs no <c>!</c>.</summary>
    private static readonly HashSet<string> ValueTypeNames = new() { "double", "int", "bool", "long", "float", "global::BackpropGen.TensorShape" };

    /// <summary>The loop bodies and arms the forward statement being written is in, innermost last.</summary>
    private readonly List<string> _open = new();

    public FlowEmitter(IndentedWriter writer, CachePlan plan, AdjointRenderer renderer, string stepMarker, HashSet<string> taken)
    {
        _writer = writer;
        _plan = plan;
        _renderer = renderer;
        _stepMarker = stepMarker;
        _taken = taken;
        var tapes = plan.Program.Tapes;
        _restored = new HashSet<RestoredWrite>(tapes.Restored);
        _scopes = tapes.Scopes.ToDictionary(scope => scope.Scope);
    }

    /// <summary>The cache record's member that says how much its tapes hold.</summary>
    public static void WriteTapeBytes(IndentedWriter writer, CachePlan plan)
    {
        writer.Line("/// <summary>What the tapes of this forward pass hold, in bytes (a called method's cache counts as a reference).</summary>");
        var sum = plan.Tapes.Count == 0 ? "0" : string.Join(" + ", plan.Tapes.Select(tape => tape.PropertyName + ".Bytes"));
        writer.Line($"public long TapeBytes => {sum};");
    }

    /// <summary>The forward's statements: the tapes made, then the body.</summary>
    public void WriteForward(ForwardBlock body)
    {
        foreach (var tape in _plan.Tapes)
        {
            _writer.Line($"var {Identifiers.Escape(tape.LocalName)} = new global::BackpropGen.Tape<{tape.ElementType}>();");
        }

        foreach (var kept in _plan.Kept)
        {
            // Assigned at its arm's end, read back only in that arm's backward: the default is never read.
            var initial = ValueTypeNames.Contains(kept.TypeName) ? "default" : "default!";
            _writer.Line($"{kept.TypeName} {Identifiers.Escape(kept.LocalName)} = {initial};");
        }

        WriteForwardStatements(body);
    }

    private void WriteForwardStatements(ForwardBlock block)
    {
        foreach (var statement in block.Statements)
        {
            switch (statement)
            {
                case ForwardStep { Step: var step } numbered:
                    _writer.Line($"// step {step.Number}: {step.Quote}");
                    _writer.Line($"{_stepMarker} = {step.Number};");
                    if (step.Overwrites)
                    {
                        PushOld(step.Name, new RestoreSite(AtStep: true, step.Number));
                    }

                    _writer.Line(numbered.Text);
                    break;
                case ForwardCode code:
                    foreach (var written in code.Writes)
                    {
                        PushOld(written, new RestoreSite(AtStep: false, code.Write));
                    }

                    _writer.Line(code.Text);
                    break;
                case ForwardLoop loop:
                    WriteForwardLoop(loop);
                    break;
                case ForwardBranch branch:
                    WriteForwardBranch(branch);
                    break;
                case ForwardJump jump:
                    // The blocks it leaves record their locals first, as their ends would have.
                    for (var i = _open.Count - 1; i >= 0; i--)
                    {
                        PushScope(_open[i]);
                        if (_open[i].StartsWith("loop ", System.StringComparison.Ordinal))
                        {
                            break;
                        }
                    }

                    _writer.Line(jump.Breaks ? "break;" : "continue;");
                    break;
                default:
                    throw new System.InvalidOperationException($"The forward statement {statement.GetType().Name} has no rendering.");
            }
        }
    }

    /// <summary>Records a variable's value before a write over it, when the backward restores it there.</summary>
    private void PushOld(string name, RestoreSite site)
    {
        foreach (var write in _restored.Where(r => r.Site == site && r.Value.Source == name))
        {
            _writer.Line($"{Identifiers.Escape(_plan.ValueTape(write.Value.Name, write.Value.TypeName).LocalName)}.Push({write.Value.Pushed});");
        }
    }

    /// <summary>Records a block's own locals at its end, when the backward reads them.</summary>
    private void PushScope(string scope)
    {
        if (_scopes.TryGetValue(scope, out var record))
        {
            foreach (var value in record.Values)
            {
                _writer.Line(_plan.KeptValueOf(value.Name, value.TypeName) is { } kept
                    ? $"{Identifiers.Escape(kept.LocalName)} = {value.Pushed};"
                    : $"{Identifiers.Escape(_plan.ValueTape(value.Name, value.TypeName).LocalName)}.Push({value.Pushed});");
            }
        }
    }

    private void WriteForwardLoop(ForwardLoop loop)
    {
        var counts = _plan.Tapes.Any(t => t.Kind == TapeKind.TripCount && t.Key == Number(loop.Number));
        var counter = counts ? Identifiers.Fresh("loop" + loop.Number + "Count", _taken) : null;
        if (counter is not null)
        {
            _writer.Line($"var {counter} = 0;");
        }

        _writer.Line(loop.Header);
        _writer.Line("{");
        _writer.Indent();
        if (counter is not null)
        {
            _writer.Line($"{counter}++;");
        }

        _open.Add(ScopeRecord.LoopScope(loop.Number));
        WriteForwardStatements(loop.Body);
        _open.RemoveAt(_open.Count - 1);
        if (!EndsInJump(loop.Body))
        {
            PushScope(ScopeRecord.LoopScope(loop.Number));
        }

        _writer.Outdent();
        _writer.Line(loop.Form == LoopForm.Do ? "} " + loop.Footer : "}");
        if (counter is not null)
        {
            _writer.Line($"{_plan.TripTape(loop.Number).LocalName}.Push({counter});");
        }
    }

    private void WriteForwardBranch(ForwardBranch branch)
    {
        var condition = branch.Condition;
        if (_plan.Tapes.Any(t => t.Kind == TapeKind.Branch && t.Key == Number(branch.Number)))
        {
            var taken = Identifiers.Fresh("branch" + branch.Number + "Taken", _taken);
            _writer.Line($"var {taken} = {condition};");
            _writer.Line($"{_plan.BranchTape(branch.Number).LocalName}.Push({taken});");
            condition = taken;
        }

        using (_writer.Block($"if ({condition})"))
        {
            WriteArm(branch.Then, ScopeRecord.ArmScope(branch.Number, then: true));
        }

        if (branch.Else is { Statements.Count: > 0 } otherwise)
        {
            using (_writer.Block("else"))
            {
                WriteArm(otherwise, ScopeRecord.ArmScope(branch.Number, then: false));
            }
        }
    }

    private void WriteArm(ForwardBlock arm, string scope)
    {
        _open.Add(scope);
        WriteForwardStatements(arm);
        _open.RemoveAt(_open.Count - 1);

        // An arm that ends in a jump has recorded its locals before it.
        if (!EndsInJump(arm))
        {
            PushScope(scope);
        }
    }

    /// <summary>Whether a block never runs past its end: it ends in a jump, or in a branch each arm of which does.</summary>
    private static bool EndsInJump(ForwardBlock block) =>
        block.Statements.Count > 0 && block.Statements[block.Statements.Count - 1] switch
        {
            ForwardJump => true,
            ForwardBranch { Else: { } otherwise } branch => EndsInJump(branch.Then) && EndsInJump(otherwise),
            _ => false,
        };

    /// <summary>The backward's statements.</summary>
    public void WriteBackward(EquatableArray<BackwardNode> nodes)
    {
        BackwardNode? previous = null;
        foreach (var node in nodes)
        {
            // A blank line before each step, loop and branch, and after each loop and branch.
            if (previous is not null && (node is BackwardHeading or BackwardLoop or BackwardBranch || previous is BackwardLoop or BackwardBranch))
            {
                _writer.Line();
            }

            previous = node;
            WriteBackward(node);
        }
    }

    private void WriteBackward(BackwardNode node)
    {
        switch (node)
        {
            case BackwardHeading heading:
                _writer.Line($"// {heading.Header}");
                _writer.Line($"{_stepMarker} = {heading.Step};");
                break;
            case BackwardStatement statement:
                var targets = statement.Targets.Count == 1
                    ? Identifiers.Escape(statement.Targets[0])
                    : "(" + string.Join(", ", statement.Targets.Select(Identifiers.Escape)) + ")";
                _writer.Line($"var {targets} = {_renderer.Spell(statement.Value)};");
                break;
            case BackwardAssign assign:
                _writer.Line($"{Identifiers.Escape(assign.Target)} {(assign.Accumulates ? "+=" : "=")} {_renderer.Spell(assign.Value)};");
                break;
            case BackwardElementAdd add:
                _writer.Line($"{Identifiers.Escape(add.Buffer)}[{_renderer.Spell(add.Index)}] += {_renderer.Spell(add.Value)};");
                break;
            case BackwardBufferAdd add:
                _writer.Line($"{Identifiers.Escape(add.Buffer)}.{add.Method}({string.Join(", ", add.Args.Select(argument => _renderer.Render(argument)))});");
                break;
            case BackwardRestore restore:
                var read = _plan.KeptValueOf(restore.Variable, restore.TypeName) is { } kept
                    ? Identifiers.Escape(kept.LocalName)
                    : Identifiers.Escape(_plan.ValueTape(restore.Variable, restore.TypeName).LocalName) + ".Pop()";
                _writer.Line($"{(restore.Declares ? "var " : "")}{Identifiers.Escape(restore.Variable)} = {read};");
                break;
            case BackwardCode code:
                _writer.Line(code.Code.Text);
                break;
            case BackwardLoop loop:
                _writer.Line($"// {loop.Quote}, in reverse");
                using (_writer.Block(ReversedHeader(loop)))
                {
                    WriteBackward(loop.Body);
                }

                break;
            case BackwardBranch branch:
                _writer.Line(branch.Condition is null ? $"// {branch.Quote}, as the forward took it" : $"// {branch.Quote}");
                var condition = branch.Condition is { } again ? _renderer.Render(again) : $"{Identifiers.Escape(_plan.BranchTape(branch.Number).LocalName)}.Pop()";
                if (branch.Then.Count == 0)
                {
                    // Only the other arm has a backward (the arm that broke out of the loop has none).
                    using (_writer.Block(branch.Condition is null ? $"if (!{condition})" : $"if (!({condition}))"))
                    {
                        WriteBackward(branch.Else);
                    }

                    break;
                }

                using (_writer.Block($"if ({condition})"))
                {
                    WriteBackward(branch.Then);
                }

                if (branch.Else.Count > 0)
                {
                    using (_writer.Block("else"))
                    {
                        WriteBackward(branch.Else);
                    }
                }

                break;
            default:
                throw new System.InvalidOperationException($"The backward statement {node.GetType().Name} has no rendering.");
        }
    }

    private string ReversedHeader(BackwardLoop loop)
    {
        if (loop.Counted is { } counted)
        {
            var counter = Identifiers.Escape(counted.Variable);
            // A loop that may leave early ran up to the start plus its trips less one.
            var last = counted.Leaves ? A.Sub(loop.Start is Code { Text: "0" } ? TripsOf(loop) : A.Add(loop.Start!, TripsOf(loop)), A.Lit("1"))
                : counted.Inclusive ? loop.Bound! : A.Sub(loop.Bound!, A.Lit("1"));
            return $"for ({counted.TypeName} {counter} = {_renderer.Render(last)}; {counter} >= {_renderer.Render(loop.Start!)}; {counter}--)";
        }

        var trip = Identifiers.Fresh("trip" + loop.Number, _taken);
        return $"for (var {trip} = {_renderer.Render(TripsOf(loop))}; {trip} > 0; {trip}--)";
    }

    /// <summary>The trip count of the loop's forward run, popped from its tape.</summary>
    private Code TripsOf(BackwardLoop loop) =>
        new(Identifiers.Escape(_plan.TripTape(loop.Number).LocalName) + ".Pop()", ValueKind.Other, EquatableArray<string>.Empty, Precedence: Precedence.Primary);

    private static string Number(int number) => number.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
