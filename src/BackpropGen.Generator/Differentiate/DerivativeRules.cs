using System;
using System.Collections.Generic;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Lower;
using static BackpropGen.Generator.Differentiate.A;

namespace BackpropGen.Generator.Differentiate;

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
}

/// <summary>
/// One operation's adjoint: given the gradient of its output, the gradient contribution of each argument (in argument
/// order; null where an argument has none). <see cref="Broadcasts"/> marks elementwise ops between two tensors whose
/// argument gradients are summed back to the argument's shape.
/// </summary>
internal sealed record DerivativeRule(string Derivative, bool Broadcasts, Func<IRuleContext, Adj?[]> Adjoints)
{
    /// <summary>
    /// For a reduction along an axis: the gradient of its input left in the reduced shape, which broadcasting expands
    /// where it is used (valid when the reduced axis is 0 or kept as 1), so that no full-size tensor of repeated values
    /// is made: the seed's <c>dsq = 1. / N * np.ones((N, D)) * dvar</c> without the <c>np.ones</c>.
    /// </summary>
    public Func<IRuleContext, Adj>? Reduced { get; init; }

    /// <summary>An elementwise operation: its output has the (broadcast) shape of its tensor arguments.</summary>
    public bool Elementwise { get; init; }

    /// <summary>
    /// For an operation that is not elementwise, its output's shape from its arguments' shapes (in argument order), so
    /// that a backward that needs only the shape of <c>Dot(x, w) + b</c> does not compute the product again to learn it.
    /// </summary>
    public Func<IReadOnlyList<Adj>, Adj>? OutputShape { get; init; }

    /// <summary>
    /// Every argument's gradient is <c>g</c> times a value of the output's shape (<c>out * g</c>, <c>2 * g * x</c>, a
    /// mask), so a gradient still in a reduction's reduced shape comes out full-size without being expanded first.
    /// </summary>
    public bool ScalesGradient { get; init; }
}

/// <summary>
/// The one table of derivative rules, one entry per <see cref="OpKind"/>, in the manner of Tangent's grads.py:
/// the place to read or add an operation's derivative. g is the output's gradient, out the output.
/// </summary>
internal static class DerivativeRules
{
    public static readonly IReadOnlyDictionary<OpKind, DerivativeRule> Table = new Dictionary<OpKind, DerivativeRule>
    {
        [OpKind.Add] = new("a + b: da = g, db = g", Broadcasts: true, c => new[] { c.G, c.G }) { Elementwise = true },
        [OpKind.Subtract] = new("a - b: da = g, db = -g", Broadcasts: true, c => new[] { c.G, Neg(c.G) }) { Elementwise = true },
        [OpKind.Multiply] = new("a * b: da = g * b, db = g * a", Broadcasts: true, c => new[] { Scale(c.G, c.Arg(1)), Scale(c.G, c.Arg(0)) }) { Elementwise = true },
        [OpKind.Divide] = new(
            "a / b: da = g / b, db = -a / b² * g",
            Broadcasts: true,
            c => new[] { Div(c.G, c.Arg(1)), Mul(Div(Neg(c.Arg(0)), Square(c.Arg(1))), c.G) }) { Elementwise = true },
        [OpKind.Negate] = new("-x: dx = -g", Broadcasts: false, c => new[] { Neg(c.G) }) { Elementwise = true },
        [OpKind.SumAll] = new("Sum(x): dx = g everywhere", Broadcasts: false, c => new[] { TensorCall("Full", ValueKind.Tensor, c.G, Shape(c.Arg(0))) }),
        [OpKind.MeanAll] = new(
            "Mean(x): dx = g / x.Length everywhere",
            Broadcasts: false,
            c => new[] { TensorCall("Full", ValueKind.Tensor, Div(c.G, new Member(Shape(c.Arg(0)), "ElementCount", ValueKind.Double)), Shape(c.Arg(0))) }),
        [OpKind.Sum] = new(
            "Sum(x, axis): dx = g repeated along axis",
            Broadcasts: false,
            c => new[] { TensorCall("ExpandAlong", ValueKind.Tensor, c.G, c.Arg(1), Shape(c.Arg(0))), null, null })
        {
            Reduced = c => c.G,
        },
        [OpKind.Mean] = new(
            "Mean(x, axis): dx = g repeated along axis / x.Shape[axis]",
            Broadcasts: false,
            c => new[]
            {
                Div(TensorCall("ExpandAlong", ValueKind.Tensor, c.G, c.Arg(1), Shape(c.Arg(0))), new InstanceCall(Shape(c.Arg(0)), "Dimension", new[] { c.Arg(1) }.ToEquatableArray(), ValueKind.Double)),
                null,
                null,
            })
        {
            Reduced = c => Div(c.G, new InstanceCall(Shape(c.Arg(0)), "Dimension", new[] { c.Arg(1) }.ToEquatableArray(), ValueKind.Double)),
        },
        [OpKind.Max] = new(
            "Max(x, axis): dx = g at the (first) maximum along axis, 0 elsewhere",
            Broadcasts: false,
            c => new[] { Mul(TensorCall("MaxMask", ValueKind.Tensor, c.Arg(0), c.Arg(1)), TensorCall("ExpandAlong", ValueKind.Tensor, c.G, c.Arg(1), Shape(c.Arg(0)))), null, null }),
        [OpKind.Sqrt] = new("Sqrt(x): dx = 0.5 / out * g (reuses the forward output)", Broadcasts: false, c => new[] { Mul(Div(Lit("0.5"), c.Out), c.G) }) { Elementwise = true, ScalesGradient = true },
        [OpKind.Exp] = new("Exp(x): dx = out * g", Broadcasts: false, c => new[] { Scale(c.G, c.Out) }) { Elementwise = true, ScalesGradient = true },
        [OpKind.Log] = new("Log(x): dx = g / x", Broadcasts: false, c => new[] { Div(c.G, c.Arg(0)) }) { Elementwise = true, ScalesGradient = true },
        [OpKind.Tanh] = new("Tanh(x): dx = (1 - out²) * g", Broadcasts: false, c => new[] { Mul(Sub(Lit("1"), Square(c.Out)), c.G) }) { Elementwise = true, ScalesGradient = true },
        [OpKind.Sigmoid] = new("Sigmoid(x): dx = out * (1 - out) * g", Broadcasts: false, c => new[] { Mul(Mul(c.Out, Sub(Lit("1"), c.Out)), c.G) }) { Elementwise = true, ScalesGradient = true },
        [OpKind.Abs] = new("Abs(x): dx = sign(x) * g (0 at x = 0)", Broadcasts: false, c => new[] { Mul(Elementwise("Sign", c.Arg(0)), c.G) }) { Elementwise = true, ScalesGradient = true },
        [OpKind.Square] = new("Square(x): dx = 2 * g * x", Broadcasts: false, c => new[] { Mul(Mul(Lit("2"), c.G), c.Arg(0)) }) { Elementwise = true, ScalesGradient = true },
        [OpKind.Pow] = new(
            "Pow(x, p): dx = p * x^(p-1) * g, dp = log(x) * out * g",
            Broadcasts: false,
            c => new[] { Mul(Mul(c.Arg(1), Pow(c.Arg(0), Sub(c.Arg(1), Lit("1")))), c.G), Mul(Mul(Elementwise("Log", c.Arg(0)), c.Out), c.G) }) { Elementwise = true, ScalesGradient = true },
        [OpKind.Sin] = new("Sin(x): dx = cos(x) * g", Broadcasts: false, c => new[] { Mul(Elementwise("Cos", c.Arg(0)), c.G) }) { Elementwise = true },
        [OpKind.Cos] = new("Cos(x): dx = -sin(x) * g", Broadcasts: false, c => new[] { Mul(Neg(Elementwise("Sin", c.Arg(0))), c.G) }) { Elementwise = true },
        [OpKind.Maximum] = new(
            "Maximum(a, b): da = g where a > b, db = g where a <= b (a tie goes to b)",
            Broadcasts: true,
            c => new[] { Mul(c.G, TensorCall("Greater", ValueKind.Tensor, c.Arg(0), c.Arg(1))), Mul(c.G, TensorCall("LessOrEqual", ValueKind.Tensor, c.Arg(0), c.Arg(1))) }) { Elementwise = true, ScalesGradient = true },
        [OpKind.Minimum] = new(
            "Minimum(a, b): da = g where a < b, db = g where a >= b (a tie goes to b)",
            Broadcasts: true,
            c => new[] { Mul(c.G, TensorCall("Less", ValueKind.Tensor, c.Arg(0), c.Arg(1))), Mul(c.G, TensorCall("GreaterOrEqual", ValueKind.Tensor, c.Arg(0), c.Arg(1))) }) { Elementwise = true, ScalesGradient = true },
        [OpKind.Relu] = new("Relu(x): dx = g where x > 0 (0 at x = 0)", Broadcasts: false, c => new[] { Mul(c.G, TensorCall("Greater", ValueKind.Tensor, c.Arg(0), Lit("0.0"))) }) { Elementwise = true, ScalesGradient = true },
        [OpKind.Dot] = new(
            "Dot(a, b): da = Dot(g, bᵀ), db = Dot(aᵀ, g), each read transposed in place (no transpose is built)",
            Broadcasts: false,
            c => new[]
            {
                TensorCall("DotTransposeB", ValueKind.Tensor, c.G, c.Arg(1)),
                TensorCall("DotTransposeA", ValueKind.Tensor, c.Arg(0), c.G),
            })
        {
            OutputShape = shapes => new Call("TensorShape.OfDot", new[] { shapes[0], shapes[1] }.ToEquatableArray(), ValueKind.Other),
        },
        [OpKind.Transpose] = new("Transpose(x): dx = Transpose(g)", Broadcasts: false, c => new[] { TensorCall("Transpose", ValueKind.Tensor, c.G) }),
        [OpKind.Reshape] = new("Reshape(x, shape): dx = Reshape(g, x.Shape)", Broadcasts: false, c => new[] { TensorCall("Reshape", ValueKind.Tensor, c.G, Shape(c.Arg(0))), null }),
        [OpKind.Pick] = new("Pick(x, index): dx = g scattered to [i, index[i]], 0 elsewhere", Broadcasts: false, c => new[] { TensorCall("Unpick", ValueKind.Tensor, c.G, c.Arg(1), Shape(c.Arg(0))), null }),
    };
}
