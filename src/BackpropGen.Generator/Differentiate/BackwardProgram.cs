using BackpropGen.Generator.Common;
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

/// <summary>The differentiated method: its blocks in reverse step order, ending with step 0, and what it returns.</summary>
internal sealed record BackwardProgram(
    MethodModel Method,
    string DoutName,
    string CacheName,
    EquatableArray<BackwardBlock> Blocks,
    EquatableArray<GradientOutput> Outputs);
