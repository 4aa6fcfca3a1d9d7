using BackpropGen.Generator.Lower;

namespace BackpropGen.Generator.Differentiate;

/// <summary>The stage's entry: a straight-line body is differentiated into numbered partials, one with loops or branches into gradient accumulators and a tape.</summary>
internal static class Differentiation
{
    public static BackwardProgram Of(MethodModel method) =>
        method.HasControlFlow() ? FlowSweep.Differentiate(method) : ReverseSweep.Differentiate(method);
}
