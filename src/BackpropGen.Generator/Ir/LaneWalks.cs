using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;

namespace BackpropGen.Generator.Ir;

/// <summary>Walks of backward expressions as a fused pass computes them, lane by lane: read by the fusing and emitting stages alike.</summary>
internal static class LaneWalks
{
    /// <summary>
    /// The nodes of an expression that are values on lanes, skipping the shape arguments of shape-taking calls (unlike
    /// <see cref="A.Nodes"/>, which walks every node).
    /// </summary>
    public static IEnumerable<Adj> LaneNodes(Adj expression) => A.PreOrder(expression, PushLaneChildren);

    private static void PushLaneChildren(Adj node, Stack<Adj> pending)
    {
        switch (node)
        {
            case Call call when call.Is(RuntimeFunctions.ExpandAlong):
                A.PushReversed(pending, call.Args, 1);
                break;
            case Call call when call.Function.ShapedAsLast:
                A.PushReversed(pending, call.Args, call.Args.Count - 1);
                break;
            case Call or Negation or Binary:
                A.PushChildren(node, pending);
                break;
        }
    }

    /// <summary>The tensors a small factor is computed from, whose shapes together make the factor's shape.</summary>
    public static IEnumerable<Adj> TensorLeaves(Adj factor) => factor.Kind != ValueKind.Tensor
        ? Enumerable.Empty<Adj>()
        : factor switch
        {
            GradRef or PrimalRef => new[] { factor },
            Negation negation => TensorLeaves(negation.Operand),
            Binary binary => TensorLeaves(binary.Left).Concat(TensorLeaves(binary.Right)),
            Call call => call.Args.SelectMany(TensorLeaves),
            _ => Enumerable.Empty<Adj>(),
        };
}
