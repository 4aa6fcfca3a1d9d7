using BackpropGen.Generator.Common;
using BackpropGen.Generator.Lower;

namespace BackpropGen.Generator.Differentiate;

/// <summary>One statement of the backward pass: <c>var {Name} = {Value};</c>.</summary>
internal sealed record BackwardStatement(string Name, Adj Value);

/// <summary>The backward block of one forward step (or step 0), headed by the quoted step.</summary>
internal sealed record BackwardBlock(string Header, EquatableArray<BackwardStatement> Statements);

/// <summary>The gradient returned for one differentiable parameter.</summary>
internal sealed record GradientOutput(string ParameterName, string LocalName, string TypeName);

/// <summary>The differentiated method: its blocks in reverse step order, ending with step 0, and what it returns.</summary>
internal sealed record BackwardProgram(
    MethodModel Method,
    string DoutName,
    string CacheName,
    EquatableArray<BackwardBlock> Blocks,
    EquatableArray<GradientOutput> Outputs);
