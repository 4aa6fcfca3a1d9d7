using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Differentiate;

namespace BackpropGen.Generator.Plan;

/// <summary>
/// The caches a differentiated method may have: <see cref="Steps"/>, which keeps every forward value the backward
/// reads, and, when some full-size values are cheap to recompute, the <see cref="Lean"/> one, which keeps fewer
/// (<see cref="Recomputation"/>). The fusing stage takes the lean cache only with a fused backward, where recomputing
/// costs nothing: without one, each recomputed value would cost the step-by-step backward a pass of its own.
/// <see cref="FullSizeValues"/> are the forward's full-size values (<see cref="Plan.FullSizeValues"/>).
/// </summary>
internal sealed record PlannedMethod(CachePlan Steps, CachePlan? Lean, EquatableArray<string> FullSizeValues)
{
    public static PlannedMethod Of(BackwardProgram program)
    {
        if (program.HasFlow)
        {
            return new PlannedMethod(CachePlanner.Plan(program), null, EquatableArray<string>.Empty);
        }

        var full = Plan.FullSizeValues.Of(program.Method);
        var lean = Recomputation.Rewrite(program, full) is { } rewritten ? CachePlanner.Plan(rewritten) : null;

        // In the order the forward defines them, so that equal methods give equal plans.
        var ordered = program.Method.Parameters.Select(p => p.Name)
            .Concat(program.Method.Steps().Select(step => step.Name))
            .Where(full.Contains)
            .ToEquatableArray();
        return new PlannedMethod(CachePlanner.Plan(program), lean, ordered);
    }
}
