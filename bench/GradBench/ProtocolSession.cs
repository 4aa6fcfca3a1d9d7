using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;

namespace BackpropGen.GradBench;

/// <summary>
/// The tool's side of the GradBench protocol (GradBench's PROTOCOL.md): one JSON message a line in, one response a line
/// out, with the message's id. <c>define</c> says whether the module is implemented here, <c>evaluate</c> runs a
/// function at least <c>min_runs</c> times and until its runs add up to <c>min_seconds</c>, one <c>evaluate</c> timing a
/// run; every other kind (<c>start</c>, <c>analysis</c>, …) is acknowledged with its id.
/// </summary>
public sealed class ProtocolSession(IEnumerable<EvalModule> modules)
{
    private readonly Dictionary<string, EvalModule> modules = modules.ToDictionary(m => m.Name);

    /// <summary>The analyses the eval sent back, by the id of the evaluation they judged: whether it was valid and why not.</summary>
    public Dictionary<long, (bool Valid, string? Error)> Analyses { get; } = [];

    /// <summary>Answers each line of <paramref name="input"/> on <paramref name="output"/> until the input ends.</summary>
    public void Run(TextReader input, TextWriter output)
    {
        while (input.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            output.WriteLine(Respond(line));
            output.Flush();
        }
    }

    /// <summary>The response line to one message line.</summary>
    public string Respond(string messageLine)
    {
        var message = JsonNode.Parse(messageLine) ?? throw new ArgumentException("a message is null");
        var id = Json.Field(message, "id").GetValue<long>();
        var response = new JsonObject { ["id"] = id };
        switch (message["kind"]?.GetValue<string>())
        {
            case "start":
                response["tool"] = "backpropgen";
                break;
            case "define":
                var module = Json.Field(message, "module").GetValue<string>();
                response["success"] = modules.ContainsKey(module);
                if (!modules.ContainsKey(module))
                {
                    response["error"] = $"BackpropGen implements {string.Join(", ", modules.Keys)}, not {module}";
                }

                break;
            case "evaluate":
                Evaluate(message, response);
                break;
            case "analysis":
                Analyses[Json.Field(message, "of").GetValue<long>()] =
                    (Json.Field(message, "valid").GetValue<bool>(), message["error"]?.GetValue<string>());
                break;
        }

        return response.ToJsonString();
    }

    private void Evaluate(JsonNode message, JsonObject response)
    {
        var moduleName = Json.Field(message, "module").GetValue<string>();
        var functionName = Json.Field(message, "function").GetValue<string>();
        var input = Json.Field(message, "input");
        try
        {
            if (!modules.TryGetValue(moduleName, out var module) || !module.Functions.TryGetValue(functionName, out var prepare))
            {
                throw new ArgumentException($"no function {moduleName}.{functionName} here");
            }

            // hello's inputs are bare numbers, without the Runs fields: one run
            var minRuns = input is JsonObject ? input["min_runs"]?.GetValue<int>() ?? 1 : 1;
            var minSeconds = input is JsonObject ? input["min_seconds"]?.GetValue<double>() ?? 0 : 0;
            var evaluation = prepare(input);
            // one run before the timed ones, so that they measure the code the JIT compiled rather than the compiling
            // (GradBench's C++ tools are compiled before the eval starts); it is reported under its own name
            var warmupStart = Stopwatch.GetTimestamp();
            evaluation.Run();
            var timings = new JsonArray { Timing("warmup", Stopwatch.GetElapsedTime(warmupStart)) };
            var elapsed = TimeSpan.Zero;
            for (var run = 0; run < minRuns || elapsed.TotalSeconds < minSeconds; run++)
            {
                var start = Stopwatch.GetTimestamp();
                evaluation.Run();
                var took = Stopwatch.GetElapsedTime(start);
                elapsed += took;
                timings.Add(Timing("evaluate", took));
            }

            response["success"] = true;
            response["output"] = evaluation.Output();
            response["timings"] = timings;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or IndexOutOfRangeException)
        {
            response["success"] = false;
            response["error"] = e.ToString();
        }
    }

    private static JsonObject Timing(string name, TimeSpan took) =>
        new() { ["name"] = name, ["nanoseconds"] = (long)(took.Ticks * (1_000_000_000.0 / TimeSpan.TicksPerSecond)) };
}
