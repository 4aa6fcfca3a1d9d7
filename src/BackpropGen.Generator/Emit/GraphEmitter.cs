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
    /// <summary>Appends the graph's DOT text to <paramref name="dot"/>.</summary>
    public static void Write(BackwardProgram program, StringBuilder dot)
    {
        var method = program.Method;
        var steps = new Dictionary<string, Lower.StepModel>();
        foreach (var step in method.Steps())
        {
            // A variable a loop writes over is one node, labelled with its first step.
            if (!steps.ContainsKey(step.Name))
            {
                steps.Add(step.Name, step);
            }
        }

        var nodes = new List<string>();
        var seen = new HashSet<string>();
        foreach (var edge in program.Edges)
        {
            if (seen.Add(edge.From))
            {
                nodes.Add(edge.From);
            }

            if (seen.Add(edge.To))
            {
                nodes.Add(edge.To);
            }
        }

        dot.Append("digraph ").AppendId(method.Name).Append(" {\n");
        dot.Append("    rankdir=LR;\n");
        dot.Append("    node [shape=box, fontname=\"Helvetica\", fontsize=11];\n");
        dot.Append("    edge [fontname=\"Helvetica\", fontsize=10];\n");
        foreach (var name in nodes.OrderBy(n => steps.TryGetValue(n, out var s) ? s.Number : 0))
        {
            dot.Append("    ").AppendId(name);
            if (steps.TryGetValue(name, out var step))
            {
                dot.Append(" [label=\"step ").Append(step.Number).Append("\\n").AppendIdContent(step.Quote).Append("\"];\n");
            }
            else
            {
                dot.Append(" [shape=ellipse];\n");
            }
        }

        dot.Append("    ").AppendId(program.DoutName).Append(" [shape=plaintext, fontcolor=red];\n");
        foreach (var edge in program.Edges.Where(e => !e.IsGradient))
        {
            dot.Append("    ").AppendId(edge.From).Append(" -> ").AppendId(edge.To).Append(";\n");
        }

        // dout enters at the result, laid out after it (an edge drawn backwards); the other gradients run against the
        // forward direction, and constraint=false keeps them from reordering the forward layout.
        dot.Append("    ").AppendId(method.ReturnedName).Append(" -> ").AppendId(program.DoutName).Append(" [color=red, dir=back];\n");
        foreach (var edge in program.Edges.Where(e => e.IsGradient))
        {
            dot.Append("    ").AppendId(edge.From).Append(" -> ").AppendId(edge.To)
                .Append(" [color=red, fontcolor=red, constraint=false, label=").AppendId(edge.Label).Append("];\n");
        }

        dot.Append("}\n");
    }

    /// <summary>A DOT quoted string.</summary>
    private static StringBuilder AppendId(this StringBuilder dot, string text) =>
        dot.Append('"').AppendIdContent(text).Append('"');

    /// <summary>The inside of a DOT quoted string: quotes and backslashes escaped; a newline becomes DOT's centred line break.</summary>
    private static StringBuilder AppendIdContent(this StringBuilder dot, string text)
    {
        foreach (var c in text)
        {
            _ = c switch
            {
                '\\' => dot.Append("\\\\"),
                '"' => dot.Append("\\\""),
                '\n' => dot.Append("\\n"),
                _ => dot.Append(c),
            };
        }

        return dot;
    }
}
