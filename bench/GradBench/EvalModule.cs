using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;

namespace BackpropGen.GradBench;

/// <summary>
/// A GradBench module: its name (the eval's <c>define</c> asks for it) and its functions, each of which reads an
/// <c>evaluate</c> message's input into an <see cref="Evaluation"/>.
/// </summary>
public sealed class EvalModule(string name, IReadOnlyDictionary<string, Func<JsonNode, Evaluation>> functions)
{
    public string Name { get; } = name;

    public IReadOnlyDictionary<string, Func<JsonNode, Evaluation>> Functions { get; } = functions;
}
