using BackpropGen.Generator.Common;
using BackpropGen.Generator.Differentiate;
using BackpropGen.Generator.Ir;
using BackpropGen.Generator.Plan;

namespace BackpropGen.Generator.Fuse;

/// <summary>
/// The fused form of a backward pass: its statements regrouped into passes over the rows of the full-size tensors,
/// each pass computing a run of elementwise steps in registers and feeding the reductions that depend on them, with the
/// small statements (on reduced values and scalars) between the passes, written as in the step-by-step form.
/// </summary>
/// <param name="FullShapes">
/// Values whose shape must be the full shape for the fused form to apply (the first one defines it): the full-size
/// values the backward reads (<c>dout</c>, <c>xmu</c>) and the shapes its full-size gradients are summed to.
/// </param>
internal sealed record LoopPlan(EquatableArray<Adj> FullShapes, EquatableArray<FusedSection> Sections);

/// <summary>What the emitter writes for one method: the cache and the step-by-step backward, and the fused form if it has one.</summary>
internal sealed record MethodPlan(CachePlan Cache, LoopPlan? Loops)
{
    /// <summary>The forward in passes over the rows, when the fused backward's cache can be filled that way.</summary>
    public ForwardPlan? Forward { get; init; }
}

/// <summary>
/// The forward in passes: <paramref name="Program"/> holds its steps as statements (no dout; its outputs the returned
/// value, then each cached step), <paramref name="Loops"/> their passes, <paramref name="CacheArguments"/> how the cache
/// record is made of the outputs, and <paramref name="Prologue"/> the user's statements on the inputs that run first
/// (<c>int N = x.Shape[0];</c>).
/// </summary>
internal sealed record ForwardPlan(CachePlan Program, LoopPlan Loops, EquatableArray<CacheArgument> CacheArguments, EquatableArray<string> Prologue);

/// <summary>
/// One argument of the cache record the forward in passes builds, in field order: <paramref name="Text"/> as it is (an
/// input, its shape, the full shape), or output <paramref name="Output"/> of the passes, or with
/// <paramref name="Shape"/> that output's shape.
/// </summary>
internal sealed record CacheArgument(string? Text, int Output, bool Shape);

/// <summary>A part of the fused backward: a small statement between passes, or a pass over the rows.</summary>
internal abstract record FusedSection;

/// <summary>A statement on reduced values or scalars, emitted as the step-by-step form writes it.</summary>
internal sealed record SmallStatement(int Step, string Header, BackwardStatement Statement) : FusedSection;

/// <summary>
/// A sum of a full-size value whose factors that are constant down the rows were taken out of it
/// (<c>dmu = -(dxmu1Sum + 2 * dsq * xmuSum)</c>), so that its terms could be summed in an earlier pass: valid when each of
/// <paramref name="Factors"/> is constant along the axes that summing to <paramref name="SummedShape"/> sums over, and
/// each of <paramref name="Expansions"/> (the <c>ExpandAlong</c> calls taken off the factors) is a broadcast.
/// </summary>
internal sealed record FactoredSum(
    int Step,
    string Header,
    BackwardStatement Statement,
    EquatableArray<Adj> Factors,
    EquatableArray<Adj> Expansions,
    Adj SummedShape) : FusedSection;

/// <summary>
/// One pass over the rows: <paramref name="Reads"/> are the tensors it loads lane by lane (full-size ones row by row,
/// reduced ones broadcast down the rows), except <paramref name="Columns"/>, one value per row, which it reads once a row
/// (among them the operands of <paramref name="ExpandedColumns"/>, <c>ExpandAlong</c> calls through which alone it reads
/// a reduction's gradient that did not keep its axis); <paramref name="Body"/> computes, in step order, the full-size
/// values it needs, the rows it adds into reductions and the rows of the full-size gradients it returns.
/// </summary>
internal sealed record RowPass(
    EquatableArray<string> Reads,
    EquatableArray<PassStatement> Body,
    EquatableArray<string> Columns,
    EquatableArray<Adj> ExpandedColumns) : FusedSection;

/// <summary>A statement in a pass over the rows, in the backward block of step <paramref name="Step"/>, about the value <paramref name="Target"/>.</summary>
internal abstract record PassStatement(int Step, string Header, string Target);

/// <summary><c>var {Target} = {Value};</c> on lanes: a full-size value computed in registers and never stored.</summary>
internal sealed record LaneValue(int Step, string Header, string Target, Adj Value) : PassStatement(Step, Header, Target);

/// <summary>
/// A reduction <c>{Target} = SumTo({Value}, {TargetShape})</c> (or <c>SumProductTo</c>), with the full-size
/// <paramref name="Value"/> added row by row into an accumulator of the target's shape; with no
/// <paramref name="TargetShape"/>, the sum of all its elements as a number (<c>Sum({Value})</c>). A
/// <paramref name="Column"/> sum has one element per row (<c>SumTo(dxhat, std.Shape)</c> in LayerNorm): each row's is
/// summed in a register as the pass walks it.
/// </summary>
internal sealed record LaneSum(int Step, string Header, string Target, Adj Value, Adj? TargetShape, bool Column = false) : PassStatement(Step, Header, Target);

/// <summary>A full-size gradient the backward returns: the lanes of <paramref name="Target"/> are stored into a new tensor of the full shape.</summary>
internal sealed record LaneStore(int Step, string Header, string Target) : PassStatement(Step, Header, Target);
