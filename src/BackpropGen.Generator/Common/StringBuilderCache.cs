using System.Text;

namespace BackpropGen.Generator.Common;

/// <summary>
/// Builders lent out per thread and given back, so that each generated file (and the graph within it) does not grow a new
/// builder to its size (growing them was a fifth of what emission allocated).
/// </summary>
internal static class StringBuilderCache
{
    /// <summary>The largest builder kept (characters); a larger one is left to the GC.</summary>
    private const int MaxKeptCapacity = 256 * 1024;

    // Two: the graph's builder is lent out while the file's is.
    [System.ThreadStatic]
    private static StringBuilder? s_spare;

    [System.ThreadStatic]
    private static StringBuilder? s_secondSpare;

    /// <summary>An empty builder: one of the thread's spare ones if it has one, else a new one.</summary>
    public static StringBuilder Acquire()
    {
        StringBuilder builder;
        if (s_spare is { } spare)
        {
            builder = spare;
            s_spare = null;
        }
        else if (s_secondSpare is { } second)
        {
            builder = second;
            s_secondSpare = null;
        }
        else
        {
            return new StringBuilder();
        }

        builder.Clear();
        return builder;
    }

    /// <summary>Gives the builder back; it must not be used after this.</summary>
    public static void Release(StringBuilder builder)
    {
        if (builder.Capacity > MaxKeptCapacity)
        {
            return;
        }

        if (s_spare is null)
        {
            s_spare = builder;
        }
        else
        {
            s_secondSpare = builder;
        }
    }
}
