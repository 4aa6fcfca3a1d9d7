using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Differentiate;
using BackpropGen.Generator.Ir;
using BackpropGen.Generator.Lower;
using BackpropGen.Generator.Plan;

namespace BackpropGen.Generator.Emit;

/// <summary>
/// Spells a full-size backward expression on lanes, the elements <c>j … j + Lane.Count</c> of one row: tensors read as
/// their loaded lanes (<c>xmu_j</c>), tensor functions as <c>Lane</c>'s, and a sum to the full shape as the value itself
/// (it sums nothing there).
/// </summary>
internal sealed class LaneRenderer : AdjointRenderer
{
    private const string Lane = "global::BackpropGen.Lane.";
    private readonly IReadOnlyDictionary<string, string> _loaded;

    /// <param name="renderer">The renderer of the method's other expressions, whose knowledge of the cache it shares.</param>
    /// <param name="loaded">The lane local of each tensor the pass loads.</param>
    public LaneRenderer(AdjointRenderer renderer, IReadOnlyDictionary<string, string> loaded)
        : base(renderer) => _loaded = loaded;

    protected override bool TryWriteSpecially(Adj expression, out int precedence)
    {
        precedence = Precedence.Primary;
        switch (expression)
        {
            case GradRef gradient when _loaded.TryGetValue(gradient.Name, out var lanes):
                Text.Append(lanes);
                return true;
            case PrimalRef primal when _loaded.TryGetValue(primal.Name, out var lanes):
                Text.Append(lanes);
                return true;
            case Call { Function.Lane: LaneForm.FirstArgument } call:
                precedence = Write(call.Args[0]);
                return true;
            case Call { Function.Lane: LaneForm.ProductOfFirstTwo } call:
                precedence = Write(A.Mul(call.Args[0], call.Args[1]));
                return true;
            case Call { Function.Lane: LaneForm.Zero }:
                Text.Append("0.0");
                return true;
            case Call { Function.Lane: LaneForm.Function } call:
                Text.Append(Lane).Append(call.Function.Name);
                WriteArguments(call.Args);
                return true;
            default:
                return false;
        }
    }
}
