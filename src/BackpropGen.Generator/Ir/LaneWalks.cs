using System.Collections.Generic;
using BackpropGen.Generator.Common;

namespace BackpropGen.Generator.Ir;

/// <summary>Walks of backward expressions as a fused pass computes them, lane by lane: read by the fusing and emitting stages alike.</summary>
internal static class LaneWalks
{
    /// <summary>
    /// The nodes of an expression that are values on lanes, skipping the shape arguments of shape-taking calls (unlike
    /// <see cref="A.Nodes"/>, which walks every node).
    /// </summary>
    public static List<Adj> LaneNodes(Adj expression)
    {
        var collector = new LaneNodeCollector();
        collector.Visit(expression);
        return collector.Nodes;
    }

    /// <summary>The tensors a small factor is computed from, whose shapes together make the factor's shape.</summary>
    public static List<Adj> TensorLeaves(Adj factor)
    {
        var collector = new TensorLeafCollector();
        collector.Visit(factor);
        return collector.Leaves;
    }

    /// <summary>Only a call's lane arguments, a negation's operand and a binary's operands are walked; other nodes are leaves.</summary>
    private sealed class LaneNodeCollector : ValueWalker
    {
        public List<Adj> Nodes { get; } = new();

        protected override void Enter(Adj node) => Nodes.Add(node);

        protected override void VisitCall(Call node)
        {
            // ExpandAlong(g, axis, shape) is g on lanes; any other shape-taking call is its arguments but the shape.
            var lanes = node.Is(RuntimeFunctions.ExpandAlong) ? 1 : node.Function.ShapedAsLast ? node.Args.Count - 1 : node.Args.Count;
            for (var i = 0; i < lanes; i++)
            {
                Visit(node.Args[i]);
            }
        }
    }

    /// <summary>The tensor references under tensor-valued negations, products and calls; anything else is not looked into.</summary>
    private sealed class TensorLeafCollector : ValueWalker
    {
        public List<Adj> Leaves { get; } = new();

        protected override void VisitGradRef(GradRef node) => AddTensor(node);

        protected override void VisitPrimalRef(PrimalRef node) => AddTensor(node);

        protected override void VisitNegation(Negation node)
        {
            if (node.Kind == ValueKind.Tensor)
            {
                base.VisitNegation(node);
            }
        }

        protected override void VisitBinary(Binary node)
        {
            if (node.Kind == ValueKind.Tensor)
            {
                base.VisitBinary(node);
            }
        }

        protected override void VisitCall(Call node)
        {
            if (node.Kind == ValueKind.Tensor)
            {
                base.VisitCall(node);
            }
        }

        private void AddTensor(Adj node)
        {
            if (node.Kind == ValueKind.Tensor)
            {
                Leaves.Add(node);
            }
        }
    }

    /// <summary>
    /// A walk of the values lanes are computed from: shapes, the user's code and members of values are leaves, not looked
    /// into.
    /// </summary>
    private abstract class ValueWalker : AdjVisitor
    {
        protected override void VisitShapeOf(ShapeOf node)
        {
        }

        protected override void VisitCode(Code node)
        {
        }

        protected override void VisitMember(Member node)
        {
        }

        protected override void VisitInstanceCall(InstanceCall node)
        {
        }
    }
}
