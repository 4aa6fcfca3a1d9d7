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
        var plan = LoopPlanner.Plan(CachePlanner.Plan(program));
        if (plan.Loops is null || Recomputation.Rewrite(program) is not { } lean)
        {
            return plan;
        }

        var leanPlan = LoopPlanner.Plan(CachePlanner.Plan(lean));
        return leanPlan.Loops is null ? plan : leanPlan;
    }
}
