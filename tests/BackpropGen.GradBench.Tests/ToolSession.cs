using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using BackpropGen.GradBench.Evals;
using Xunit;

namespace BackpropGen.GradBench.Tests;

/// <summary>
/// The eval's side of a protocol session with the tool, in process: each message a JSON line, each response parsed back,
/// as GradBench's intermediary passes them.
/// </summary>
public sealed class ToolSession
{
    private readonly ProtocolSession tool = new(Modules.All);
    private long nextId;

    public JsonNode Send(JsonObject message)
    {
        var id = nextId++;
        message["id"] = id;
        var response = JsonNode.Parse(tool.Respond(message.ToJsonString()))!;
        Assert.Equal(id, response["id"]!.GetValue<long>());
        return response;
    }

    public bool Define(string module) =>
        Send(new JsonObject { ["kind"] = "define", ["module"] = module })["success"]!.GetValue<bool>();

    /// <summary>Evaluates a function once (min_runs 1, min_seconds 0) and returns its output, checking the timings.</summary>
    public JsonNode Evaluate(string module, string function, JsonNode input)
    {
        if (input is JsonObject runs)
        {
            runs["min_runs"] = 1;
            runs["min_seconds"] = 0.0;
        }

        var response = Send(new JsonObject { ["kind"] = "evaluate", ["module"] = module, ["function"] = function, ["input"] = input });
        Assert.True(response["success"]!.GetValue<bool>(), response["error"]?.GetValue<string>());
        Assert.Single(response["timings"]!.AsArray(), t => t!["name"]!.GetValue<string>() == "evaluate");
        return response["output"]!;
    }

    /// <summary>
    /// Central differences of a scalar the tool computes, with respect to each of the numbers an input is made from:
    /// <paramref name="inputOf"/> builds the input from them, <paramref name="value"/> reads the scalar from the output.
    /// </summary>
    public double[] FiniteDifferences(string module, string function, double[] point, Func<double[], JsonNode> inputOf, Func<JsonNode, double> value)
    {
        const double h = 1e-6;
        return Enumerable.Range(0, point.Length).Select(i =>
        {
            double At(double shift)
            {
                var shifted = (double[])point.Clone();
                shifted[i] += shift;
                return value(Evaluate(module, function, inputOf(shifted)));
            }

            return (At(h) - At(-h)) / (2 * h);
        }).ToArray();
    }

    public static double[] Numbers(JsonNode? node) => node switch
    {
        JsonArray array => array.SelectMany(Numbers).ToArray(),
        null => throw new ArgumentException("null where a number or list was expected"),
        _ => [node.GetValue<double>()],
    };

    public static JsonArray List(IEnumerable<double> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);

    /// <summary>A flat run of numbers as <paramref name="rows"/> lists, row after row.</summary>
    public static JsonArray Rows(ReadOnlySpan<double> values, int rows)
    {
        var columns = rows == 0 ? 0 : values.Length / rows;
        var list = new JsonArray();
        for (var r = 0; r < rows; r++)
        {
            list.Add(List(values.Slice(r * columns, columns).ToArray()));
        }

        return list;
    }

    /// <summary>Uniform numbers in [low, high), the same for a seed.</summary>
    public static double[] Uniform(int seed, int count, double low = 0, double high = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => low + ((high - low) * random.NextDouble())).ToArray();
    }

    /// <summary>
    /// The largest difference relative to the gradient's scale (its largest entries): central differences lose the
    /// digits of entries much smaller than the rest to rounding, so an entrywise relative error would fail on those.
    /// </summary>
    public static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Max(Math.Abs) + actual.Max(Math.Abs);
        var error = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max() / Math.Max(1e-8, scale);
        Assert.True(error < tolerance, $"relative error {error:g3} ≥ {tolerance:g3}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", actual)}]");
    }
}
