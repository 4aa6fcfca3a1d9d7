using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Ir;

namespace BackpropGen.Generator.Differentiate;

/// <summary>
/// A tensor parameter's gradient that a reversed loop only adds to (<c>dwx += …</c> once a step, as an RNN's weights get)
/// is summed in place in a <c>GradientBuffer</c> (<c>dwxSum.Add(…)</c>, or <c>dwxSum.AddDotTransposeA(x, g)</c> for a product) and taken as a tensor at the end
/// (<c>var dwx = dwxSum.Flush();</c>): <c>dwx += g</c> on tensors makes a new array of the weights' size every step,
/// a large-object allocation that only a full collection takes back. Only a gradient that starts as zeros, is added to
/// and never set, restored or read before the end qualifies: nothing else can hold its array, so adding in place changes
/// no value any other statement sees.
/// </summary>
internal static class InPlaceSums
{
    public static EquatableArray<BackwardNode> Apply(EquatableArray<BackwardNode> flow, IEnumerable<GradientOutput> outputs, System.Func<string, string> fresh)
    {
        // What the statements read stays the same as sums move into buffers: a buffer's additions read what the
        // additions they replace read.
        var reads = new HashSet<string>();
        var reader = new GradientReads(reads, ofReplayedCode: true);
        foreach (var expression in BackwardFlow.Expressions(flow))
        {
            reader.Visit(expression);
        }

        var nodes = flow;
        foreach (var output in outputs)
        {
            var local = output.LocalName;
            var declaration = IndexOfZeros(nodes, local);
            if (declaration < 0 || reads.Contains(local) || !OnlyAddedTo(nodes, local, declaration, out var addedInLoop) || !addedInLoop)
            {
                continue;
            }

            var buffer = fresh(local + "Sum");
            var zeros = (Call)((BackwardStatement)nodes[declaration]).Value;
            var rewritten = BackwardFlow.Map(
                nodes,
                expression => expression,
                node => node is BackwardAssign { Accumulates: true } assign && assign.Target == local ? Addition(buffer, assign.Value) : node).ToList();
            rewritten[declaration] = new BackwardStatement(buffer, A.Call(RuntimeFunctions.GradientBufferZeros, ValueKind.Other, zeros.Args.ToArray()));
            rewritten.Add(new BackwardStatement(local, A.Flush(buffer)));
            nodes = rewritten.ToEquatableArray();
        }

        return nodes;
    }

    /// <summary>
    /// The value added to the buffer: a product the runtime can add without making it first (an RNN's
    /// <c>DotTransposeA(h, g)</c>, a weight's gradient) is added by the buffer's method for it, anything else by <c>Add</c>.
    /// </summary>
    private static BackwardBufferAdd Addition(string buffer, Adj value) =>
        value is Call { Function.AddedInPlaceBy: { } method } product
            ? new BackwardBufferAdd(buffer, method, product.Args)
            : new BackwardBufferAdd(buffer, "Add", new[] { value }.ToEquatableArray());

    /// <summary>Where the top level declares <paramref name="local"/> as a tensor of zeros, or -1.</summary>
    private static int IndexOfZeros(EquatableArray<BackwardNode> nodes, string local)
    {
        for (var i = 0; i < nodes.Count; i++)
        {
            if (nodes[i] is BackwardStatement { Targets.Count: 1 } statement && statement.Targets[0] == local)
            {
                return statement.Value is Call zeros && zeros.Is(RuntimeFunctions.Zeros) ? i : -1;
            }
        }

        return -1;
    }

    /// <summary>
    /// Whether every statement but the declaration at <paramref name="declaration"/> only adds to
    /// <paramref name="local"/>, and whether one of the additions is inside a loop.
    /// </summary>
    private static bool OnlyAddedTo(EquatableArray<BackwardNode> nodes, string local, int declaration, out bool addedInLoop)
    {
        addedInLoop = false;
        for (var i = 0; i < nodes.Count; i++)
        {
            if (i != declaration && !OnlyAddedTo(nodes[i], local, inLoop: false, ref addedInLoop))
            {
                return false;
            }
        }

        return true;
    }

    private static bool OnlyAddedTo(BackwardNode node, string local, bool inLoop, ref bool addedInLoop)
    {
        switch (node)
        {
            case BackwardAssign assign when assign.Target == local:
                addedInLoop |= assign.Accumulates && inLoop;
                return assign.Accumulates;
            case BackwardStatement statement:
                return !statement.Targets.Contains(local);
            case BackwardRestore restore:
                return restore.Variable != local;
            case BackwardCode code:
                return !code.Declares.Contains(local);
            case BackwardLoop loop:
                foreach (var inner in loop.Body)
                {
                    if (!OnlyAddedTo(inner, local, inLoop: true, ref addedInLoop))
                    {
                        return false;
                    }
                }

                return true;
            case BackwardBranch branch:
                foreach (var inner in branch.Then.Concat(branch.Else))
                {
                    if (!OnlyAddedTo(inner, local, inLoop, ref addedInLoop))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return true;
        }
    }
}
