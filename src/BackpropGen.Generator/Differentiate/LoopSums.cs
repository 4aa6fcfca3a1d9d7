using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Ir;

namespace BackpropGen.Generator.Differentiate;

/// <summary>
/// The sum a reversed innermost loop inside another loop adds to a <c>double</c> gradient that its body only adds to (<c>ddrift += dlogS;</c>)
/// is kept in a local of the loop (<c>ddriftInLoop2</c>) and added to the gradient after it. A gradient declared outside
/// the loops is live across the calls an outer loop makes (a tape's <c>Pop</c>, <c>Math.Exp</c>), and the JIT keeps such
/// a double in memory, since no vector register survives a call on x64: every iteration of the inner loop then waits on a
/// store and a load. The loop's own local lives in a register; the Monte Carlo call's backward takes half the time.
/// </summary>
internal static class LoopSums
{
    public static EquatableArray<BackwardNode> Apply(EquatableArray<BackwardNode> flow, System.Func<string, string> fresh) =>
        Rewrite(flow, fresh, inLoop: false);

    /// <summary>The statements with each innermost loop inside another loop given its sums.</summary>
    private static EquatableArray<BackwardNode> Rewrite(EquatableArray<BackwardNode> nodes, System.Func<string, string> fresh, bool inLoop)
    {
        var rewritten = new List<BackwardNode>();
        foreach (var node in nodes)
        {
            switch (node)
            {
                case BackwardLoop loop when inLoop && !BackwardFlow.Nodes(loop.Body).Any(inner => inner is BackwardLoop):
                    rewritten.AddRange(WithSums(loop, fresh));
                    break;
                case BackwardLoop loop:
                    rewritten.Add(loop with { Body = Rewrite(loop.Body, fresh, inLoop: true) });
                    break;
                case BackwardBranch branch:
                    rewritten.Add(branch with { Then = Rewrite(branch.Then, fresh, inLoop), Else = Rewrite(branch.Else, fresh, inLoop) });
                    break;
                default:
                    rewritten.Add(node);
                    break;
            }
        }

        return rewritten.ToEquatableArray();
    }

    /// <summary>The loop with each of its sums in a local of its own: declared before it, added to the gradient after it.</summary>
    private static IEnumerable<BackwardNode> WithSums(BackwardLoop loop, System.Func<string, string> fresh)
    {
        var body = BackwardFlow.Nodes(loop.Body).ToList();
        var read = new HashSet<string>();
        foreach (var expression in BackwardFlow.Expressions(loop.Body))
        {
            new GradientReads(read, ofReplayedCode: false).Visit(expression);
        }

        // A gradient the body sets, restores or reads is left as it is: only a sum of additions can be added up apart.
        var set = new HashSet<string>(body.SelectMany(node => node switch
        {
            BackwardAssign { Accumulates: false } assign => new[] { assign.Target },
            BackwardStatement statement => statement.Targets.AsEnumerable(),
            BackwardRestore restore => new[] { restore.Variable },
            _ => Enumerable.Empty<string>(),
        }));
        var sums = body.OfType<BackwardAssign>()
            .Where(assign => assign.Accumulates && assign.Value.Kind == ValueKind.Double && !read.Contains(assign.Target) && !set.Contains(assign.Target))
            .Select(assign => assign.Target)
            .Distinct()
            .ToDictionary(target => target, target => fresh(target + "InLoop" + loop.Number));
        if (sums.Count == 0)
        {
            return new[] { loop };
        }

        var before = sums.Values.Select(local => (BackwardNode)new BackwardStatement(new[] { local }.ToEquatableArray(), new Literal("0.0", ValueKind.Double)));
        var inLoop = loop with
        {
            Body = BackwardFlow.Map(loop.Body, expression => expression, node => node is BackwardAssign assign && sums.TryGetValue(assign.Target, out var local) ? assign with { Target = local } : node),
        };
        var after = sums.Select(sum => (BackwardNode)new BackwardAssign(sum.Key, new GradRef(sum.Value, ValueKind.Double), Accumulates: true));
        return before.Append(inLoop).Concat(after);
    }
}
