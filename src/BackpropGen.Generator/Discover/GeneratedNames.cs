namespace BackpropGen.Generator.Discover;

/// <summary>The names of the members generated for a method <c>M</c> (SPEC §2): one place, used by discovery and emission.</summary>
internal static class GeneratedNames
{
    public static string Cache(string method) => method + "Cache";

    public static string Forward(string method) => method + "Forward";

    public static string Backward(string method) => method + "Backward";

    /// <summary>The computational graph in Graphviz DOT, as a constant.</summary>
    public static string Graph(string method) => method + "Graph";

    public static string[] All(string method) => new[] { Cache(method), Forward(method), Backward(method), Graph(method) };
}
