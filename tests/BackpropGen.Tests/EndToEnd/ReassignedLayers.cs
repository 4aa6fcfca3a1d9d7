using BackpropGen;
using static BackpropGen.Tensor;

namespace BackpropGen.Tests.EndToEnd;

/// <summary>Bodies that reassign their locals and parameters, as numeric C# does: each is gradient-checked.</summary>
public static partial class ReassignedLayers
{
    /// <summary>A tensor local reassigned from itself, then by a compound assignment that reads another value.</summary>
    [Differentiable]
    public static Tensor Rescaled(Tensor x, Tensor w)
    {
        var y = x * w;
        y = Tanh(y) + x;
        y *= w + 1.0;
        return y;
    }

    /// <summary>A double accumulated by compound assignments, one of which subtracts a product.</summary>
    [Differentiable]
    public static double Accumulated(Tensor x, double a)
    {
        var loss = Sum(Square(x));
        loss += a * Mean(x);
        loss -= a * a;
        loss /= 2.0;
        return loss;
    }

    /// <summary>A parameter reassigned: its gradient is that of the value passed in, through every version.</summary>
    [Differentiable]
    public static Tensor ParameterReassigned(Tensor x, Tensor gamma)
    {
        x = x - Mean(x, axis: 0);
        x = x * gamma;
        return Sigmoid(x);
    }

    /// <summary>
    /// An old version is read after the local is reassigned, and an int counter changes between steps that read it: the
    /// backward must read each value as it was where it was used.
    /// </summary>
    [Differentiable]
    public static Tensor OldVersionsStillRead(Tensor x)
    {
        var h = Exp(x);
        var first = h;
        int axis = 0;
        var m = Sum(h, axis: axis, keepDims: true);
        axis++;
        h = h / m;
        var n = Sum(h, axis: axis, keepDims: true);
        h = h * n + first;
        return h;
    }

    /// <summary>A local that starts as a constant and becomes differentiable when a reassignment reads a parameter.</summary>
    [Differentiable]
    public static double StartsConstant(Tensor x)
    {
        double total = 1.0;
        total *= 3.0;
        total += Mean(Exp(x));
        total = total * total;
        return total;
    }

    /// <summary>A differentiable value overwritten by a constant: nothing before the overwrite gets its gradient.</summary>
    [Differentiable]
    public static double OverwrittenByAConstant(Tensor x, double a)
    {
        var s = a * Sum(x);
        s = 2.0;
        var t = s * Mean(x);
        return t;
    }

    /// <summary>A reassignment whose value is a call of another [Differentiable] method.</summary>
    [Differentiable]
    public static Tensor CallReassigned(Tensor x, Tensor w)
    {
        var h = x * w;
        h = Rescaled(h, w);
        h = Rescaled(h, w) * 0.5;
        return h;
    }
}
