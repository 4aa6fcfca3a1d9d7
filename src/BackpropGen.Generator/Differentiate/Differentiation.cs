using BackpropGen.Generator.Lower;

namespace BackpropGen.Generator.Differentiate;

/// <summary>The stage's entry: a straight-line body is differentiated into numbered partials, one with loops or branches into gradient accumulators and a tape.</summary>
internal static class Differentiation
{
    /// <remarks>The forward first keeps its steps' auxiliary outputs (<see cref="AuxiliaryOutputs"/>), which the rules read.</remarks>
    public static BackwardProgram Of(MethodModel method)
    {
        var (recorded, auxiliaries) = AuxiliaryOutputs.Record(method);
        return recorded.HasControlFlow() ? FlowSweep.Differentiate(recorded, auxiliaries) : ReverseSweep.Differentiate(recorded, auxiliaries);
    }
}
