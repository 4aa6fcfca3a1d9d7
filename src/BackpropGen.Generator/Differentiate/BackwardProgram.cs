using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Ir;
using BackpropGen.Generator.Lower;

namespace BackpropGen.Generator.Differentiate;

/// <summary>
/// One statement of the backward pass: <c>var {Target} = {Value};</c>, or with several targets the deconstruction
/// <c>var (dx, dW, _) = …;</c> of a called method's gradients (<c>_</c> where no gradient is wanted).
/// </summary>
internal sealed record BackwardStatement(EquatableArray<string> Targets, Adj Value) : BackwardNode
{
    public BackwardStatement(string target, Adj value)
        : this(new[] { target }.ToEquatableArray(), value)
    {
    }
}

/// <summary>
/// A statement of a backward that walks loops and branches (<see cref="BackwardProgram.Flow"/>): a declaration
/// (<see cref="BackwardStatement"/>), an assignment or accumulation, a step's heading, a restore from the tape, replayed
/// user code, a reversed loop or a branch.
/// </summary>
internal abstract record BackwardNode;

/// <summary><c>{Target} = {Value};</c>, or with <paramref name="Accumulates"/> <c>{Target} += {Value};</c>.</summary>
internal sealed record BackwardAssign(string Target, Adj Value, bool Accumulates) : BackwardNode;

/// <summary><c>{Buffer}[{Index}] += {Value};</c>: an element read's gradient added in place (<c>GradientBuffer</c>).</summary>
internal sealed record BackwardElementAdd(string Buffer, Adj Index, Adj Value) : BackwardNode;

/// <summary>
/// <c>{Buffer}.{Method}({Args});</c>: a whole gradient added in place to a <c>GradientBuffer</c> (see
/// <see cref="InPlaceSums"/>), <c>Add(g)</c>, or a product added without being made first (<c>AddDotTransposeA(a, b)</c>).
/// </summary>
internal sealed record BackwardBufferAdd(string Buffer, string Method, EquatableArray<Adj> Args) : BackwardNode;

/// <summary>The heading of forward step <paramref name="Step"/>'s statements, which quotes the step and marks its number.</summary>
internal sealed record BackwardHeading(int Step, string Header) : BackwardNode;

/// <summary>
/// <c>{Variable} = {tape}.Pop();</c>: the value <paramref name="Variable"/> had before the forward wrote over it at
/// <paramref name="Site"/>, or (no site: declaring it) its value at the end of the loop body or arm that declares it.
/// </summary>
internal sealed record BackwardRestore(string Variable, string TypeName, RestoreSite? Site) : BackwardNode
{
    public bool Declares => Site is null;
}

/// <summary>Where the forward writes over a value: at step <paramref name="Number"/>, or (not <paramref name="AtStep"/>) at the code statement that is write <paramref name="Number"/> (<see cref="ForwardCode.Write"/>).</summary>
internal sealed record RestoreSite(bool AtStep, int Number);

/// <summary>A write over <paramref name="Value"/> at <paramref name="Site"/>, before which the forward records the old value.</summary>
internal sealed record RestoredWrite(TapedValue Value, RestoreSite Site);

/// <summary>A statement of the forward that declares <paramref name="Declares"/>, replayed as the user wrote it (<c>double zk = z[k];</c>): cheaper than a record.</summary>
internal sealed record BackwardCode(Code Code, EquatableArray<string> Declares) : BackwardNode;

/// <summary>
/// A loop run in reverse: counted down again when the forward loop is <paramref name="Counted"/> (its start and bound
/// read as <paramref name="Start"/> and <paramref name="Bound"/>; no bound for one that leaves early, counted down from
/// its trip count), else as many times as the tape says it ran.
/// <paramref name="Quote"/> is the forward loop's header.
/// </summary>
internal sealed record BackwardLoop(int Number, string Quote, CountedLoop? Counted, Adj? Start, Adj? Bound, EquatableArray<BackwardNode> Body) : BackwardNode;

/// <summary>
/// A branch reversed: the arm that ran in the forward, by its <paramref name="Condition"/> evaluated again, or (null) as
/// the tape recorded it.
/// </summary>
internal sealed record BackwardBranch(int Number, string Quote, Adj? Condition, EquatableArray<BackwardNode> Then, EquatableArray<BackwardNode> Else) : BackwardNode;

/// <summary>
/// What the forward of a method with loops and branches records for its backward: the variables whose old values it
/// pushes before writing over them, the values of each loop body's or arm's own locals at its end
/// (<paramref name="Scopes"/>), the loops whose trip counts it records and the branches whose arms it records.
/// </summary>
internal sealed record TapePlan(
    EquatableArray<RestoredWrite> Restored,
    EquatableArray<ScopeRecord> Scopes,
    EquatableArray<int> TripCounts,
    EquatableArray<int> Branches)
{
    public static readonly TapePlan None = new(EquatableArray<RestoredWrite>.Empty, EquatableArray<ScopeRecord>.Empty, EquatableArray<int>.Empty, EquatableArray<int>.Empty);
}

/// <summary>
/// A variable the tape records, and its type. With <paramref name="ShapeOf"/>, the variable is the backward's local for
/// the shape of that tensor, which the forward records in its place (<see cref="ShapeRecords"/>).
/// </summary>
internal sealed record TapedValue(string Name, string TypeName, string? ShapeOf = null)
{
    /// <summary>The forward variable whose writes and block ends record it.</summary>
    public string Source => ShapeOf ?? Name;

    /// <summary>What the forward pushes: the variable, or its shape.</summary>
    public string Pushed => ShapeOf is null ? Identifiers.Escape(Name) : Identifiers.Escape(ShapeOf) + ".Shape";
}

/// <summary>
/// The locals of a loop's body or a branch's arm recorded at its end, in the order they are pushed. <paramref name="Scope"/>
/// names the block: <see cref="LoopScope"/> or <see cref="ArmScope"/>.
/// </summary>
internal sealed record ScopeRecord(string Scope, EquatableArray<TapedValue> Values)
{
    public static string LoopScope(int loop) => "loop " + loop;

    public static string ArmScope(int branch, bool then) => "branch " + branch + (then ? " then" : " else");
}

/// <summary>The backward block of forward step <paramref name="Step"/> (or of step 0), headed by the quoted step.</summary>
internal sealed record BackwardBlock(int Step, string Header, EquatableArray<BackwardStatement> Statements);

/// <summary>The gradient returned for one differentiable parameter.</summary>
internal sealed record GradientOutput(string ParameterName, string LocalName, string TypeName);

/// <summary>
/// An edge of the computational graph: a forward value feeding a step (<paramref name="Label"/> empty), or a gradient
/// (<paramref name="IsGradient"/>) sent back from a step to a value it read, labelled with the partial's name.
/// </summary>
internal sealed record GraphEdge(string From, string To, string Label, bool IsGradient);

/// <summary>
/// The differentiated method: its blocks in reverse step order, ending with step 0, what it returns, and its graph
/// (forward and gradient edges between the active values). <paramref name="DoutShape"/> is the shape <c>dout</c> must
/// have, checked before the first block (null for a <c>double</c> result): one of another shape would broadcast through
/// the steps into a plausible wrong gradient. A method with loops or branches has no blocks: its backward is the
/// statement tree <paramref name="Flow"/>, with the records of <paramref name="Tapes"/>.
/// </summary>
internal sealed record BackwardProgram(
    MethodModel Method,
    string DoutName,
    string CacheName,
    Adj? DoutShape,
    EquatableArray<BackwardBlock> Blocks,
    EquatableArray<GradientOutput> Outputs,
    EquatableArray<GraphEdge> Edges)
{
    /// <summary>The backward of a method with loops or branches, which walks them in reverse (empty for a straight-line method).</summary>
    public EquatableArray<BackwardNode> Flow { get; init; } = EquatableArray<BackwardNode>.Empty;

    /// <summary>The forward values <see cref="Flow"/> reads as the forward left them, which the cache keeps.</summary>
    public EquatableArray<string> ReadAtStart { get; init; } = EquatableArray<string>.Empty;

    /// <summary>What the forward records for <see cref="Flow"/>.</summary>
    public TapePlan Tapes { get; init; } = TapePlan.None;

    /// <summary>Whether the backward walks loops or branches (<see cref="Flow"/>).</summary>
    public bool HasFlow => Flow.Count > 0;

    /// <summary>Whether the program reads a gradient of the result: every backward; not a forward in passes, whose <see cref="DoutName"/> is empty.</summary>
    public bool ReadsDout => DoutName.Length > 0;

    /// <summary>The names a generated backward already uses: parameters, locals, gradients, <c>dout</c> and <c>cache</c>.</summary>
    /// <remarks>A list, so that a set made of it is sized once.</remarks>
    public List<string> NamesInUse()
    {
        var names = new List<string>(Method.Parameters.Count + Method.Locals.Count + 32);
        foreach (var parameter in Method.Parameters)
        {
            names.Add(parameter.Name);
        }

        foreach (var local in Method.Locals)
        {
            names.Add(local.Name);
        }

        foreach (var block in Blocks)
        {
            foreach (var statement in block.Statements)
            {
                foreach (var target in statement.Targets)
                {
                    names.Add(target);
                }
            }
        }

        AddTargets(Flow, names);
        names.Add(DoutName);
        names.Add(CacheName);
        return names;
    }

    private static void AddTargets(EquatableArray<BackwardNode> nodes, List<string> names)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case BackwardStatement statement:
                    names.AddRange(statement.Targets);
                    break;
                case BackwardLoop loop:
                    AddTargets(loop.Body, names);
                    break;
                case BackwardBranch branch:
                    AddTargets(branch.Then, names);
                    AddTargets(branch.Else, names);
                    break;
            }
        }
    }
}

/// <summary>Walks of a backward's statement tree.</summary>
internal static class BackwardFlow
{
    /// <summary>Every expression the statements read, in order: values, loop bounds, conditions and (<paramref name="withCode"/>) replayed code.</summary>
    public static IEnumerable<Adj> Expressions(IEnumerable<BackwardNode> nodes, bool withCode = true)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case BackwardStatement statement:
                    yield return statement.Value;
                    break;
                case BackwardAssign assign:
                    yield return assign.Value;
                    break;
                case BackwardElementAdd add:
                    yield return add.Index;
                    yield return add.Value;
                    break;
                case BackwardBufferAdd add:
                    foreach (var argument in add.Args)
                    {
                        yield return argument;
                    }

                    break;
                case BackwardCode code when withCode:
                    yield return code.Code;
                    break;
                case BackwardLoop loop:
                    if (loop.Start is { } start)
                    {
                        yield return start;
                    }

                    if (loop.Bound is { } bound)
                    {
                        yield return bound;
                    }

                    foreach (var expression in Expressions(loop.Body, withCode))
                    {
                        yield return expression;
                    }

                    break;
                case BackwardBranch branch:
                    if (branch.Condition is { } condition)
                    {
                        yield return condition;
                    }

                    foreach (var expression in Expressions(branch.Then, withCode).Concat(Expressions(branch.Else, withCode)))
                    {
                        yield return expression;
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// The statements with every expression they read rewritten by <paramref name="expression"/> (as
    /// <see cref="Expressions"/> lists them), and then each statement by <paramref name="statement"/>; loops and branches
    /// keep their shape, their bodies mapped the same way.
    /// </summary>
    public static EquatableArray<BackwardNode> Map(EquatableArray<BackwardNode> nodes, System.Func<Adj, Adj> expression, System.Func<BackwardNode, BackwardNode> statement) =>
        nodes.Select(node => statement(node switch
        {
            BackwardStatement assignment => assignment with { Value = expression(assignment.Value) },
            BackwardAssign assign => assign with { Value = expression(assign.Value) },
            BackwardElementAdd add => add with { Index = expression(add.Index), Value = expression(add.Value) },
            BackwardBufferAdd add => add with { Args = add.Args.Select(expression).ToEquatableArray() },
            BackwardCode code => code with { Code = (Code)expression(code.Code) },
            BackwardLoop loop => loop with
            {
                Start = loop.Start is { } start ? expression(start) : null,
                Bound = loop.Bound is { } bound ? expression(bound) : null,
                Body = Map(loop.Body, expression, statement),
            },
            BackwardBranch branch => branch with
            {
                Condition = branch.Condition is { } condition ? expression(condition) : null,
                Then = Map(branch.Then, expression, statement),
                Else = Map(branch.Else, expression, statement),
            },
            _ => node,
        })).ToEquatableArray();

    /// <summary>Every statement of the tree, those inside loops and branches after the loop or branch itself.</summary>
    public static IEnumerable<BackwardNode> Nodes(IEnumerable<BackwardNode> nodes)
    {
        foreach (var node in nodes)
        {
            yield return node;
            var inner = node switch
            {
                BackwardLoop loop => loop.Body,
                BackwardBranch branch => branch.Then.Concat(branch.Else),
                _ => Enumerable.Empty<BackwardNode>(),
            };
            foreach (var nested in Nodes(inner))
            {
                yield return nested;
            }
        }
    }
}

/// <summary>
/// Collects the gradients expressions read; with <paramref name="ofReplayedCode"/>, also the names replayed code reads
/// (<see cref="Code.Reads"/>).
/// </summary>
internal sealed class GradientReads(HashSet<string> names, bool ofReplayedCode) : AdjVisitor
{
    protected override void VisitGradRef(GradRef node) => names.Add(node.Name);

    protected override void VisitCode(Code node)
    {
        if (ofReplayedCode)
        {
            names.UnionWith(node.Reads);
        }

        base.VisitCode(node);
    }
}
