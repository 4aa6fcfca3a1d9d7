using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Discover;
using BackpropGen.Generator.Ops;

namespace BackpropGen.Generator.Lower;

/// <summary>A node of a step's right-hand side.</summary>
internal abstract record Expr(ValueKind Kind);

/// <summary>A reference to a value that depends on a differentiable parameter: a parameter or an earlier step.</summary>
internal sealed record VarExpr(string Name, ValueKind Kind) : Expr(Kind);

/// <summary>
/// A sub-expression that depends on no differentiable value (<c>1.0 / N</c>, <c>eps</c>, <c>axis: 0</c>):
/// it has no gradient and is emitted as the user wrote it. <paramref name="Reads"/> names the locals and parameters it reads;
/// <paramref name="Precedence"/>, read off its syntax, tells the emitter when it needs parentheses.
/// </summary>
internal sealed record ConstExpr(string Text, ValueKind Kind, EquatableArray<string> Reads, int? Precedence = null) : Expr(Kind);

/// <summary>
/// One differentiable operation applied to its arguments, in the runtime signature's parameter order. Ops are compared
/// by reference: each is one entry of <see cref="Operations"/>.
/// </summary>
internal sealed record OpExpr(Op Op, ValueKind Kind, EquatableArray<Expr> Args, string Text, EquatableArray<string> Reads) : Expr(Kind)
{
    /// <summary>The argument with <paramref name="role"/>, or null when the op has none.</summary>
    public Expr? ArgumentWith(ArgRole role) => Op.PositionOf(role) is var position and >= 0 ? Args[position] : null;
}

/// <summary>A parameter of a called <c>[Differentiable]</c> method, as its generated backward sees it.</summary>
internal sealed record CalleeParameter(string Name, ValueKind Kind, bool IsDifferentiable);

/// <summary>How the backward of a called method gets what it reads.</summary>
internal enum CallLink
{
    /// <summary>From the callee's cache, which the caller's forward keeps (a generated backward, or a <c>[CustomDerivative]</c>'s).</summary>
    Cache,

    /// <summary>From the call's arguments, which the caller keeps (a <c>[DerivativeOf]</c> backward of another library's method).</summary>
    Arguments,

    /// <summary>
    /// From the callee's forward run again on the call's arguments, which the caller keeps (a <c>[Checkpoint]</c>
    /// method's): the caller's forward calls the method itself and keeps no cache of it.
    /// </summary>
    Recomputed,
}

/// <summary>
/// A step that calls a method whose derivative is a backward method (SPEC §1, §8): another <c>[Differentiable]</c>
/// method, a <c>[CustomDerivative]</c> one, or another library's method with a <c>[DerivativeOf]</c> backward.
/// Linked by <see cref="CallLink.Cache"/>, the forward runs the callee's forward and keeps its cache in the local
/// <paramref name="CacheLocal"/>, and the backward calls <see cref="BackwardName"/> with that cache; otherwise there is
/// no cache local, and the forward is the call as written. <paramref name="ContainingType"/> is the type the backward
/// is called on, fully qualified; <paramref name="Args"/> has one entry per callee parameter, in parameter order.
/// </summary>
internal sealed record CallExpr(
    string ContainingType,
    string Method,
    string? CacheLocal,
    EquatableArray<CalleeParameter> Parameters,
    ValueKind Kind,
    EquatableArray<Expr> Args,
    string Text,
    EquatableArray<string> Reads) : Expr(Kind)
{
    public CallLink Link { get; init; } = CallLink.Cache;

    /// <summary>The backward method's name: <c>MBackward</c>, or the <c>[DerivativeOf]</c> method's own.</summary>
    public string BackwardName { get; init; } = GeneratedNames.Backward(Method);

    /// <summary>Whether a person wrote the backward: the gradients it returns are checked to have their arguments' shapes.</summary>
    public bool HandWritten { get; init; }
}

/// <summary>A parameter of the differentiable method.</summary>
internal sealed record ParameterModel(string Name, string TypeName, ValueKind Kind, bool IsDifferentiable);

/// <summary>
/// A local of the method body: a step's result or a non-differentiable helper value such as <c>N</c>. <paramref name="Depth"/>
/// is how deeply the loops and branches that declare it are nested (0 in the method's own body).
/// </summary>
internal sealed record LocalModel(string Name, string TypeName, ValueKind Kind, int Depth = 0);

/// <summary>
/// A numbered step: one statement computing a value that depends on a differentiable parameter.
/// <paramref name="Quote"/> is how comments quote it (<c>out = gammax + beta</c>). A step that <paramref name="Overwrites"/>
/// assigns a local declared outside the loop or branch it is in (<c>h = Tanh(Dot(h, w) + x);</c> inside a loop): the
/// value it replaces is gone after it, so the backward restores it from the tape when it reads it.
/// </summary>
internal sealed record StepModel(int Number, string Name, ValueKind Kind, Expr Value, string Quote, bool Overwrites = false);

/// <summary>
/// A statement of the forward body's tree: a block, a step, or code kept as the user wrote it. Emission renders the
/// tree; the later stages read its steps in order (<see cref="MethodModel.Steps"/>).
/// </summary>
internal abstract record ForwardNode;

/// <summary>Statements in order.</summary>
internal sealed record ForwardBlock(EquatableArray<ForwardNode> Statements) : ForwardNode;

/// <summary>
/// A statement that depends on no differentiable value (<c>int N = x.Shape[0];</c>), kept as the user wrote it: the
/// locals it <paramref name="Declares"/>, those declared outside its loop or branch that it <paramref name="Writes"/>
/// over (<c>t += dt;</c>), and what it <paramref name="Reads"/>, which the backward of a loop needs to replay or restore it.
/// A statement that writes over a value is numbered (<paramref name="Write"/>, from 1), so that the tape can say which
/// write it records the old value at.
/// </summary>
internal sealed record ForwardCode(string Text, EquatableArray<string> Declares = default, EquatableArray<string> Writes = default, EquatableArray<string> Reads = default, int Write = 0) : ForwardNode;

/// <summary>
/// <c>break;</c> or (not <paramref name="Breaks"/>) <c>continue;</c>, the last statement of a block in a loop's body: the
/// statements after the branches it is in are lowered into their arms that do not jump, so the backward reverses only what ran.
/// </summary>
internal sealed record ForwardJump(bool Breaks) : ForwardNode;

/// <summary>How a loop runs: a <c>for</c>, a <c>foreach</c>, a <c>while</c> or a <c>do</c>.</summary>
internal enum LoopForm
{
    For,
    Foreach,
    While,
    Do,
}

/// <summary>
/// A <c>for</c> loop that counts <paramref name="Variable"/> up by one from <paramref name="Start"/> while it is below
/// (or, <paramref name="Inclusive"/>, not above) <paramref name="Bound"/>, whose body changes neither the counter nor
/// what the bounds read: the backward runs it down again without a record of its trip count. One that
/// <paramref name="Leaves"/> early (by a <c>break</c> or a <c>return</c> in it) records its trip count, and the backward
/// counts down from the last counter it ran, the start plus the trips less one, rather than record each counter: its
/// bound is not read again.
/// </summary>
internal sealed record CountedLoop(string Variable, string TypeName, string Start, string Bound, bool Inclusive, EquatableArray<string> StartReads, EquatableArray<string> BoundReads, bool Leaves = false);

/// <summary>
/// A loop, numbered from 1 in the order loops start. <paramref name="Header"/> is its code before the body
/// (<c>for (int t = 0; t < T; t++)</c>, <c>while (err > tol)</c>, or <c>do</c>, whose <paramref name="Footer"/> is
/// <c>while (…);</c>); <paramref name="Declares"/> are the locals its header declares. A loop that is not
/// <paramref name="Counted"/> records its trip count.
/// </summary>
internal sealed record ForwardLoop(
    int Number,
    LoopForm Form,
    string Header,
    string Footer,
    EquatableArray<string> Declares,
    CountedLoop? Counted,
    ForwardBlock Body) : ForwardNode;

/// <summary>
/// An <c>if</c>, numbered from 1 in the order branches start: the arm that runs is chosen by <paramref name="Condition"/>,
/// which reads <paramref name="Reads"/> and carries no gradient.
/// </summary>
internal sealed record ForwardBranch(int Number, string Condition, EquatableArray<string> Reads, ForwardBlock Then, ForwardBlock? Else) : ForwardNode;

/// <summary>A step, and its forward code (the user's statement, or the callee's forward and cache for a call).</summary>
internal sealed record ForwardStep(StepModel Step, string Text) : ForwardNode;

/// <summary>The lowered method: everything later stages need, and nothing that holds on to a compilation.</summary>
internal sealed record MethodModel(
    string Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    EquatableArray<string> FileUsings,
    EquatableArray<string> NamespaceUsings,
    string Accessibility,
    string Name,
    string ReturnTypeName,
    ValueKind ReturnKind,
    EquatableArray<ParameterModel> Parameters,
    EquatableArray<LocalModel> Locals,
    ForwardBlock Body,
    string ReturnedName,
    string Key,
    string HintName)
{
    /// <summary>The steps, in the order the forward computes them.</summary>
    public List<StepModel> Steps()
    {
        var steps = new List<StepModel>();
        AddSteps(Body, steps);
        return steps;
    }

    /// <summary>Whether the body has a loop or a branch, which the backward walks in reverse with a tape.</summary>
    public bool HasControlFlow() => Body.Statements.Any(IsControlFlow);

    private static bool IsControlFlow(ForwardNode node) => node is ForwardLoop or ForwardBranch || node is ForwardBlock block && block.Statements.Any(IsControlFlow);

    /// <summary>The statements of the body before its first step, which read only the inputs (<c>int N = x.Shape[0];</c>).</summary>
    public IEnumerable<ForwardCode> Lead() => Body.Statements.TakeWhile(statement => statement is ForwardCode).Cast<ForwardCode>();

    private static void AddSteps(ForwardNode node, List<StepModel> steps)
    {
        switch (node)
        {
            case ForwardStep step:
                steps.Add(step.Step);
                break;
            case ForwardBlock block:
                foreach (var statement in block.Statements)
                {
                    AddSteps(statement, steps);
                }

                break;
            case ForwardLoop loop:
                AddSteps(loop.Body, steps);
                break;
            case ForwardBranch branch:
                AddSteps(branch.Then, steps);
                if (branch.Else is { } otherwise)
                {
                    AddSteps(otherwise, steps);
                }

                break;
        }
    }
}

/// <summary>
/// One <c>[Differentiable]</c> method of the compilation as the call graph sees it: its <paramref name="Key"/> (its
/// documentation id), the file name its code would get, whether it lowered without errors, and the keys of the
/// <c>[Differentiable]</c> methods it calls.
/// </summary>
internal sealed record MethodLink(string Key, string Name, string HintName, bool Lowered, EquatableArray<string> Callees);

/// <summary>A call of a <c>[Differentiable]</c> method in a body: the callee's documentation id and name, and where.</summary>
internal sealed record CallSite(string CalleeKey, string CalleeName, LocationInfo? Location);

/// <summary>
/// The outcome of discovering and lowering one <c>[Differentiable]</c> method: the method (null when it has errors),
/// the diagnostics, its place in the call graph (null when it is not even a method that could be generated) and the
/// calls of <c>[Differentiable]</c> methods it makes, for the analyzer to report at.
/// </summary>
internal sealed record LoweringResult(MethodModel? Method, EquatableArray<DiagnosticInfo> Diagnostics, MethodLink? Link, EquatableArray<CallSite> Calls)
{
    /// <summary>The exception BackpropGen itself threw while lowering the method, if it did (reported as BPG0099).</summary>
    public string? Failure { get; init; }

    public LoweringResult(MethodModel? method, EquatableArray<DiagnosticInfo> diagnostics)
        : this(method, diagnostics, null, EquatableArray<CallSite>.Empty)
    {
    }
}

/// <summary>What lowering a body gives: the method (null when the body has errors), the body's diagnostics, and its calls of <c>[Differentiable]</c> methods.</summary>
internal sealed record LoweredBody(MethodModel? Method, EquatableArray<DiagnosticInfo> Diagnostics, EquatableArray<CallSite> Calls);
