using System;
using System.Text;

namespace BackpropGen.Generator.Common;

/// <summary>
/// One builder per thread, lent out and given back, so that each generated file, graph or flattened step does not grow a
/// new builder to its size (growing them was a fifth of what emission allocated).
/// </summary>
internal static class StringBuilderCache
{
    /// <summary>The largest builder kept (characters); a larger one is left to the GC.</summary>
    private const int MaxKeptCapacity = 256 * 1024;

    // Two: the graph's builder is lent out while the file's is.
    [ThreadStatic]
    private static StringBuilder? s_spare;

    [ThreadStatic]
    private static StringBuilder? s_secondSpare;

    /// <summary>An empty builder: one of the thread's spare ones if there is one, else a new one.</summary>
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

    /// <summary>The builder's text; the builder is kept for the next <see cref="Acquire"/> and must not be used after this.</summary>
    public static string ToStringAndRelease(StringBuilder builder)
    {
        var text = builder.ToString();
        if (builder.Capacity <= MaxKeptCapacity)
        {
            if (s_spare is null)
            {
                s_spare = builder;
            }
            else
            {
                s_secondSpare = builder;
            }
        }

        return text;
    }
}
