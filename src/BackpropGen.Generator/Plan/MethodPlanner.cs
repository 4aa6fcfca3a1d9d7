using BackpropGen.Generator.Differentiate;
using BackpropGen.Generator.Fuse;

namespace BackpropGen.Generator.Plan;

/// <summary>
/// Plans what is emitted for a differentiated method: its cache and, when it has one, its fused backward. A lean cache
/// (<see cref="Recomputation"/>) is taken only with a fused backward, where recomputing costs nothing: without one, each
/// recomputed value would cost the step-by-step backward a pass of its own.
/// </summary>
internal static class MethodPlanner
{
    public static MethodPlan Plan(BackwardProgram program)
    {
        // The lean program is planned first: when it has a fused backward (the usual case for a method with values to
        // recompute), it is the plan, and the program is planned once.
        var full = FullSizeValues.Of(program.Method);
        if (Recomputation.Rewrite(program, full) is { } lean && LoopPlanner.Plan(CachePlanner.Plan(lean), full) is { Loops: not null } leanPlan)
        {
            return leanPlan;
        }

        return LoopPlanner.Plan(CachePlanner.Plan(program), full);
    }
}
