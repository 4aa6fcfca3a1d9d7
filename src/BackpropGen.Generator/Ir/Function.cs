namespace BackpropGen.Generator.Ir;

/// <summary>How a runtime function is computed on the lanes of a fused pass (the elements <c>j … j + Lane.Count</c> of a row).</summary>
internal enum LaneForm
{
    /// <summary>It has no lane form: a backward that calls it on a full-size value is not fused.</summary>
    None,

    /// <summary><c>Lane.F(…)</c>: the runtime's <c>Lane</c> has a function of the same name and arguments.</summary>
    Function,

    /// <summary>A function of doubles (<c>Math.Exp</c>), written as it is: in a pass it is computed once, not per lane.</summary>
    Scalar,

    /// <summary>On the lanes of its result it is its first argument's lanes: a sum to, or broadcast to, the full shape sums nothing.</summary>
    FirstArgument,

    /// <summary>On the lanes of its result it is the product of its first two arguments' lanes (<c>SumProductTo(a, b, shape)</c>).</summary>
    ProductOfFirstTwo,

    /// <summary>Zero in every lane.</summary>
    Zero,
}

/// <summary>
/// A function that backward code calls: one of the runtime's (<see cref="RuntimeFunctions"/>) or a called method's
/// generated backward. <paramref name="Owner"/> is the type it is called on, as emitted; <paramref name="ShapedAsLast"/>
/// tells that its result has the shape of its last argument (<c>SumTo(g, shape)</c>, <c>Full(v, shape)</c>), so that a
/// full-size value read in it reads as its lanes. <paramref name="AddedInPlaceBy"/> names the <c>GradientBuffer</c> method
/// that adds its result to a buffer without making it first (<c>AddDotTransposeA</c>), where it has one.
/// </summary>
internal sealed record Function(string Owner, string Name, LaneForm Lane, bool ShapedAsLast = false, string? AddedInPlaceBy = null)
{
    /// <summary>How code calls it: <c>global::BackpropGen.Tensor.SumTo</c>.</summary>
    public string Qualified => Owner + "." + Name;
}

/// <summary>
/// The runtime functions the derivative rules and the later stages call, each once, with its lane form. Stages compare
/// against these entries, never against names, so a function a stage does not know cannot be mistaken for one it does.
/// </summary>
internal static class RuntimeFunctions
{
    private const string Tensor = "global::BackpropGen.Tensor";
    private const string TensorShape = "global::BackpropGen.TensorShape";
    private const string Math = "global::System.Math";

    // Elementwise functions of tensors, computed on lanes by the runtime's Lane.
    public static readonly Function Square = OnLanes("Square");
    public static readonly Function Sqrt = OnLanes("Sqrt");
    public static readonly Function Exp = OnLanes("Exp");
    public static readonly Function Log = OnLanes("Log");
    public static readonly Function Tanh = OnLanes("Tanh");
    public static readonly Function Sigmoid = OnLanes("Sigmoid");
    public static readonly Function Abs = OnLanes("Abs");
    public static readonly Function Sign = OnLanes("Sign");
    public static readonly Function Sin = OnLanes("Sin");
    public static readonly Function Cos = OnLanes("Cos");
    public static readonly Function Pow = OnLanes("Pow");
    public static readonly Function Relu = OnLanes("Relu");
    public static readonly Function Maximum = OnLanes("Maximum");
    public static readonly Function Minimum = OnLanes("Minimum");
    public static readonly Function Greater = OnLanes("Greater");
    public static readonly Function Less = OnLanes("Less");
    public static readonly Function GreaterOrEqual = OnLanes("GreaterOrEqual");
    public static readonly Function LessOrEqual = OnLanes("LessOrEqual");
    public static readonly Function Equal = OnLanes("Equal");
    public static readonly Function NotEqual = OnLanes("NotEqual");
    public static readonly Function Within = OnLanes("Within");

    // The comparison masks of two doubles (Math.Max's and Math.Min's), 1.0 or 0.0: functions of doubles, once per pass.
    public static readonly Function GreaterOfDoubles = OfDoubles("Greater");
    public static readonly Function LessOfDoubles = OfDoubles("Less");
    public static readonly Function GreaterOrEqualOfDoubles = OfDoubles("GreaterOrEqual");
    public static readonly Function LessOrEqualOfDoubles = OfDoubles("LessOrEqual");

    /// <summary><c>SumTo(g, shape)</c>: a gradient that flowed through a broadcast, summed back to its argument's shape.</summary>
    public static readonly Function SumTo = new(Tensor, "SumTo", LaneForm.FirstArgument, ShapedAsLast: true, AddedInPlaceBy: "AddSumTo");

    /// <summary><c>SumProductTo(a, b, shape)</c>: <c>SumTo(a * b, shape)</c> without the product's tensor.</summary>
    public static readonly Function SumProductTo = new(Tensor, "SumProductTo", LaneForm.ProductOfFirstTwo, ShapedAsLast: true, AddedInPlaceBy: "AddSumProductTo");

    /// <summary><c>BroadcastTo(g, shape)</c>: a gradient left in a reduction's reduced shape, expanded.</summary>
    public static readonly Function BroadcastTo = new(Tensor, "BroadcastTo", LaneForm.FirstArgument, ShapedAsLast: true);

    /// <summary><c>ExpandAlong(g, axis, shape)</c>: a reduction's gradient repeated along the reduced axis.</summary>
    public static readonly Function ExpandAlong = new(Tensor, "ExpandAlong", LaneForm.FirstArgument, ShapedAsLast: true);

    /// <summary><c>Full(v, shape)</c>: a double everywhere.</summary>
    public static readonly Function Full = new(Tensor, "Full", LaneForm.FirstArgument, ShapedAsLast: true, AddedInPlaceBy: "AddFull");

    /// <summary><c>Zeros(shape)</c>: the gradient of a parameter that does not reach the result.</summary>
    public static readonly Function Zeros = new(Tensor, "Zeros", LaneForm.Zero, ShapedAsLast: true);

    /// <summary><c>Sum(x)</c>: every element summed to a double.</summary>
    public static readonly Function SumAll = new(Tensor, "Sum", LaneForm.None);

    /// <summary><c>MaxMask(x, axis)</c>, or <c>MaxMask(x)</c> of all elements: 1.0 at the first maximum.</summary>
    public static readonly Function MaxMask = new(Tensor, "MaxMask", LaneForm.None);

    /// <summary><c>MinMask(x, axis)</c>, or <c>MinMask(x)</c> of all elements: 1.0 at the first minimum.</summary>
    public static readonly Function MinMask = new(Tensor, "MinMask", LaneForm.None);
    public static readonly Function DotTransposeA = new(Tensor, "DotTransposeA", LaneForm.None, AddedInPlaceBy: "AddDotTransposeA");
    public static readonly Function DotTransposeB = new(Tensor, "DotTransposeB", LaneForm.None, AddedInPlaceBy: "AddDotTransposeB");
    public static readonly Function Transpose = new(Tensor, "Transpose", LaneForm.None);
    public static readonly Function Reshape = new(Tensor, "Reshape", LaneForm.None);
    public static readonly Function Unpick = new(Tensor, "Unpick", LaneForm.None);

    /// <summary>The gradient of one element read as a tensor of zeros elsewhere; a backward with loops adds into a buffer instead.</summary>
    public static readonly Function ElementGradient = new(Tensor, "ElementGradient", LaneForm.None);

    /// <summary>A <c>GradientBuffer</c> of zeros of a shape.</summary>
    public static readonly Function GradientBufferZeros = new("global::BackpropGen.GradientBuffer", "Zeros", LaneForm.None);

    /// <summary><c>Unslice(g, axis, start, shape)</c>: zeros of <c>shape</c> with <c>g</c> where Slice took it from.</summary>
    public static readonly Function Unslice = new(Tensor, "Unslice", LaneForm.None, AddedInPlaceBy: "AddUnsliced");

    /// <summary><c>Untake(g, indices, axis, shape)</c>: zeros of <c>shape</c> with <c>g</c>'s slabs added at the indices.</summary>
    public static readonly Function Untake = new(Tensor, "Untake", LaneForm.None, AddedInPlaceBy: "AddUntaken");

    /// <summary><c>Slice(g, axis, start, length)</c>: a part's run of a concatenation's gradient.</summary>
    public static readonly Function Slice = new(Tensor, "Slice", LaneForm.None);

    /// <summary><c>Unstack(g, axis, index)</c>: a stacked part's slab of the gradient, the axis removed.</summary>
    public static readonly Function Unstack = new(Tensor, "Unstack", LaneForm.None);

    /// <summary><c>Untranspose(g, axes)</c>: <c>g</c>'s axes put back by the inverse permutation.</summary>
    public static readonly Function Untranspose = new(Tensor, "Untranspose", LaneForm.None);

    /// <summary>
    /// <c>Sum(x, axis, keepDims)</c>: a sum along an axis. It is <see cref="SumAll"/>'s method with three arguments,
    /// so stages that look for a sum of all elements also check that a call has one argument.
    /// </summary>
    public static readonly Function SumAlong = new(Tensor, "Sum", LaneForm.None);

    public static readonly Function MatMulGradientA = new(Tensor, "MatMulGradientA", LaneForm.None);
    public static readonly Function MatMulGradientB = new(Tensor, "MatMulGradientB", LaneForm.None);
    public static readonly Function Conv2DBackwardInput = new(Tensor, "Conv2DBackwardInput", LaneForm.None);
    public static readonly Function Conv2DBackwardFilter = new(Tensor, "Conv2DBackwardFilter", LaneForm.None);

    /// <summary><c>MaxPool2DWithArgmax(x, size, stride)</c>: the forward of <c>MaxPool2D</c> that also returns where each maximum was.</summary>
    public static readonly Function MaxPool2DWithArgmax = new(Tensor, "MaxPool2DWithArgmax", LaneForm.None);

    /// <summary><c>MaxPool2DBackward(g, argmax)</c>: each element of g added where its window's maximum was.</summary>
    public static readonly Function MaxPool2DBackward = new(Tensor, "MaxPool2DBackward", LaneForm.None);
    public static readonly Function AvgPool2DBackward = new(Tensor, "AvgPool2DBackward", LaneForm.None);

    /// <summary><c>StepFailure.Returned(backward, parameter, gradient, shape)</c>: a hand-written backward's gradient, checked to have its argument's shape.</summary>
    public static readonly Function ReturnedGradient = new("global::BackpropGen.StepFailure", "Returned", LaneForm.None);

    /// <summary><c>TensorShape.OfMatMul(a, b)</c>: the shape of a batched matrix product.</summary>
    public static readonly Function ShapeOfMatMul = new(TensorShape, "OfMatMul", LaneForm.None);

    /// <summary><c>TensorShape.Broadcast(a, b)</c>: the shape two broadcast operands give.</summary>
    public static readonly Function BroadcastShapes = new(TensorShape, "Broadcast", LaneForm.None);

    /// <summary><c>TensorShape.OfDot(a, b)</c>: the shape of a matrix product.</summary>
    public static readonly Function ShapeOfDot = new(TensorShape, "OfDot", LaneForm.None);

    /// <summary>The function of doubles with the name of an elementwise tensor function (<c>Math.Exp</c> for <c>Tensor.Exp</c>).</summary>
    public static Function OnDoubles(Function function) => new(Math, function.Name, LaneForm.Scalar);

    /// <summary>The Tensor method <paramref name="name"/> with a Lane method of that name, applied to each element.</summary>
    internal static Function OnLanes(string name) => new(Tensor, name, LaneForm.Function);

    private static Function OfDoubles(string name) => new(Tensor, name, LaneForm.Scalar);
}
