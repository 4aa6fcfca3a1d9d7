using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;

namespace BackpropGen.Generator.Ir;

/// <summary>
/// An expression of the backward pass. Reads of forward values are explicit nodes, so that the cache planner can see
/// exactly what the backward needs, and the emitter decides how each is spelled.
/// </summary>
internal abstract record Adj(ValueKind Kind);

/// <summary>A local of the backward pass: the incoming <c>dout</c>, a gradient <c>dxhat</c> or a partial <c>dxmu1</c>.</summary>
internal sealed record GradRef(string Name, ValueKind Kind) : Adj(Kind);

/// <summary>A forward value the backward reads: it is kept in the cache.</summary>
internal sealed record PrimalRef(string Name, ValueKind Kind) : Adj(Kind);

/// <summary>The shape of a forward value: the cache keeps the shape, or the value when the backward reads that too.</summary>
internal sealed record ShapeRef(string Name) : Adj(ValueKind.Other);

/// <summary>The shape of a value that has no name (a sub-expression recomputed in the backward).</summary>
internal sealed record ShapeOf(Adj Value) : Adj(ValueKind.Other);

/// <summary>
/// User code replayed in the backward: a constant such as <c>1.0 / N</c> or a recomputed sub-expression.
/// <paramref name="Shape"/>, when known, is a cheaper way to its shape than computing it (<c>Log(sums)</c> has the shape
/// of <c>sums</c>).
/// </summary>
/// <paramref name="Precedence"/>, when known, spares the emitter from parsing the text to learn it.
internal sealed record Code(string Text, ValueKind Kind, EquatableArray<string> Reads, Adj? Shape = null, int? Precedence = null) : Adj(Kind);

/// <summary>A literal written by a derivative rule (<c>0.5</c>, <c>2</c>).</summary>
internal sealed record Literal(string Text, ValueKind Kind) : Adj(Kind);

/// <summary>A property of a value, such as <c>xShape.ElementCount</c>.</summary>
internal sealed record Member(Adj Target, string Name, ValueKind Kind) : Adj(Kind);

/// <summary>A method of a value, such as <c>xShape.Dimension(axis)</c>.</summary>
internal sealed record InstanceCall(Adj Target, string Name, EquatableArray<Adj> Args, ValueKind Kind) : Adj(Kind);

internal sealed record Negation(Adj Operand) : Adj(Operand.Kind);

internal sealed record Binary(char Operator, Adj Left, Adj Right, ValueKind Kind) : Adj(Kind);

/// <summary>A call of a runtime function (<see cref="RuntimeFunctions"/>) or of a called method's generated backward.</summary>
internal sealed record Call(Function Function, EquatableArray<Adj> Args, ValueKind Kind) : Adj(Kind)
{
    public bool Is(Function function) => Function == function;

    public bool Is(Function function, Function other) => Function == function || Function == other;

    public bool Is(Function function, Function other, Function third) => Function == function || Function == other || Function == third;
}

/// <summary>The small algebra the derivative rules are written in; it picks Tensor or Math functions by the operand's kind.</summary>
internal static class A
{
    public static Adj Lit(string text) => new Literal(text, ValueKind.Double);

    public static Adj Add(Adj left, Adj right) => new Binary('+', left, right, Widest(left, right));

    public static Adj Sub(Adj left, Adj right) => new Binary('-', left, right, Widest(left, right));

    public static Adj Mul(Adj left, Adj right) => new Binary('*', left, right, Widest(left, right));

    public static Adj Div(Adj left, Adj right) => new Binary('/', left, right, Widest(left, right));

    public static Adj Neg(Adj operand) => new Negation(operand);

    /// <summary>A constant factor reads best in front (<c>1.0 / N * dmu</c>), a gradient times a value with the gradient first (<c>dxhat * ivar</c>).</summary>
    public static Adj Scale(Adj gradient, Adj factor) => factor is Code or Literal ? Mul(factor, gradient) : Mul(gradient, factor);

    public static Adj Call(Function function, ValueKind kind, params Adj[] args) => new Call(function, args.ToEquatableArray(), kind);

    /// <summary><c>{buffer}.Flush()</c>: what a <c>GradientBuffer</c> has summed, as a tensor.</summary>
    public static Adj Flush(string buffer) => new InstanceCall(new GradRef(buffer, ValueKind.Other), "Flush", EquatableArray<Adj>.Empty, ValueKind.Tensor);

    /// <summary>An elementwise function of a tensor or a double: <c>Tensor.Sqrt</c> or <c>Math.Sqrt</c>.</summary>
    public static Adj Elementwise(Function function, Adj x) =>
        x.Kind == ValueKind.Tensor ? Call(function, ValueKind.Tensor, x) : Call(RuntimeFunctions.OnDoubles(function), ValueKind.Double, x);

    public static Adj Square(Adj x) => x.Kind == ValueKind.Tensor
        ? Call(RuntimeFunctions.Square, ValueKind.Tensor, x)
        : x is GradRef or PrimalRef or Literal ? Mul(x, x) : Call(RuntimeFunctions.OnDoubles(RuntimeFunctions.Pow), ValueKind.Double, x, Lit("2"));

    public static Adj Pow(Adj x, Adj p) => x.Kind == ValueKind.Tensor
        ? Call(RuntimeFunctions.Pow, ValueKind.Tensor, x, p)
        : Call(RuntimeFunctions.OnDoubles(RuntimeFunctions.Pow), ValueKind.Double, x, p);

    public static Adj Shape(Adj value) => value switch
    {
        PrimalRef primal => new ShapeRef(primal.Name),
        Code { Shape: { } known } => known,
        _ => new ShapeOf(value),
    };

    private static ValueKind Widest(Adj left, Adj right) =>
        left.Kind == ValueKind.Tensor || right.Kind == ValueKind.Tensor ? ValueKind.Tensor : ValueKind.Double;

    /// <summary>
    /// An expression with each node that <paramref name="replace"/> gives a replacement for replaced (children first
    /// otherwise). What nothing in it replaces is returned as it is, not copied.
    /// </summary>
    public static Adj Map(Adj expression, System.Func<Adj, Adj?> replace) => new Replacer(replace).Rewrite(expression);

    /// <summary>Every node of an expression, itself first, children left to right.</summary>
    public static List<Adj> Nodes(Adj expression) => NodeCollector.Of(expression);

    /// <summary>How many times a node occurs (by reference) in an expression: a gradient used twice is bound to a local first.</summary>
    public static int CountUses(Adj expression, Adj node)
    {
        var counter = new UseCounter(node);
        counter.Visit(expression);
        return counter.Uses;
    }

    private sealed class Replacer : AdjRewriter
    {
        private readonly System.Func<Adj, Adj?> _replace;

        public Replacer(System.Func<Adj, Adj?> replace) => _replace = replace;

        public override Adj Rewrite(Adj node) => _replace(node) ?? base.Rewrite(node);
    }

    private sealed class UseCounter : AdjVisitor
    {
        private readonly Adj _node;

        public UseCounter(Adj node) => _node = node;

        public int Uses { get; private set; }

        protected override void Enter(Adj node) => Uses += ReferenceEquals(node, _node) ? 1 : 0;
    }
}
