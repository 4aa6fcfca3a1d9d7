using System.Collections.Generic;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Ir;
using static BackpropGen.Generator.Ir.A;

namespace BackpropGen.Generator.Ops;

/// <summary>
/// The differentiable operations, one entry each, in the manner of Tangent's grads.py: the one place to read or add an
/// operation (docs/adding-an-op.md). In the rules, g is the output's gradient and out the output.
/// </summary>
internal static class Operations
{
    public static readonly Op Add = new("Add", OpCategory.Elementwise, "a + b: da = g, db = g", c => new[] { c.G, c.G }, ArgRole.Operand, ArgRole.Operand)
    {
        Broadcasts = true,
        Precedence = Precedence.Additive,
        Recompute = args => A.Add(args[0], args[1]),
    };

    public static readonly Op Subtract = new("Subtract", OpCategory.Elementwise, "a - b: da = g, db = -g", c => new[] { c.G, Neg(c.G) }, ArgRole.Operand, ArgRole.Operand)
    {
        Broadcasts = true,
        Precedence = Precedence.Additive,
        Recompute = args => Sub(args[0], args[1]),
    };

    public static readonly Op Multiply = new(
        "Multiply", OpCategory.Elementwise, "a * b: da = g * b, db = g * a", c => new[] { Scale(c.G, c.Arg(1)), Scale(c.G, c.Arg(0)) }, ArgRole.Operand, ArgRole.Operand)
    {
        Broadcasts = true,
        Precedence = Precedence.Multiplicative,
        Recompute = args => Mul(args[0], args[1]),
    };

    public static readonly Op Divide = new(
        "Divide",
        OpCategory.Elementwise,
        "a / b: da = g / b, db = -a / b² * g",
        c => new[] { Div(c.G, c.Arg(1)), Mul(Div(Neg(c.Arg(0)), A.Square(c.Arg(1))), c.G) },
        ArgRole.Operand,
        ArgRole.Operand)
    {
        Broadcasts = true,
        Precedence = Precedence.Multiplicative,
        Recompute = args => Div(args[0], args[1]),
    };

    public static readonly Op Negate = new("Negate", OpCategory.Elementwise, "-x: dx = -g", c => new[] { Neg(c.G) }, ArgRole.Operand)
    {
        Precedence = Precedence.Unary,
        Recompute = args => Neg(args[0]),
    };

    public static readonly Op SumAll = new(
        "SumAll", OpCategory.Reduction, "Sum(x): dx = g everywhere", c => new[] { A.Call(RuntimeFunctions.Full, ValueKind.Tensor, c.G, Shape(c.Arg(0))) }, ArgRole.Operand)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "Sum") },
    };

    public static readonly Op MeanAll = new(
        "MeanAll",
        OpCategory.Reduction,
        "Mean(x): dx = g / x.Length everywhere",
        c => new[] { A.Call(RuntimeFunctions.Full, ValueKind.Tensor, Div(c.G, new Member(Shape(c.Arg(0)), "ElementCount", ValueKind.Double)), Shape(c.Arg(0))) },
        ArgRole.Operand)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "Mean") },
    };

    public static readonly Op Sum = new(
        "Sum",
        OpCategory.Reduction,
        "Sum(x, axis): dx = g repeated along axis",
        c => new[] { A.Call(RuntimeFunctions.ExpandAlong, ValueKind.Tensor, c.G, c.Arg(1), Shape(c.Arg(0))), null, null },
        ArgRole.Operand,
        ArgRole.Axis,
        ArgRole.KeepDims)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "Sum") },
        Reduced = c => c.G,
    };

    public static readonly Op Mean = new(
        "Mean",
        OpCategory.Reduction,
        "Mean(x, axis): dx = g repeated along axis / x.Shape[axis]",
        c => new[] { Div(A.Call(RuntimeFunctions.ExpandAlong, ValueKind.Tensor, c.G, c.Arg(1), Shape(c.Arg(0))), LengthAlong(c)), null, null },
        ArgRole.Operand,
        ArgRole.Axis,
        ArgRole.KeepDims)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "Mean") },
        Reduced = c => Div(c.G, LengthAlong(c)),
    };

    public static readonly Op Max = Extreme("Max", "Max(x, axis): dx = g at the (first) maximum along axis, 0 elsewhere", RuntimeFunctions.MaxMask);

    public static readonly Op Min = Extreme("Min", "Min(x, axis): dx = g at the (first) minimum along axis, 0 elsewhere", RuntimeFunctions.MinMask);

    public static readonly Op MaxAll = ExtremeOfAll("MaxAll", "Max", "Max(x): dx = g at the (first) maximum, 0 elsewhere", RuntimeFunctions.MaxMask);

    public static readonly Op MinAll = ExtremeOfAll("MinAll", "Min", "Min(x): dx = g at the (first) minimum, 0 elsewhere", RuntimeFunctions.MinMask);

    public static readonly Op Sqrt = Unary("Sqrt", "Sqrt(x): dx = 0.5 / out * g (reuses the forward output)", c => Mul(Div(Lit("0.5"), c.Out), c.G), scalesGradient: true);

    public static readonly Op Exp = Unary("Exp", "Exp(x): dx = out * g", c => Scale(c.G, c.Out), scalesGradient: true);

    public static readonly Op Log = Unary("Log", "Log(x): dx = g / x", c => Div(c.G, c.Arg(0)), scalesGradient: true);

    public static readonly Op Tanh = Unary("Tanh", "Tanh(x): dx = (1 - out²) * g", c => Mul(Sub(Lit("1"), A.Square(c.Out)), c.G), scalesGradient: true);

    public static readonly Op Sigmoid = Unary("Sigmoid", "Sigmoid(x): dx = out * (1 - out) * g", c => Mul(Mul(c.Out, Sub(Lit("1"), c.Out)), c.G), scalesGradient: true, onDoubles: false);

    public static readonly Op Abs = Unary("Abs", "Abs(x): dx = sign(x) * g (0 at x = 0)", c => Mul(Elementwise(RuntimeFunctions.Sign, c.Arg(0)), c.G), scalesGradient: true);

    public static readonly Op Square = Unary("Square", "Square(x): dx = 2 * g * x", c => Mul(Mul(Lit("2"), c.G), c.Arg(0)), scalesGradient: true, onDoubles: false, recompute: args => A.Square(args[0]));

    public static readonly Op Pow = new(
        "Pow",
        OpCategory.Elementwise,
        "Pow(x, p): dx = p * x^(p-1) * g, dp = log(x) * out * g",
        c => new[] { Mul(Mul(c.Arg(1), A.Pow(c.Arg(0), Sub(c.Arg(1), Lit("1")))), c.G), Mul(Mul(Elementwise(RuntimeFunctions.Log, c.Arg(0)), c.Out), c.G) },
        ArgRole.Operand,
        ArgRole.Operand)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "Pow"), new OpMethod(OpOwner.Math, "Pow") },
        ScalesGradient = true,
    };

    public static readonly Op Sin = Unary("Sin", "Sin(x): dx = cos(x) * g", c => Mul(Elementwise(RuntimeFunctions.Cos, c.Arg(0)), c.G), scalesGradient: true);

    public static readonly Op Cos = Unary("Cos", "Cos(x): dx = -sin(x) * g", c => Mul(Neg(Elementwise(RuntimeFunctions.Sin, c.Arg(0))), c.G), scalesGradient: true);

    public static readonly Op Maximum = Selection(
        "Maximum",
        "Max",
        "Maximum(a, b): da = g where a > b, db = g where a <= b (a tie goes to b)",
        (RuntimeFunctions.Greater, RuntimeFunctions.GreaterOfDoubles),
        (RuntimeFunctions.LessOrEqual, RuntimeFunctions.LessOrEqualOfDoubles));

    public static readonly Op Minimum = Selection(
        "Minimum",
        "Min",
        "Minimum(a, b): da = g where a < b, db = g where a >= b (a tie goes to b)",
        (RuntimeFunctions.Less, RuntimeFunctions.LessOfDoubles),
        (RuntimeFunctions.GreaterOrEqual, RuntimeFunctions.GreaterOrEqualOfDoubles));

    /// <summary>
    /// Clip(x, min, max) is Minimum(Maximum(x, min), max), as NumPy computes it; each element's gradient goes to the one
    /// argument its output came from, with the bounds passing it to x, as PyTorch's clamp does.
    /// </summary>
    public static readonly Op Clip = new(
        "Clip",
        OpCategory.Elementwise,
        "Clip(x, min, max): dx = g where min <= x <= max (the bounds pass g to x, as PyTorch's clamp), dmin = g where x < min <= max, dmax = g where x > max or min > max",
        c => new[]
        {
            Mul(c.G, A.Call(RuntimeFunctions.Within, ValueKind.Tensor, c.Arg(0), c.Arg(1), c.Arg(2))),
            Mul(c.G, Mul(A.Call(RuntimeFunctions.Less, ValueKind.Tensor, c.Arg(0), c.Arg(1)), A.Call(RuntimeFunctions.LessOrEqualOfDoubles, ValueKind.Double, c.Arg(1), c.Arg(2)))),
            Mul(c.G, A.Call(RuntimeFunctions.Greater, ValueKind.Tensor, A.Call(RuntimeFunctions.Maximum, ValueKind.Tensor, c.Arg(0), c.Arg(1)), c.Arg(2))),
        },
        ArgRole.Operand,
        ArgRole.Operand,
        ArgRole.Operand)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "Clip") },
        ScalesGradient = true,
    };

    /// <summary>
    /// Where(condition, a, b): the condition only chooses, so it gets no gradient (its derivative is 0 wherever it
    /// exists). Not <see cref="Op.ScalesGradient"/>: the masks have the condition's shape, which may be smaller than the output's.
    /// </summary>
    public static readonly Op Where = new(
        "Where",
        OpCategory.Elementwise,
        "Where(condition, a, b): da = g where condition != 0, db = g where condition == 0, no gradient for condition",
        c => new[]
        {
            null,
            Mul(c.G, A.Call(RuntimeFunctions.NotEqual, ValueKind.Tensor, c.Arg(0), Lit("0.0"))),
            Mul(c.G, A.Call(RuntimeFunctions.Equal, ValueKind.Tensor, c.Arg(0), Lit("0.0"))),
        },
        ArgRole.Condition,
        ArgRole.Operand,
        ArgRole.Operand)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "Where") },
        Broadcasts = true,
    };

    /// <summary>
    /// StopGradient(x): the value passes and no gradient flows back. Its argument is a <see cref="ArgRole.Condition"/>,
    /// read but never differentiated, so the steps that compute it only for this get no backward either.
    /// </summary>
    public static readonly Op StopGradient = new(
        "StopGradient", OpCategory.Elementwise, "StopGradient(x): no gradient flows back to x (its value passes)", c => new Adj?[] { null }, ArgRole.Condition)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "StopGradient") },
        Recompute = args => args[0],
    };

    /// <summary>
    /// Relu's rule reads its output: out &gt; 0 exactly where x &gt; 0, and the output is usually kept anyway (the next
    /// step reads it), so the backward never computes the argument again (in a dense layer,
    /// <c>Relu(Dot(x, w) + b)</c>'s matrix product).
    /// </summary>
    public static readonly Op Relu = new(
        "Relu", OpCategory.Elementwise, "Relu(x): dx = g where out > 0, which is where x > 0 (0 at x = 0; reuses the forward output)", c => new[] { Mul(c.G, A.Call(RuntimeFunctions.Greater, ValueKind.Tensor, c.Out, Lit("0.0"))) }, ArgRole.Operand)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "Relu") },
        ScalesGradient = true,
    };

    public static readonly Op Dot = new(
        "Dot",
        OpCategory.Product,
        "Dot(a, b): da = Dot(g, bᵀ), db = Dot(aᵀ, g), each read transposed in place (no transpose is built)",
        c => new[] { A.Call(RuntimeFunctions.DotTransposeB, ValueKind.Tensor, c.G, c.Arg(1)), A.Call(RuntimeFunctions.DotTransposeA, ValueKind.Tensor, c.Arg(0), c.G) },
        ArgRole.Operand,
        ArgRole.Operand)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "Dot") },
        OutputShape = shapes => A.Call(RuntimeFunctions.ShapeOfDot, ValueKind.Other, shapes[0], shapes[1]),
    };

    public static readonly Op MatMul = new(
        "MatMul",
        OpCategory.Product,
        "MatMul(a, b): da = g · bᵀ, db = aᵀ · g, batch by batch, each summed over the batch axes its operand was broadcast along",
        c => new[] { A.Call(RuntimeFunctions.MatMulGradientA, ValueKind.Tensor, c.G, c.Arg(1), Shape(c.Arg(0))), A.Call(RuntimeFunctions.MatMulGradientB, ValueKind.Tensor, c.Arg(0), c.G, Shape(c.Arg(1))) },
        ArgRole.Operand,
        ArgRole.Operand)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "MatMul") },
        OutputShape = shapes => A.Call(RuntimeFunctions.ShapeOfMatMul, ValueKind.Other, shapes[0], shapes[1]),
    };

    public static readonly Op Conv2D = new(
        "Conv2D",
        OpCategory.Window,
        "Conv2D(x, w, stride, padding): dx = the transposed convolution of g with w, dw = g correlated with x's patches",
        c => new[]
        {
            A.Call(RuntimeFunctions.Conv2DBackwardInput, ValueKind.Tensor, c.G, c.Arg(1), Shape(c.Arg(0)), c.Arg(2), c.Arg(3)),
            A.Call(RuntimeFunctions.Conv2DBackwardFilter, ValueKind.Tensor, c.G, c.Arg(0), Shape(c.Arg(1)), c.Arg(2), c.Arg(3)),
            null,
            null,
        },
        ArgRole.Operand,
        ArgRole.Operand,
        ArgRole.Option,
        ArgRole.Option)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "Conv2D") },
    };

    public static readonly Op MaxPool2D = new(
        "MaxPool2D",
        OpCategory.Window,
        "MaxPool2D(x, size, stride): dx = g at each window's (first) maximum, 0 elsewhere (from the argmax the forward found)",
        c => new[] { A.Call(RuntimeFunctions.MaxPool2DBackward, ValueKind.Tensor, c.G, c.Aux), null, null },
        ArgRole.Operand,
        ArgRole.Option,
        ArgRole.Option)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "MaxPool2D") },
        Auxiliary = new AuxiliaryOutput(RuntimeFunctions.MaxPool2DWithArgmax, "Argmax", "global::BackpropGen.MaxPoolArgmax"),
    };

    public static readonly Op AvgPool2D = new(
        "AvgPool2D",
        OpCategory.Window,
        "AvgPool2D(x, size, stride): dx = g / size² spread over each window",
        c => new[] { A.Call(RuntimeFunctions.AvgPool2DBackward, ValueKind.Tensor, c.G, Shape(c.Arg(0)), c.Arg(1), c.Arg(2)), null, null },
        ArgRole.Operand,
        ArgRole.Option,
        ArgRole.Option)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "AvgPool2D") },
    };

    public static readonly Op Softmax = new(
        "Softmax",
        OpCategory.AlongAxis,
        "Softmax(x, axis): dx = out * (g - Sum(g * out, axis, keepDims: true)) (reuses the forward output)",
        c => new[] { Mul(c.Out, Sub(c.G, A.Call(RuntimeFunctions.SumAlong, ValueKind.Tensor, Mul(c.G, c.Out), c.Arg(1), Lit("true")))), null },
        ArgRole.Operand,
        ArgRole.Axis)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "Softmax") },
        OutputShape = shapes => shapes[0],
    };

    public static readonly Op LogSoftmax = new(
        "LogSoftmax",
        OpCategory.AlongAxis,
        "LogSoftmax(x, axis): dx = g - Exp(out) * Sum(g, axis, keepDims: true) (reuses the forward output)",
        c => new[] { Sub(c.G, Mul(A.Call(RuntimeFunctions.Exp, ValueKind.Tensor, c.Out), A.Call(RuntimeFunctions.SumAlong, ValueKind.Tensor, c.G, c.Arg(1), Lit("true")))), null },
        ArgRole.Operand,
        ArgRole.Axis)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "LogSoftmax") },
        OutputShape = shapes => shapes[0],
    };

    public static readonly Op LogSumExp = new(
        "LogSumExp",
        OpCategory.Reduction,
        "LogSumExp(x, axis): dx = g repeated along axis * Exp(x - out repeated along axis)",
        c => new[]
        {
            Mul(
                A.Call(RuntimeFunctions.ExpandAlong, ValueKind.Tensor, c.G, c.Arg(1), Shape(c.Arg(0))),
                A.Call(RuntimeFunctions.Exp, ValueKind.Tensor, Sub(c.Arg(0), A.Call(RuntimeFunctions.ExpandAlong, ValueKind.Tensor, c.Out, c.Arg(1), Shape(c.Arg(0)))))),
            null,
            null,
        },
        ArgRole.Operand,
        ArgRole.Axis,
        ArgRole.KeepDims)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "LogSumExp") },
    };

    public static readonly Op Transpose = new("Transpose", OpCategory.Layout, "Transpose(x): dx = Transpose(g)", c => new[] { A.Call(RuntimeFunctions.Transpose, ValueKind.Tensor, c.G) }, ArgRole.Operand)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "Transpose") },
    };

    /// <summary>Any permutation of the axes (NumPy's <c>transpose(x, axes)</c>): the gradient's axes are put back by the inverse one.</summary>
    public static readonly Op TransposeAxes = new(
        "TransposeAxes",
        OpCategory.Layout,
        "Transpose(x, axes): dx = Transpose(g, the inverse permutation of axes)",
        c => new[] { A.Call(RuntimeFunctions.Untranspose, ValueKind.Tensor, c.G, c.Arg(1)), null },
        ArgRole.Operand,
        ArgRole.Option)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "Transpose") },
    };

    public static readonly Op Reshape = new(
        "Reshape", OpCategory.Layout, "Reshape(x, shape): dx = Reshape(g, x.Shape)", c => new[] { A.Call(RuntimeFunctions.Reshape, ValueKind.Tensor, c.G, Shape(c.Arg(0))), null }, ArgRole.Operand, ArgRole.Shape)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "Reshape") },
    };

    /// <summary>A run along an axis (PyTorch's <c>narrow</c>): its gradient is put back in the slice's place, the rest of x getting 0.</summary>
    public static readonly Op Slice = new(
        "Slice",
        OpCategory.Layout,
        "Slice(x, axis, start, length): dx = g in the slice's place, 0 elsewhere",
        c => new[] { A.Call(RuntimeFunctions.Unslice, ValueKind.Tensor, c.G, c.Arg(1), c.Arg(2), Shape(c.Arg(0))), null, null, null },
        ArgRole.Operand,
        ArgRole.Axis,
        ArgRole.Option,
        ArgRole.Option)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "Slice") },
    };

    /// <summary>
    /// An element read <c>x[i, j]</c> of a tensor, a double: written with the indexer, so it has no method. Its gradient
    /// is <paramref name="g"/> at the element, which a backward with loops adds into a buffer in place.
    /// </summary>
    public static readonly Op Element = new(
        "Element",
        OpCategory.Gather,
        "x[i, j]: dx[i, j] += g",
        c => new[] { A.Call(RuntimeFunctions.ElementGradient, ValueKind.Tensor, c.G, Shape(c.Arg(0)), c.Arg(1)), null },
        ArgRole.Operand,
        ArgRole.Index);

    public static readonly Op Pick = new(
        "Pick",
        OpCategory.Gather,
        "Pick(x, index): dx = g scattered to [i, index[i]], 0 elsewhere",
        c => new[] { A.Call(RuntimeFunctions.Unpick, ValueKind.Tensor, c.G, c.Arg(1), Shape(c.Arg(0))), null },
        ArgRole.Operand,
        ArgRole.Index)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "Pick") },
    };

    /// <summary>
    /// NumPy's <c>take</c> along an axis (embedding rows, gathers): an index taken twice sends both gradients to one slab,
    /// so its gradient is a scatter-add, not a scatter.
    /// </summary>
    public static readonly Op Take = new(
        "Take",
        OpCategory.Gather,
        "Take(x, indices, axis): dx = g added at the indices along axis, 0 elsewhere (a repeated index gets the sum)",
        c => new[] { A.Call(RuntimeFunctions.Untake, ValueKind.Tensor, c.G, c.Arg(1), c.Arg(2), Shape(c.Arg(0))), null, null },
        ArgRole.Operand,
        ArgRole.Index,
        ArgRole.Axis)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "Take") },
    };

    /// <summary>
    /// NumPy's <c>concatenate</c> of a list of parts: each part's gradient is its run of g along the axis, which starts
    /// where the parts before it end, their sizes read from the cached shapes.
    /// </summary>
    public static readonly Op Concat = new(
        "Concat",
        OpCategory.Layout,
        "Concat(axis, parts): dx = Slice(g, axis, the parts' sizes before x along axis, x's size along axis) for each part x",
        c =>
        {
            Adj offset = Lit("0");
            return EachPart(c, i =>
            {
                var size = new InstanceCall(Shape(c.Arg(i + 1)), "Dimension", new[] { c.Arg(0) }.ToEquatableArray(), ValueKind.Double);
                var gradient = A.Call(RuntimeFunctions.Slice, ValueKind.Tensor, c.G, c.Arg(0), offset, size);
                offset = i == 0 ? size : A.Add(offset, size);
                return gradient;
            });
        },
        ArgRole.Axis,
        ArgRole.Operands)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "Concat") },
    };

    /// <summary>NumPy's <c>stack</c> of a list of parts along a new axis: part i's gradient is g's slab i along it.</summary>
    public static readonly Op Stack = new(
        "Stack",
        OpCategory.Layout,
        "Stack(axis, parts): dx = g at index i along axis, the axis removed, for the i-th part x",
        c => EachPart(c, i => A.Call(RuntimeFunctions.Unstack, ValueKind.Tensor, c.G, c.Arg(0), Lit(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))),
        ArgRole.Axis,
        ArgRole.Operands)
    {
        Methods = new[] { new OpMethod(OpOwner.Tensor, "Stack") },
    };

    /// <summary>Every op, in the order of this file.</summary>
    public static readonly IReadOnlyList<Op> All = new[]
    {
        Add, Subtract, Multiply, Divide, Negate, SumAll, MeanAll, Sum, Mean, Max, Min, MaxAll, MinAll, Sqrt, Exp, Log, Tanh, Sigmoid, Abs, Square,
        Pow, Sin, Cos, Maximum, Minimum, Clip, Where, StopGradient, Relu, Dot, MatMul, Conv2D, MaxPool2D, AvgPool2D, Softmax, LogSoftmax, LogSumExp, Transpose, TransposeAxes,
        Reshape, Slice, Element, Pick, Take, Concat, Stack,
    };

    private static readonly Dictionary<(OpOwner, string, int), Op> ByMethod = IndexByMethod();

    /// <summary>The op that a call of <paramref name="owner"/>'s method <paramref name="name"/> with <paramref name="arity"/> parameters applies, or null.</summary>
    public static Op? Find(OpOwner owner, string name, int arity) => ByMethod.TryGetValue((owner, name, arity), out var op) ? op : null;

    private static Dictionary<(OpOwner, string, int), Op> IndexByMethod()
    {
        var index = new Dictionary<(OpOwner, string, int), Op>();
        foreach (var op in All)
        {
            foreach (var method in op.Methods)
            {
                // Two ops written the same way would make the table ambiguous: fail at once, in every test.
                index.Add((method.Owner, method.Name, op.Arguments.Count), op);
            }
        }

        return index;
    }

    /// <summary>An elementwise function of one argument, a method of Tensor and (<paramref name="onDoubles"/>) of Math.</summary>
    private static Op Unary(
        string name,
        string derivative,
        System.Func<IRuleContext, Adj> adjoint,
        bool scalesGradient,
        bool onDoubles = true,
        System.Func<IReadOnlyList<Adj>, Adj>? recompute = null) =>
        new(name, OpCategory.Elementwise, derivative, c => new[] { adjoint(c) }, ArgRole.Operand)
        {
            Methods = onDoubles ? new[] { new OpMethod(OpOwner.Tensor, name), new OpMethod(OpOwner.Math, name) } : new[] { new OpMethod(OpOwner.Tensor, name) },
            ScalesGradient = scalesGradient,
            Recompute = recompute,
            OnLanes = recompute ?? (args => A.Elementwise(RuntimeFunctions.OnLanes(name), args[0])),
        };

    /// <summary>
    /// An elementwise choice between two values, a method of Tensor and, on doubles, of Math (<paramref name="mathName"/>):
    /// each argument's gradient is g where its mask selects it, a mask of tensors or, when both are doubles, of doubles.
    /// </summary>
    private static Op Selection(string name, string mathName, string derivative, (Function OnTensors, Function OnDoubles) selectsA, (Function OnTensors, Function OnDoubles) selectsB) =>
        new(
            name,
            OpCategory.Elementwise,
            derivative,
            c => new[] { Mul(c.G, Mask(selectsA, c.Arg(0), c.Arg(1))), Mul(c.G, Mask(selectsB, c.Arg(0), c.Arg(1))) },
            ArgRole.Operand,
            ArgRole.Operand)
        {
            Methods = new[] { new OpMethod(OpOwner.Tensor, name), new OpMethod(OpOwner.Math, mathName) },
            Broadcasts = true,
            ScalesGradient = true,
        };

    private static Adj Mask((Function OnTensors, Function OnDoubles) comparison, Adj a, Adj b) =>
        a.Kind == ValueKind.Double && b.Kind == ValueKind.Double
            ? A.Call(comparison.OnDoubles, ValueKind.Double, a, b)
            : A.Call(comparison.OnTensors, ValueKind.Tensor, a, b);

    /// <summary>The largest or smallest element along an axis: the gradient goes to the first one, as <paramref name="mask"/> marks it.</summary>
    private static Op Extreme(string name, string derivative, Function mask) =>
        new(
            name,
            OpCategory.Reduction,
            derivative,
            c => new[]
            {
                Mul(A.Call(mask, ValueKind.Tensor, c.Arg(0), c.Arg(1)), A.Call(RuntimeFunctions.ExpandAlong, ValueKind.Tensor, c.G, c.Arg(1), Shape(c.Arg(0)))),
                null,
                null,
            },
            ArgRole.Operand,
            ArgRole.Axis,
            ArgRole.KeepDims)
        {
            Methods = new[] { new OpMethod(OpOwner.Tensor, name) },
        };

    /// <summary>The largest or smallest of all elements, a double: the gradient goes to the first one, as <paramref name="mask"/> marks it.</summary>
    private static Op ExtremeOfAll(string name, string method, string derivative, Function mask) =>
        new(name, OpCategory.Reduction, derivative, c => new[] { Scale(c.G, A.Call(mask, ValueKind.Tensor, c.Arg(0))) }, ArgRole.Operand)
        {
            Methods = new[] { new OpMethod(OpOwner.Tensor, method) },
        };

    /// <summary>
    /// The gradients of an op whose axis comes before a list of parts (Concat's, Stack's): none for the axis, and
    /// <paramref name="gradientOf"/> part i's, asked for the parts in order.
    /// </summary>
    private static Adj?[] EachPart(IRuleContext c, System.Func<int, Adj> gradientOf)
    {
        var gradients = new Adj?[c.ArgumentCount];
        for (var i = 1; i < gradients.Length; i++)
        {
            gradients[i] = gradientOf(i - 1);
        }

        return gradients;
    }

    private static Adj LengthAlong(IRuleContext c) => new InstanceCall(Shape(c.Arg(0)), "Dimension", new[] { c.Arg(1) }.ToEquatableArray(), ValueKind.Double);
}
