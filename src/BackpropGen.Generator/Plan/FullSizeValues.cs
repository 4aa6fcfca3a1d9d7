using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Differentiate;
using BackpropGen.Generator.Lower;
using BackpropGen.Generator.Ops;

namespace BackpropGen.Generator.Plan;

/// <summary>
/// Which forward values are full-size, judged from the code: a differentiable tensor input that flows (through
/// elementwise steps) into a reduction, and every step computed elementwise from one of them. Reductions and scalars, and
/// what is computed from them alone, are small. The fused backward computes full-size values lane by lane; the cache
/// recomputes them when that is cheap rather than keep them.
/// </summary>
internal static class FullSizeValues
{
    public static HashSet<string> Of(MethodModel method)
    {
        var steps = method.Steps();
        var reduced = new HashSet<string>();
        foreach (var step in Enumerable.Reverse(steps))
        {
            MarkReduced(step.Value, reduced.Contains(step.Name), reduced);
        }

        var full = new HashSet<string>(method.Parameters
            .Where(p => p.Kind == ValueKind.Tensor && p.IsDifferentiable && reduced.Contains(p.Name))
            .Select(p => p.Name));
        foreach (var step in steps)
        {
            if (step.Kind == ValueKind.Tensor && IsFull(step.Value, full))
            {
                full.Add(step.Name);
            }
        }

        return full;
    }

    private static void MarkReduced(Expr expression, bool feedsReduction, HashSet<string> reduced)
    {
        switch (expression)
        {
            case VarExpr variable when feedsReduction:
                reduced.Add(variable.Name);
                break;
            case OpExpr op:
                var reduces = op.Op.Category == OpCategory.Reduction;
                foreach (var arg in op.Args)
                {
                    MarkReduced(arg, reduces || (op.Op.IsElementwise && feedsReduction), reduced);
                }

                break;
        }
    }

    private static bool IsFull(Expr expression, HashSet<string> full)
    {
        switch (expression)
        {
            case VarExpr variable:
                return full.Contains(variable.Name);
            case OpExpr op when op.Op.IsElementwise:
                foreach (var arg in op.Args)
                {
                    if (IsFull(arg, full))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }
}
