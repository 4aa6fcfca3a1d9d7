namespace BackpropGen.Generator.Common;

/// <summary>The names of the members generated for a method <c>M</c> (SPEC §2): one place, used by discovery and emission.</summary>
internal static class GeneratedNames
{
    /// <summary>The tool named by the <c>GeneratedCode</c> attribute on every generated member, by which discovery knows them.</summary>
    public const string GeneratorName = "BackpropGen.Generator";
    public const string GeneratorVersion = "0.1.0";

    public static string Cache(string method) => method + "Cache";

    public static string Forward(string method) => method + "Forward";

    public static string Backward(string method) => method + "Backward";

    /// <summary>The backward step by step, as the steps read: the reference the fused form is tested against.</summary>
    public static string BackwardSteps(string method) => method + "BackwardSteps";

    /// <summary>The backward as passes over the rows, or null when the shapes do not fit them.</summary>
    public static string BackwardFused(string method) => method + "BackwardFused";

    /// <summary>The forward as passes over the rows, or null when the shapes do not fit them.</summary>
    public static string ForwardFused(string method) => method + "ForwardFused";

    /// <summary>The computational graph in Graphviz DOT, as a constant.</summary>
    public static string Graph(string method) => method + "Graph";

    public static string[] All(string method) => new[] { Cache(method), Forward(method), Backward(method), BackwardSteps(method), BackwardFused(method), ForwardFused(method), Graph(method) };
}
