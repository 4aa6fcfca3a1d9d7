using System.Collections.Generic;
using System.Linq;
using System.Text;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Differentiate;

namespace BackpropGen.Generator.Emit;

/// <summary>
/// The computational graph of a differentiated method in Graphviz DOT, drawn like the seed's figure: inputs and steps as
/// nodes, forward edges in black, and the gradients of the backward pass in red, each labelled with its name.
/// </summary>
internal static class GraphEmitter
{
    public static string Emit(BackwardProgram program)
    {
        var method = program.Method;
        var steps = method.Body.Select(s => s.Step).Where(s => s is not null).Select(s => s!).ToDictionary(s => s.Name);
        var nodes = new List<string>();
        var seen = new HashSet<string>();
        foreach (var edge in program.Edges)
        {
            foreach (var name in new[] { edge.From, edge.To })
            {
                if (seen.Add(name))
                {
                    nodes.Add(name);
                }
            }
        }

        var dot = StringBuilderCache.Acquire();
        dot.Append("digraph ").Append(Id(method.Name)).Append(" {\n");
        dot.Append("    rankdir=LR;\n");
        dot.Append("    node [shape=box, fontname=\"Helvetica\", fontsize=11];\n");
        dot.Append("    edge [fontname=\"Helvetica\", fontsize=10];\n");
        foreach (var name in nodes.OrderBy(n => steps.TryGetValue(n, out var s) ? s.Number : 0))
        {
            dot.Append("    ").Append(Id(name)).Append(steps.TryGetValue(name, out var step)
                ? $" [label={Id($"step {step.Number}\n{step.Quote}")}];\n"
                : " [shape=ellipse];\n");
        }

        dot.Append("    ").Append(Id(program.DoutName)).Append(" [shape=plaintext, fontcolor=red];\n");
        foreach (var edge in program.Edges.Where(e => !e.IsGradient))
        {
            dot.Append("    ").Append(Id(edge.From)).Append(" -> ").Append(Id(edge.To)).Append(";\n");
        }

        // dout enters at the result, laid out after it (an edge drawn backwards); the other gradients run against the
        // forward direction, and constraint=false keeps them from reordering the forward layout.
        dot.Append("    ").Append(Id(method.ReturnedName)).Append(" -> ").Append(Id(program.DoutName)).Append(" [color=red, dir=back];\n");
        foreach (var edge in program.Edges.Where(e => e.IsGradient))
        {
            dot.Append("    ").Append(Id(edge.From)).Append(" -> ").Append(Id(edge.To))
                .Append(" [color=red, fontcolor=red, constraint=false, label=").Append(Id(edge.Label)).Append("];\n");
        }

        dot.Append("}\n");
        return StringBuilderCache.ToStringAndRelease(dot);
    }

    /// <summary>A DOT quoted string; a newline becomes DOT's centred line break.</summary>
    private static string Id(string text) =>
        "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";
}
