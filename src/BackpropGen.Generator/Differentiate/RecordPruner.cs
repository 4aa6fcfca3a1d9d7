using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Ir;

namespace BackpropGen.Generator.Differentiate;

/// <summary>
/// The to-be-recorded analysis: of the restores <see cref="FlowSweep"/> placed, keeps those whose value the backward
/// reads before it is restored again, by a liveness analysis of the backward. A linear update such as
/// <c>logS = logS + drift</c> is read by nothing, so the old value is never recorded; a value read only after the loop that
/// overwrites it is restored once, not at every write. A non-differentiable local's declaration is replayed when its
/// value is read. What is kept tells the forward what to record (<see cref="TapePlan"/>).
/// </summary>
internal sealed class RecordPruner
{
    private readonly List<RestoredWrite> _restored = new();
    private readonly List<ScopeRecord> _scopes = new();
    private readonly List<int> _tripCounts = new();
    private readonly List<int> _branches = new();
    private readonly HashSet<string> _restoredNames = new();

    /// <summary>The pruned statements, what the forward records, and the values the backward reads as the forward left them.</summary>
    public (EquatableArray<BackwardNode> Flow, TapePlan Tapes, EquatableArray<string> ReadAtStart) Prune(List<BackwardNode> flow)
    {
        var live = new HashSet<string>();
        var pruned = Prune(flow, live, null);
        var tapes = new TapePlan(_restored.ToEquatableArray(), _scopes.ToEquatableArray(), _tripCounts.ToEquatableArray(), _branches.ToEquatableArray());
        return (pruned, tapes, live.OrderBy(name => name, System.StringComparer.Ordinal).ToEquatableArray());
    }

    /// <summary>
    /// Prunes statements given what is read after them (<paramref name="live"/>), which it turns into what is read from
    /// their start on. The statements are walked last first, as liveness flows against the order they run in.
    /// </summary>
    private EquatableArray<BackwardNode> Prune(IReadOnlyList<BackwardNode> nodes, HashSet<string> live, string? scope)
    {
        var kept = new List<BackwardNode>();
        var popped = new List<TapedValue>();
        for (var i = nodes.Count - 1; i >= 0; i--)
        {
            switch (nodes[i])
            {
                case BackwardRestore restore:
                    // Kept when what it restores is read before anything restores it again; a block's own local also
                    // when a write over it is restored further in, which needs it declared.
                    if (live.Remove(restore.Variable) | (restore.Declares && _restoredNames.Contains(restore.Variable)))
                    {
                        kept.Add(restore);
                        var value = new TapedValue(restore.Variable, restore.TypeName);
                        if (restore.Site is { } site)
                        {
                            _restored.Add(new RestoredWrite(value, site));
                            _restoredNames.Add(restore.Variable);
                        }
                        else
                        {
                            popped.Add(value);
                        }
                    }

                    break;
                case BackwardCode code:
                    if (code.Declares.Any(live.Contains))
                    {
                        kept.Add(code);
                        live.ExceptWith(code.Declares);
                        AddReads(code.Code, live);
                    }

                    break;
                case BackwardLoop loop:
                    PruneLoop(loop, live, kept);
                    break;
                case BackwardBranch branch:
                    PruneBranch(branch, live, kept);
                    break;
                case var node:
                    kept.Add(node);
                    foreach (var expression in BackwardFlow.Expressions(new[] { node }))
                    {
                        AddReads(expression, live);
                    }

                    break;
            }
        }

        kept.Reverse();
        if (scope is not null && popped.Count > 0)
        {
            // Popped at the block's start, last pushed first: the forward pushes them in the reverse order.
            _scopes.Add(new ScopeRecord(scope, popped.ToEquatableArray()));
        }

        return kept.ToEquatableArray();
    }

    /// <summary>
    /// A loop's body runs again after itself: what it reads is read after its end too, except its own locals, which
    /// every reversed iteration restores first (and a counted loop's counter, which its header counts).
    /// </summary>
    private void PruneLoop(BackwardLoop loop, HashSet<string> live, List<BackwardNode> kept)
    {
        var reads = new HashSet<string>();
        foreach (var expression in BackwardFlow.Expressions(loop.Body))
        {
            AddReads(expression, reads);
        }

        reads.ExceptWith(DeclaredAtStart(loop.Body));
        if (loop.Counted is { } counted)
        {
            reads.Remove(counted.Variable);
        }

        // A loop may run no iteration: what is read after it may be read before it as it is.
        var after = new HashSet<string>(live);
        live.UnionWith(reads);
        var body = Prune(loop.Body, live, ScopeRecord.LoopScope(loop.Number));
        live.UnionWith(reads);
        live.UnionWith(after);
        if (loop.Counted is { } header)
        {
            live.Remove(header.Variable);
            AddReads(loop.Start!, live);
            if (loop.Bound is { } bound)
            {
                AddReads(bound, live);
            }
        }

        // A loop whose reversal does nothing is left out, and its trip count is not recorded.
        if (!DoesSomething(body))
        {
            return;
        }

        if (loop.Counted is null or { Leaves: true })
        {
            _tripCounts.Add(loop.Number);
        }

        kept.Add(loop with { Body = body });
    }

    private void PruneBranch(BackwardBranch branch, HashSet<string> live, List<BackwardNode> kept)
    {
        var afterElse = new HashSet<string>(live);
        var then = Prune(branch.Then, live, ScopeRecord.ArmScope(branch.Number, then: true));
        var otherwise = Prune(branch.Else, afterElse, ScopeRecord.ArmScope(branch.Number, then: false));
        live.UnionWith(afterElse);
        if (!DoesSomething(then) && !DoesSomething(otherwise))
        {
            return;
        }

        if (branch.Condition is { } condition)
        {
            AddReads(condition, live);
        }
        else
        {
            _branches.Add(branch.Number);
        }

        kept.Add(branch with { Then = then, Else = otherwise });
    }

    /// <summary>The locals a reversed block restores or replays at its start: its own, defined before anything in it reads them.</summary>
    private static IEnumerable<string> DeclaredAtStart(EquatableArray<BackwardNode> body) =>
        body.TakeWhile(node => node is BackwardRestore { Declares: true } or BackwardCode)
            .SelectMany<BackwardNode, string>(node => node is BackwardRestore restore ? new[] { restore.Variable } : ((BackwardCode)node).Declares);

    /// <summary>Whether statements do more than head steps that get no gradient.</summary>
    private static bool DoesSomething(EquatableArray<BackwardNode> nodes) => nodes.Any(node => node is not BackwardHeading);

    private static void AddReads(Adj expression, HashSet<string> live) => new ReadCollector(live, live).Visit(expression);
}
