using System;
using System.Linq;
using System.Text.Json.Nodes;

namespace BackpropGen.GradBench;

/// <summary>Reading the evals' inputs (numbers, vectors, row-major matrices) and writing their outputs.</summary>
public static class Json
{
    public static JsonNode Field(JsonNode input, string name) =>
        input[name] ?? throw new ArgumentException($"the input has no field \"{name}\"");

    public static int Int(JsonNode input, string name) => Field(input, name).GetValue<int>();

    public static double Double(JsonNode input, string name) => Field(input, name).GetValue<double>();

    public static double[] Doubles(JsonNode node) =>
        node.AsArray().Select(v => v is null ? throw new ArgumentException("null in a vector") : v.GetValue<double>()).ToArray();

    /// <summary>A vector as a 1-D tensor.</summary>
    public static Tensor Vector(JsonNode input, string name)
    {
        var values = Doubles(Field(input, name));
        return Tensor.FromArray(values, values.Length);
    }

    /// <summary>A list of rows as a 2-D tensor, row-major; an empty row list, or rows of length 0, as 0 columns.</summary>
    public static Tensor Matrix(JsonNode input, string name)
    {
        var rows = Field(input, name).AsArray().Select(row => Doubles(row ?? throw new ArgumentException($"null row in \"{name}\""))).ToArray();
        var columns = rows.Length == 0 ? 0 : rows[0].Length;
        if (rows.Any(row => row.Length != columns))
        {
            throw new ArgumentException($"the rows of \"{name}\" differ in length");
        }

        return Tensor.FromArray(rows.SelectMany(row => row).ToArray(), rows.Length, columns);
    }

    public static JsonNode Number(double value) => JsonValue.Create(value);

    public static JsonNode Array(double[] values) => new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    public static JsonNode Array(Tensor values) => Array(values.ToArray());

    /// <summary>A matrix as a list of rows.</summary>
    public static JsonNode Rows(Tensor matrix)
    {
        var columns = matrix.Shape[1];
        var flat = matrix.ToArray();
        return new JsonArray(Enumerable.Range(0, matrix.Shape[0]).Select(r => Array(flat.AsSpan(r * columns, columns).ToArray())).ToArray());
    }
}
