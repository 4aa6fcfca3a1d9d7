using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Ir;
using BackpropGen.Generator.Lower;

namespace BackpropGen.Generator.Differentiate;

/// <summary>
/// One statement of the backward pass: <c>var {Target} = {Value};</c>, or with several targets the deconstruction
/// <c>var (dx, dW, _) = …;</c> of a called method's gradients (<c>_</c> where no gradient is wanted).
/// </summary>
internal sealed record BackwardStatement(EquatableArray<string> Targets, Adj Value)
{
    public BackwardStatement(string target, Adj value)
        : this(new[] { target }.ToEquatableArray(), value)
    {
    }
}

/// <summary>The backward block of forward step <paramref name="Step"/> (or of step 0), headed by the quoted step.</summary>
internal sealed record BackwardBlock(int Step, string Header, EquatableArray<BackwardStatement> Statements);

/// <summary>The gradient returned for one differentiable parameter.</summary>
internal sealed record GradientOutput(string ParameterName, string LocalName, string TypeName);

/// <summary>
/// An edge of the computational graph: a forward value feeding a step (<paramref name="Label"/> empty), or a gradient
/// (<paramref name="IsGradient"/>) sent back from a step to a value it read, labelled with the partial's name.
/// </summary>
internal sealed record GraphEdge(string From, string To, string Label, bool IsGradient);

/// <summary>
/// The differentiated method: its blocks in reverse step order, ending with step 0, what it returns, and its graph
/// (forward and gradient edges between the active values). <paramref name="DoutShape"/> is the shape <c>dout</c> must
/// have, checked before the first block (null for a <c>double</c> result): one of another shape would broadcast through
/// the steps into a plausible wrong gradient.
/// </summary>
internal sealed record BackwardProgram(
    MethodModel Method,
    string DoutName,
    string CacheName,
    Adj? DoutShape,
    EquatableArray<BackwardBlock> Blocks,
    EquatableArray<GradientOutput> Outputs,
    EquatableArray<GraphEdge> Edges)
{
    /// <summary>The names a generated backward already uses: parameters, locals, gradients, <c>dout</c> and <c>cache</c>.</summary>
    /// <remarks>A list, so that a set made of it is sized once.</remarks>
    public List<string> NamesInUse()
    {
        var names = new List<string>(Method.Parameters.Count + Method.Locals.Count + 32);
        foreach (var parameter in Method.Parameters)
        {
            names.Add(parameter.Name);
        }

        foreach (var local in Method.Locals)
        {
            names.Add(local.Name);
        }

        foreach (var block in Blocks)
        {
            foreach (var statement in block.Statements)
            {
                foreach (var target in statement.Targets)
                {
                    names.Add(target);
                }
            }
        }

        names.Add(DoutName);
        names.Add(CacheName);
        return names;
    }
}
