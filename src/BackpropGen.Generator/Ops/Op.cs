using System;
using System.Collections.Generic;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Ir;

namespace BackpropGen.Generator.Ops;

/// <summary>What kind of operation an op is, which decides how the planning and fusing stages treat its values.</summary>
internal enum OpCategory
{
    /// <summary>Element by element: its output has the (broadcast) shape of its tensor arguments.</summary>
    Elementwise,

    /// <summary>Reduces its input, along an <see cref="ArgRole.Axis"/> argument or, without one, to a double.</summary>
    Reduction,

    /// <summary>A matrix product: its output's shape comes from its rule's <see cref="Op.OutputShape"/>.</summary>
    Product,

    /// <summary>Moves elements without computing with them (<c>Transpose</c>, <c>Reshape</c>).</summary>
    Layout,

    /// <summary>Picks elements by index (<c>Pick</c>).</summary>
    Gather,

    /// <summary>Couples the elements along an axis (<c>Softmax</c>): its output has its input's shape, but it is not elementwise.</summary>
    AlongAxis,

    /// <summary>Slides a window over images (<c>Conv2D</c>, <c>MaxPool2D</c>): neither elementwise nor a reduction along an axis.</summary>
    Window,
}

/// <summary>What an argument is to its op.</summary>
internal enum ArgRole
{
    /// <summary>A value the op computes with: it gets a gradient when it depends on a differentiable parameter.</summary>
    Operand,

    /// <summary>The axis a reduction reduces (an <c>int</c>).</summary>
    Axis,

    /// <summary>Whether a reduction keeps the reduced axis as size 1 (a <c>bool</c>).</summary>
    KeepDims,

    /// <summary>A shape (<c>Reshape</c>'s numbers).</summary>
    Shape,

    /// <summary>Integer indices (<c>Pick</c>'s).</summary>
    Index,

    /// <summary>A setting that gets no gradient (a stride, a padding, a window's size).</summary>
    Option,

    /// <summary>
    /// A value read but never differentiated through (<c>Where</c>'s condition, which chooses between the operands;
    /// <c>StopGradient</c>'s argument, which passes as it is): it gets no gradient, even when it depends on a parameter,
    /// so the steps that compute it need none either.
    /// </summary>
    Condition,

    /// <summary>
    /// A <c>params</c> list of operands (<c>Concat</c>'s parts), the op's last argument: lowering gives each element an
    /// argument of its own, from this position on, and each is an <see cref="Operand"/>. Read through <see cref="Op.RoleAt"/>.
    /// </summary>
    Operands,
}

/// <summary>A runtime method that user code calls to apply an op: <c>Tensor.Sum</c>, <c>Math.Exp</c>.</summary>
internal enum OpOwner
{
    Tensor,
    Math,
}

/// <summary>One way user code writes an op: a method of <see cref="Owner"/> of that name (its arity is the op's argument count).</summary>
internal sealed record OpMethod(OpOwner Owner, string Name);

/// <summary>
/// What a rule sees of one operation: its arguments' values, its output, and the gradient <see cref="G"/> flowing into it.
/// </summary>
internal interface IRuleContext
{
    /// <summary>The gradient of the operation's output.</summary>
    Adj G { get; }

    /// <summary>The operation's output, as the forward computed it (rules reuse it: <c>0.5 / sqrtvar</c>).</summary>
    Adj Out { get; }

    /// <summary>The value of argument <paramref name="index"/>.</summary>
    Adj Arg(int index);

    /// <summary>
    /// The op's auxiliary forward output (<see cref="Op.Auxiliary"/>: the argmax a max pool found), as the forward kept it;
    /// for an op that declares none, an error.
    /// </summary>
    Adj Aux { get; }

    /// <summary>How many arguments the operation has, each element of an <see cref="ArgRole.Operands"/> list counted as one.</summary>
    int ArgumentCount { get; }
}

/// <summary>
/// A value an op's forward finds on its way to its output and its backward needs (the argmax of a max pool): the forward
/// calls <paramref name="Forward"/>, the runtime variant of the op that takes the same arguments and returns the tuple
/// <c>(Tensor Output, {TypeName} {Name})</c>, into the step's local and a local of its own named after the step
/// (<c>pooledArgmax</c>), which the cache keeps, or the tape records, in place of what the rule would otherwise read; the
/// rule reads it as <see cref="IRuleContext.Aux"/>. <paramref name="TypeName"/> is the value's type as code declares it.
/// </summary>
internal sealed record AuxiliaryOutput(Function Forward, string Name, string TypeName);

/// <summary>
/// The specification of one differentiable operation, which every stage reads and none restates: how user code writes
/// it, what its arguments are, its derivative, its category, and what later stages may do with it. One instance per op,
/// in <see cref="Operations"/>; stages compare ops by reference.
/// </summary>
internal sealed class Op
{
    /// <param name="name">The op's name in messages and tests.</param>
    /// <param name="category">How the planning and fusing stages treat it.</param>
    /// <param name="derivative">Its derivative, as the README's op table and the generated comments state it.</param>
    /// <param name="adjoints">
    /// Given the gradient of its output, the gradient contribution of each argument, in argument order (null where an
    /// argument has none).
    /// </param>
    /// <param name="arguments">Its arguments' roles, in the runtime signature's parameter order.</param>
    public Op(string name, OpCategory category, string derivative, Func<IRuleContext, Adj?[]> adjoints, params ArgRole[] arguments)
    {
        Name = name;
        Category = category;
        Derivative = derivative;
        Adjoints = adjoints;
        Arguments = arguments;
    }

    public string Name { get; }

    public OpCategory Category { get; }

    public string Derivative { get; }

    public Func<IRuleContext, Adj?[]> Adjoints { get; }

    public IReadOnlyList<ArgRole> Arguments { get; }

    /// <summary>The runtime methods that apply it (<c>Tensor.Exp</c>, <c>Math.Exp</c>); empty for an operator.</summary>
    public IReadOnlyList<OpMethod> Methods { get; init; } = Array.Empty<OpMethod>();

    /// <summary>An elementwise op between two tensors: its arguments' gradients are summed back to each argument's shape.</summary>
    public bool Broadcasts { get; init; }

    /// <summary>How tightly its code binds (<see cref="Common.Precedence"/>): <c>a + b</c> is additive, a call primary.</summary>
    public int Precedence { get; init; } = Common.Precedence.Primary;

    /// <summary>
    /// For a reduction along an axis: the gradient of its input left in the reduced shape, which broadcasting expands
    /// where it is used (valid when the reduced axis is 0 or kept as 1), so that no full-size tensor of repeated values
    /// is made: the seed's <c>dsq = 1. / N * np.ones((N, D)) * dvar</c> without the <c>np.ones</c>.
    /// </summary>
    public Func<IRuleContext, Adj>? Reduced { get; init; }

    /// <summary>
    /// For an op that is not elementwise, its output's shape from its arguments' shapes (in argument order), so that a
    /// backward that needs only the shape of <c>Dot(x, w) + b</c> does not compute the product again to learn it.
    /// </summary>
    public Func<IReadOnlyList<Adj>, Adj>? OutputShape { get; init; }

    /// <summary>
    /// Every argument's gradient is <c>g</c> times a value of the output's shape (<c>out * g</c>, <c>2 * g * x</c>, a
    /// mask), so a gradient still in a reduction's reduced shape comes out full-size without being expanded first.
    /// </summary>
    public bool ScalesGradient { get; init; }

    /// <summary>
    /// The op written in the backward's algebra from its arguments, for an op cheap enough to redo for every element (what
    /// a pass over memory costs anyway): a backward then recomputes a full-size value made by it rather than keep it in
    /// the cache. Null for an op that is not redone.
    /// </summary>
    public Func<IReadOnlyList<Adj>, Adj>? Recompute { get; init; }

    /// <summary>
    /// The op written on lanes from its arguments, for a forward computed in passes over the rows: every elementwise
    /// op with a lane function has one, the cheap ones (<see cref="Recompute"/>) and the others alike.
    /// </summary>
    public Func<IReadOnlyList<Adj>, Adj>? OnLanes
    {
        get => _onLanes ?? Recompute;
        init => _onLanes = value;
    }

    private readonly Func<IReadOnlyList<Adj>, Adj>? _onLanes;

    /// <summary>
    /// A value its forward finds that its rule reads (<see cref="IRuleContext.Aux"/>) rather than find it again from the
    /// arguments, which then need not be kept. Where the op is nested in a step's expression rather than the step's whole
    /// value, there is no local to keep it in, and <c>c.Aux</c> calls the variant again on the arguments.
    /// </summary>
    public AuxiliaryOutput? Auxiliary { get; init; }

    public bool IsElementwise => Category == OpCategory.Elementwise;

    /// <summary>The position of the argument with <paramref name="role"/>, or -1.</summary>
    public int PositionOf(ArgRole role)
    {
        for (var i = 0; i < Arguments.Count; i++)
        {
            if (Arguments[i] == role)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// The role of the argument at <paramref name="position"/> of an application: its parameter's, or, from the position
    /// of an <see cref="ArgRole.Operands"/> list on, <see cref="ArgRole.Operand"/> for each of the list's elements.
    /// </summary>
    public ArgRole RoleAt(int position) =>
        position >= Arguments.Count - 1 && Arguments.Count > 0 && Arguments[Arguments.Count - 1] == ArgRole.Operands ? ArgRole.Operand : Arguments[position];

    public override string ToString() => Name;
}
