using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Ir;
using BackpropGen.Generator.Lower;

namespace BackpropGen.Generator.Differentiate;

/// <summary>
/// Reverse-mode differentiation of a body with loops and branches, as Tapenade and Clad do it: the backward walks the
/// forward tree in reverse, a loop as a loop run backwards and a branch as the same branch, and keeps one gradient
/// accumulator <c>dv</c> per variable (<c>dW += …</c>), since a loop adds to the same gradient on every iteration.
/// <para>
/// The primal values the backward reads are the forward's own variables, rewound as the backward goes: a value written
/// over in a loop or a branch is pushed on the tape before it is overwritten, and popped back where the backward passes
/// that write; a loop's own locals are pushed at the end of each iteration and popped at the start of its reversed
/// iteration. Only what the backward reads is recorded (the to-be-recorded analysis): the sweep first places every
/// record it might need, then drops those of values nothing reads.
/// </para>
/// </summary>
internal sealed class FlowSweep : ExpressionAdjoints
{
    private readonly MethodModel _method;
    private readonly Dictionary<string, ValueKind> _kinds = new();
    private readonly Dictionary<string, string> _types = new();
    private readonly HashSet<string> _useful = new();
    private readonly Dictionary<string, Accumulator> _accumulators = new();
    private readonly HashSet<string> _overwritten = new();

    /// <summary>The buffers that the element reads of a value add their gradients into, by the value's name.</summary>
    private readonly Dictionary<string, string> _buffers = new();

    /// <summary>The useful values whose elements some step reads.</summary>
    private readonly HashSet<string> _elementRead = new();
    private readonly string _dout;
    private List<BackwardNode> _out = new();
    private int _temporaries;

    private FlowSweep(MethodModel method, IReadOnlyDictionary<int, string> auxiliaries)
        : base(auxiliaries)
    {
        _method = method;
        foreach (var parameter in method.Parameters)
        {
            Taken.Add(parameter.Name);
            _kinds[parameter.Name] = parameter.Kind;
            _types[parameter.Name] = parameter.TypeName;
        }

        foreach (var local in method.Locals)
        {
            Taken.Add(local.Name);
            _kinds[local.Name] = local.Kind;
            _types[local.Name] = local.TypeName;
        }

        _dout = Fresh("dout");
    }

    public static BackwardProgram Differentiate(MethodModel method, IReadOnlyDictionary<int, string> auxiliaries) => new FlowSweep(method, auxiliaries).Run();

    private BackwardProgram Run()
    {
        var cache = Fresh("cache");
        var steps = _method.Steps();
        FindUseful(steps);
        AddForwardEdges(steps.Where(step => _useful.Contains(step.Name)));
        foreach (var step in steps.Where(s => s.Overwrites))
        {
            _overwritten.Add(step.Name);
        }

        var returned = _method.ReturnedName;
        if (_overwritten.Contains(returned))
        {
            // The result's gradient changes as the loop that computes it is reversed: it needs an accumulator of its own.
            var name = Fresh("d" + returned);
            _out.Add(new BackwardStatement(name, new GradRef(_dout, _method.ReturnKind)));
            _accumulators[returned] = new Accumulator(name, Declared: true, Live: true);
        }
        else
        {
            _accumulators[returned] = new Accumulator(_dout, Declared: true, Live: true);
        }

        DeclareBuffers(steps);
        ReverseBlock(_method.Body);

        var outputs = new List<GradientOutput>();
        foreach (var parameter in _method.Parameters.Where(p => p.IsDifferentiable))
        {
            Flush(parameter.Name);
            string local;
            if (_accumulators.TryGetValue(parameter.Name, out var accumulator) && accumulator.Live)
            {
                local = accumulator.Name;
            }
            else
            {
                // A parameter that does not reach the result: its gradient is zero.
                local = Fresh("d" + parameter.Name);
                _out.Add(new BackwardStatement(local, Zero(parameter.Name)));
            }

            outputs.Add(new GradientOutput(parameter.Name, local, parameter.TypeName));
        }

        var (pruned, recorded, readLive) = new RecordPruner().Prune(_out);
        var (shaped, tapes, readAtStart) = ShapeRecords.Apply(_method, pruned, recorded, readLive, Fresh);
        var flow = InPlaceSums.Apply(LoopSums.Apply(shaped, Fresh), outputs, Fresh);
        var doutShape = _method.ReturnKind == ValueKind.Tensor ? new ShapeRef(returned) : null;
        return new BackwardProgram(_method, _dout, cache, doutShape, EquatableArray<BackwardBlock>.Empty, outputs.ToEquatableArray(), Edges.Distinct().ToEquatableArray())
        {
            Flow = flow,
            Tapes = tapes,
            ReadAtStart = readAtStart,
        };
    }

    /// <summary>The variables on a path to the result: the result, and each operand of a step that computes a useful variable, to a fixed point (a loop feeds its own earlier iterations).</summary>
    private void FindUseful(List<StepModel> steps)
    {
        _useful.Add(_method.ReturnedName);
        var variables = new List<string>();
        bool changed;
        do
        {
            changed = false;
            foreach (var step in steps)
            {
                if (!_useful.Contains(step.Name))
                {
                    continue;
                }

                variables.Clear();
                AddVariables(step.Value, variables);
                foreach (var variable in variables)
                {
                    changed |= _useful.Add(variable);
                }
            }
        }
        while (changed);
    }

    private void ReverseBlock(ForwardBlock block)
    {
        for (var i = block.Statements.Count - 1; i >= 0; i--)
        {
            switch (block.Statements[i])
            {
                case ForwardStep step:
                    ReverseStep(step.Step);
                    CurrentStep = null;
                    break;
                case ForwardCode code:
                    foreach (var written in code.Writes)
                    {
                        _out.Add(new BackwardRestore(written, _types[written], new RestoreSite(AtStep: false, code.Write)));
                    }

                    break;
                case ForwardLoop loop:
                    ReverseLoop(loop);
                    break;
                case ForwardBranch branch:
                    ReverseBranch(branch);
                    break;
                case ForwardJump:
                    // Its arm's reversal is empty; the branch that holds it reverses the rest of the body.
                    break;
                case var other:
                    throw new System.InvalidOperationException($"The forward statement {other.GetType().Name} has no backward.");
            }
        }
    }

    /// <summary>
    /// A step's backward: its gradient taken from the accumulator (and the accumulator cleared, for a step that writes
    /// over its variable), the old value restored, and the gradient sent through the step's expression.
    /// </summary>
    private void ReverseStep(StepModel step)
    {
        _out.Add(new BackwardHeading(step.Number, $"step {step.Number}: {step.Quote}"));
        Flush(step.Name);
        var active = _useful.Contains(step.Name) && _accumulators.TryGetValue(step.Name, out var accumulator) && accumulator.Live;
        if (!active)
        {
            // No gradient reaches it (statically zero here): only the old value is restored.
            if (step.Overwrites)
            {
                _out.Add(new BackwardRestore(step.Name, _types[step.Name], new RestoreSite(AtStep: true, step.Number)));
            }

            return;
        }

        accumulator = _accumulators[step.Name];
        CurrentStep = step.Name;
        var kind = step.Kind;
        Adj gradient = new GradRef(accumulator.Name, kind);
        var value = new PrimalRef(step.Name, kind);
        if (step.Overwrites)
        {
            var variables = new List<string>();
            AddVariables(step.Value, variables);

            // The step adds to its own variable's gradient while it still reads the gradient it was given: that gradient
            // is held in a local of its own (dh3) until the step is done.
            var held = variables.Contains(step.Name) ? Fresh(accumulator.Name + step.Number) : null;
            if (held is not null)
            {
                gradient = new GradRef(held, kind);
            }

            // The value before this step has had no gradient yet.
            _accumulators[step.Name] = accumulator with { Live = false };
            var statements = _out;
            _out = new List<BackwardNode>();
            VisitStep(step, gradient, value);
            var body = _out;
            _out = statements;
            if (held is not null && !Unhold(body, accumulator.Name, held))
            {
                _out.Add(new BackwardStatement(held, new GradRef(accumulator.Name, kind)));
            }

            // What the rule reads of the step's own result is the value before the restore.
            if (body.Any(node => Reads(node, value)))
            {
                var result = Bind(Fresh(step.Name + step.Number), new PrimalRef(step.Name, kind));
                var renamed = new GradRef(result, kind);
                body = body.Select(node => Replace(node, value, renamed)).ToList();
            }

            _out.Add(new BackwardRestore(step.Name, _types[step.Name], new RestoreSite(AtStep: true, step.Number)));
            _out.AddRange(body);
            return;
        }

        VisitStep(step, gradient, value);
    }

    private void ReverseLoop(ForwardLoop loop)
    {
        var declared = DeclaredIn(loop.Body);
        declared.UnionWith(loop.Declares);
        Materialize(Touched(loop.Body, declared));

        var outer = _out;
        _out = new List<BackwardNode>();
        var saved = SaveStates(declared);
        Forget(declared);

        // The loop's own locals as they were at the end of the iteration: the header's only for a loop that does not
        // count (a counted loop's counter is counted again), and those of the body.
        var recorded = loop.Counted is null ? loop.Declares.Concat(DeclaredAtTop(loop.Body)) : DeclaredAtTop(loop.Body);
        OpenScope(loop.Body, recorded);
        ReverseBlock(loop.Body);
        Materialize(Touched(loop.Body, declared));
        RestoreStates(saved);

        var body = _out;
        _out = outer;
        var counted = loop.Counted;
        var quote = loop.Form == LoopForm.Do ? $"do … {loop.Footer}" : loop.Header;
        _out.Add(new BackwardLoop(
            loop.Number,
            quote,
            counted,
            counted is null ? null : new Code(counted.Start, ValueKind.Other, counted.StartReads),
            counted is null or { Leaves: true } ? null : new Code(counted.Bound, ValueKind.Other, counted.BoundReads),
            body.ToEquatableArray()));
    }

    private void ReverseBranch(ForwardBranch branch)
    {
        var arms = branch.Else is { } otherwise ? new[] { branch.Then, otherwise } : new[] { branch.Then };
        var declared = new HashSet<string>(arms.SelectMany(DeclaredIn));
        Materialize(arms.SelectMany(arm => Touched(arm, declared)).Distinct().ToList());

        // The condition is evaluated again when the arms write nothing it reads; else the tape records the arm.
        var written = new HashSet<string>(arms.SelectMany(WrittenIn));
        Adj? condition = branch.Reads.Any(written.Contains) ? null : new Code(branch.Condition, ValueKind.Other, branch.Reads);
        var reversed = new List<EquatableArray<BackwardNode>>();
        foreach (var arm in arms)
        {
            var outer = _out;
            _out = new List<BackwardNode>();
            var saved = SaveStates(declared);
            Forget(declared);
            OpenScope(arm, DeclaredAtTop(arm));
            ReverseBlock(arm);
            Materialize(Touched(arm, declared));
            RestoreStates(saved);
            reversed.Add(_out.ToEquatableArray());
            _out = outer;
        }

        _out.Add(new BackwardBranch(
            branch.Number,
            $"if ({branch.Condition})",
            condition,
            reversed[0],
            reversed.Count > 1 ? reversed[1] : EquatableArray<BackwardNode>.Empty));
    }

    /// <summary>
    /// The start of a reversed block: its locals popped as they were at the block's end, and the user's code that
    /// declares non-differentiable ones, which replays cheaper than a record when nothing in the block writes what it reads.
    /// </summary>
    private void OpenScope(ForwardBlock block, IEnumerable<string> recorded)
    {
        foreach (var name in recorded.Reverse())
        {
            _out.Add(new BackwardRestore(name, _types[name], Site: null));
        }

        var written = WrittenIn(block);
        foreach (var code in block.Statements.OfType<ForwardCode>())
        {
            // Only a local the block never writes over again holds, at the block's end, what its declaration gave it.
            if (code.Declares.Count > 0 && !code.Reads.Any(written.Contains) && !code.Declares.Any(written.Contains))
            {
                _out.Add(new BackwardCode(new Code(code.Text, ValueKind.Other, code.Reads), code.Declares));
            }
        }

        foreach (var name in DeclaredAtTop(block).Where(_elementRead.Contains))
        {
            DeclareBuffer(name);
        }
    }

    /// <summary>Gives every accumulator in <paramref name="names"/> that is zero here a value, so that a loop or a branch can add to it.</summary>
    private void Materialize(IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            if (!_accumulators.TryGetValue(name, out var accumulator))
            {
                accumulator = new Accumulator(Fresh("d" + name), Declared: false, Live: false);
            }

            if (accumulator.Live)
            {
                continue;
            }

            // An accumulator a write over its variable cleared takes the shape it had: the value before the write may be
            // none (a local declared for a branch to assign), and has the same shape when there is one.
            _out.Add(accumulator.Declared
                ? new BackwardAssign(accumulator.Name, ZeroLike(accumulator.Name, name), Accumulates: false)
                : new BackwardStatement(accumulator.Name, Zero(name)));
            _accumulators[name] = accumulator with { Declared = true, Live = true };
        }
    }

    /// <summary>The accumulators a loop or an arm reads or adds to that belong to variables declared outside it.</summary>
    private List<string> Touched(ForwardBlock block, HashSet<string> declaredInside)
    {
        var touched = new List<string>();
        var variables = new List<string>();
        foreach (var step in StepsIn(block))
        {
            if (!_useful.Contains(step.Name))
            {
                continue;
            }

            // An element read adds to its value's buffer, not to its accumulator.
            variables.Clear();
            variables.Add(step.Name);
            AddVariables(step.Value, variables, IsBufferedRead);
            foreach (var variable in variables)
            {
                if (_useful.Contains(variable) && !declaredInside.Contains(variable) && !touched.Contains(variable))
                {
                    touched.Add(variable);
                }
            }
        }

        return touched;
    }

    private Dictionary<string, Accumulator?> SaveStates(HashSet<string> names) =>
        names.ToDictionary(name => name, name => _accumulators.TryGetValue(name, out var accumulator) ? accumulator : null);

    /// <summary>A block's own variables have no gradient where its reversal starts.</summary>
    private void Forget(HashSet<string> names)
    {
        foreach (var name in names)
        {
            _accumulators.Remove(name);
        }
    }

    /// <summary>A block's own accumulators are gone at its end: a sibling block that declares the same name starts afresh.</summary>
    private void RestoreStates(Dictionary<string, Accumulator?> saved)
    {
        foreach (var pair in saved)
        {
            if (pair.Value is { } accumulator)
            {
                _accumulators[pair.Key] = accumulator;
            }
            else
            {
                _accumulators.Remove(pair.Key);
            }
        }
    }

    private static IEnumerable<StepModel> StepsIn(ForwardNode node) => node switch
    {
        ForwardStep step => new[] { step.Step },
        ForwardBlock block => block.Statements.SelectMany(StepsIn),
        ForwardLoop loop => StepsIn(loop.Body),
        ForwardBranch branch => branch.Else is { } otherwise ? StepsIn(branch.Then).Concat(StepsIn(otherwise)) : StepsIn(branch.Then),
        _ => Enumerable.Empty<StepModel>(),
    };

    /// <summary>The locals a block declares at its own level (not in the loops and branches inside it), in order.</summary>
    private List<string> DeclaredAtTop(ForwardBlock block)
    {
        var names = new List<string>();
        foreach (var statement in block.Statements)
        {
            switch (statement)
            {
                case ForwardStep { Step.Overwrites: false } step:
                    names.Add(step.Step.Name);
                    if (step.Step.Value is CallExpr { CacheLocal: { } cache })
                    {
                        names.Add(cache);
                    }

                    break;
                case ForwardStep { Step.Value: CallExpr { CacheLocal: { } overwritingCache } }:
                    names.Add(overwritingCache);
                    break;
                case ForwardCode code:
                    names.AddRange(code.Declares);
                    break;
            }

            // A step's forward declares the local of its op's auxiliary output, after its own: a local of the block it is in.
            if (statement is ForwardStep { Step.Number: var number } && Auxiliaries.TryGetValue(number, out var auxiliary))
            {
                names.Add(auxiliary);
            }
        }

        return names;
    }

    /// <summary>Every local declared anywhere in a block, its loops and branches included.</summary>
    private HashSet<string> DeclaredIn(ForwardBlock block)
    {
        var names = new HashSet<string>(DeclaredAtTop(block));
        foreach (var statement in block.Statements)
        {
            switch (statement)
            {
                case ForwardLoop loop:
                    names.UnionWith(loop.Declares);
                    names.UnionWith(DeclaredIn(loop.Body));
                    break;
                case ForwardBranch branch:
                    names.UnionWith(DeclaredIn(branch.Then));
                    if (branch.Else is { } otherwise)
                    {
                        names.UnionWith(DeclaredIn(otherwise));
                    }

                    break;
            }
        }

        return names;
    }

    /// <summary>The variables declared outside a block that it writes over, anywhere in it.</summary>
    private static HashSet<string> WrittenIn(ForwardBlock block)
    {
        var names = new HashSet<string>();
        foreach (var statement in block.Statements)
        {
            switch (statement)
            {
                case ForwardStep { Step.Overwrites: true } step:
                    names.Add(step.Step.Name);
                    break;
                case ForwardCode code:
                    names.UnionWith(code.Writes);
                    break;
                case ForwardLoop loop:
                    names.UnionWith(WrittenIn(loop.Body));
                    names.UnionWith(loop.Declares);
                    break;
                case ForwardBranch branch:
                    names.UnionWith(WrittenIn(branch.Then));
                    if (branch.Else is { } otherwise)
                    {
                        names.UnionWith(WrittenIn(otherwise));
                    }

                    break;
            }
        }

        return names;
    }

    private Adj Zero(string name) => _kinds[name] == ValueKind.Tensor
        ? A.Call(RuntimeFunctions.Zeros, ValueKind.Tensor, new ShapeRef(name))
        : new Literal("0.0", ValueKind.Double);

    /// <summary>
    /// Spares a step the local that holds its gradient when it need not be held: the gradient passed through unchanged
    /// to the old value (<c>logS = logS + drift</c>, whose <c>dlogS</c> stays as it is) leaves the accumulator as it was, and
    /// a gradient read only before the accumulator is next written is read from the accumulator itself. Returns whether
    /// <paramref name="held"/> is gone from <paramref name="body"/>.
    /// </summary>
    private static bool Unhold(List<BackwardNode> body, string accumulator, string held)
    {
        var first = body.FindIndex(node => Writes(node, accumulator));
        var passed = first >= 0 && body[first] is BackwardAssign { Accumulates: false, Value: GradRef { Name: var name } } && name == held;
        if (passed)
        {
            // dh = dh3, with dh3 = dh: nothing to do.
            body.RemoveAt(first);
        }

        // The statement that next writes the accumulator reads it first; any after it would read the new value.
        var next = body.FindIndex(node => Writes(node, accumulator));
        for (var i = next + 1; next >= 0 && i < body.Count; i++)
        {
            if (ReadsGradient(body[i], held))
            {
                if (passed)
                {
                    body.Insert(first, new BackwardAssign(accumulator, new GradRef(held, ValueKind.Other), Accumulates: false));
                }

                return false;
            }
        }

        for (var i = 0; i < body.Count; i++)
        {
            body[i] = RenameGradient(body[i], held, accumulator);
        }

        return true;
    }

    private static bool Writes(BackwardNode node, string name) =>
        node is BackwardAssign assign && assign.Target == name || node is BackwardStatement statement && statement.Targets.Contains(name);

    private static bool ReadsGradient(BackwardNode node, string name) =>
        BackwardFlow.Expressions(new[] { node }).Any(expression => A.Nodes(expression).Any(n => n is GradRef gradient && gradient.Name == name));

    private static BackwardNode RenameGradient(BackwardNode node, string from, string to) =>
        Map(node, n => n is GradRef gradient && gradient.Name == from ? gradient with { Name = to } : null);

    /// <summary>A statement with the nodes of its expressions that <paramref name="replace"/> gives a replacement for replaced.</summary>
    private static BackwardNode Map(BackwardNode node, System.Func<Adj, Adj?> replace) => node switch
    {
        BackwardStatement statement => statement with { Value = A.Map(statement.Value, replace) },
        BackwardAssign assign => assign with { Value = A.Map(assign.Value, replace) },
        BackwardElementAdd add => add with { Index = A.Map(add.Index, replace), Value = A.Map(add.Value, replace) },
        _ => node,
    };

    private Adj ZeroLike(string accumulator, string name) => _kinds[name] == ValueKind.Tensor
        ? A.Call(RuntimeFunctions.Zeros, ValueKind.Tensor, new ShapeOf(new GradRef(accumulator, ValueKind.Tensor)))
        : new Literal("0.0", ValueKind.Double);

    private static bool Reads(BackwardNode node, Adj value) =>
        BackwardFlow.Expressions(new[] { node }).Any(expression => A.CountUses(expression, value) > 0);

    private static BackwardNode Replace(BackwardNode node, Adj value, Adj replacement) =>
        Map(node, n => ReferenceEquals(n, value) ? replacement : null);

    /// <summary>
    /// A buffer for each value whose elements the steps read (<c>x[i, j]</c>): its reads add into the buffer in place, and
    /// the sum joins the value's gradient where the value's own step is reversed, or at the end. A method-level value's
    /// buffer is made here; a local of a loop or an arm gets its buffer where its reversed block starts (once per reversed
    /// iteration), so that reads in a loop inside its block add in place rather than one tensor per read.
    /// </summary>
    private void DeclareBuffers(List<StepModel> steps)
    {
        foreach (var step in steps)
        {
            foreach (var read in ElementReads(step.Value))
            {
                if (read.Args[0] is VarExpr { Name: var name } && _useful.Contains(name))
                {
                    _elementRead.Add(name);
                }
            }
        }

        var methodLevel = _method.Parameters.Select(p => p.Name).Concat(_method.Locals.Where(l => l.Depth == 0).Select(l => l.Name));
        foreach (var name in methodLevel.Where(_elementRead.Contains))
        {
            DeclareBuffer(name);
        }
    }

    private void DeclareBuffer(string name)
    {
        var buffer = Fresh("d" + name + "Elements");
        _buffers[name] = buffer;
        _out.Add(new BackwardStatement(buffer, A.Call(RuntimeFunctions.GradientBufferZeros, ValueKind.Other, new ShapeRef(name))));
    }

    private bool IsBufferedRead(OpExpr op) => op.Op == Ops.Operations.Element && op.Args[0] is VarExpr { Name: var name } && _elementRead.Contains(name);

    private static IEnumerable<OpExpr> ElementReads(Expr expression) => expression switch
    {
        OpExpr { Op: var op } read when op == Ops.Operations.Element => new[] { read }.Concat(read.Args.SelectMany(ElementReads)),
        OpExpr op => op.Args.SelectMany(ElementReads),
        CallExpr call => call.Args.SelectMany(ElementReads),
        _ => Enumerable.Empty<OpExpr>(),
    };

    /// <summary>Adds what the element reads of a value put in its buffer to the value's gradient.</summary>
    private void Flush(string name)
    {
        if (_buffers.TryGetValue(name, out var buffer))
        {
            Contribute(name, A.Flush(buffer));
        }
    }

    protected override void Contribute(string name, Adj gradient, bool reduced = false)
    {
        if (gradient is Call read && read.Is(RuntimeFunctions.ElementGradient) && _buffers.TryGetValue(name, out var elements))
        {
            AddGradientEdge(name, elements);
            _out.Add(new BackwardElementAdd(elements, read.Args[2], read.Args[0]));
            return;
        }

        if (reduced)
        {
            gradient = A.Call(RuntimeFunctions.BroadcastTo, ValueKind.Tensor, gradient, new ShapeRef(name));
        }

        if (!_accumulators.TryGetValue(name, out var accumulator))
        {
            accumulator = new Accumulator(Fresh("d" + name), Declared: false, Live: false);
        }

        if (accumulator.Live)
        {
            _out.Add(new BackwardAssign(accumulator.Name, gradient, Accumulates: true));
        }
        else if (accumulator.Declared)
        {
            _out.Add(new BackwardAssign(accumulator.Name, gradient, Accumulates: false));
        }
        else
        {
            _out.Add(new BackwardStatement(accumulator.Name, gradient));
        }

        AddGradientEdge(name, accumulator.Name);
        _accumulators[name] = accumulator with { Declared = true, Live = true };
    }

    protected override string Bind(string name, Adj value)
    {
        _out.Add(new BackwardStatement(name, value));
        return name;
    }

    protected override string TemporaryName() => Fresh("dtmp" + ++_temporaries);

    protected override string TupleTarget(string name) => TemporaryName();

    protected override void Received(List<(string Variable, string Target)> received)
    {
        foreach (var (variable, target) in received)
        {
            Contribute(variable, new GradRef(target, _kinds[variable]));
        }
    }

    protected override void Add(BackwardStatement statement) => _out.Add(statement);

    /// <summary>
    /// The gradient of a variable as the sweep has it at this point: its local's name, whether the local is declared,
    /// and whether it holds a gradient (a variable nothing has added to yet has none: its gradient is zero).
    /// </summary>
    private sealed record Accumulator(string Name, bool Declared, bool Live);
}
