using System.Collections.Generic;
using BackpropGen.Generator.Common;

namespace BackpropGen.Generator.Ir;

/// <summary>
/// Walks a backward expression, one method per node kind. Each default visits the node's children left to right: the one
/// place, with <see cref="AdjRewriter"/>, that knows which children a node has. A walk overrides the kinds it looks at.
/// </summary>
internal abstract class AdjVisitor
{
    public void Visit(Adj node)
    {
        Enter(node);
        switch (node)
        {
            case GradRef gradient:
                VisitGradRef(gradient);
                break;
            case PrimalRef primal:
                VisitPrimalRef(primal);
                break;
            case ShapeRef shape:
                VisitShapeRef(shape);
                break;
            case ShapeOf shapeOf:
                VisitShapeOf(shapeOf);
                break;
            case Code code:
                VisitCode(code);
                break;
            case Literal literal:
                VisitLiteral(literal);
                break;
            case Member member:
                VisitMember(member);
                break;
            case InstanceCall call:
                VisitInstanceCall(call);
                break;
            case Negation negation:
                VisitNegation(negation);
                break;
            case Binary binary:
                VisitBinary(binary);
                break;
            case Call call:
                VisitCall(call);
                break;
        }
    }

    /// <summary>Called for every node walked, before its children.</summary>
    protected virtual void Enter(Adj node)
    {
    }

    protected void VisitAll(EquatableArray<Adj> nodes)
    {
        foreach (var node in nodes)
        {
            Visit(node);
        }
    }

    protected virtual void VisitGradRef(GradRef node)
    {
    }

    protected virtual void VisitPrimalRef(PrimalRef node)
    {
    }

    protected virtual void VisitShapeRef(ShapeRef node)
    {
    }

    protected virtual void VisitShapeOf(ShapeOf node) => Visit(node.Value);

    protected virtual void VisitCode(Code node)
    {
        if (node.Shape is { } shape)
        {
            Visit(shape);
        }
    }

    protected virtual void VisitLiteral(Literal node)
    {
    }

    protected virtual void VisitMember(Member node) => Visit(node.Target);

    protected virtual void VisitInstanceCall(InstanceCall node)
    {
        Visit(node.Target);
        VisitAll(node.Args);
    }

    protected virtual void VisitNegation(Negation node) => Visit(node.Operand);

    protected virtual void VisitBinary(Binary node)
    {
        Visit(node.Left);
        Visit(node.Right);
    }

    protected virtual void VisitCall(Call node) => VisitAll(node.Args);
}

/// <summary>
/// Rewrites a backward expression bottom-up, one method per node kind. Each default rewrites the node's children and
/// rebuilds the node only when one changed, so that what a rewrite leaves alone is returned as it is, not copied.
/// </summary>
internal abstract class AdjRewriter
{
    public virtual Adj Rewrite(Adj node) => node switch
    {
        ShapeOf shapeOf => RewriteShapeOf(shapeOf),
        Code code => RewriteCode(code),
        Member member => RewriteMember(member),
        InstanceCall call => RewriteInstanceCall(call),
        Negation negation => RewriteNegation(negation),
        Binary binary => RewriteBinary(binary),
        Call call => RewriteCall(call),
        _ => node,
    };

    /// <summary>The nodes rewritten, or null when none changes.</summary>
    protected EquatableArray<Adj>? RewriteAll(EquatableArray<Adj> nodes) =>
        nodes.MapIfChanged(this, static (node, rewriter) => rewriter.Rewrite(node));

    protected virtual Adj RewriteShapeOf(ShapeOf node) => Rewrite(node.Value) is var value && ReferenceEquals(value, node.Value) ? node : new ShapeOf(value);

    protected virtual Adj RewriteCode(Code node) =>
        node.Shape is not { } shape || Rewrite(shape) is var rewritten && ReferenceEquals(rewritten, shape) ? node : node with { Shape = rewritten };

    protected virtual Adj RewriteMember(Member node) => Rewrite(node.Target) is var target && ReferenceEquals(target, node.Target) ? node : node with { Target = target };

    protected virtual Adj RewriteInstanceCall(InstanceCall node)
    {
        var target = Rewrite(node.Target);
        var args = RewriteAll(node.Args);
        return ReferenceEquals(target, node.Target) && args is null ? node : node with { Target = target, Args = args ?? node.Args };
    }

    protected virtual Adj RewriteNegation(Negation node) => Rewrite(node.Operand) is var operand && ReferenceEquals(operand, node.Operand) ? node : new Negation(operand);

    protected virtual Adj RewriteBinary(Binary node)
    {
        var left = Rewrite(node.Left);
        var right = Rewrite(node.Right);
        return ReferenceEquals(left, node.Left) && ReferenceEquals(right, node.Right) ? node : node with { Left = left, Right = right };
    }

    protected virtual Adj RewriteCall(Call node) => RewriteAll(node.Args) is { } args ? node with { Args = args } : node;
}

/// <summary>Every node of an expression, itself first, children left to right.</summary>
internal sealed class NodeCollector : AdjVisitor
{
    private readonly List<Adj> _nodes = new();

    public static List<Adj> Of(Adj expression)
    {
        var collector = new NodeCollector();
        collector.Visit(expression);
        return collector._nodes;
    }

    protected override void Enter(Adj node) => _nodes.Add(node);
}
