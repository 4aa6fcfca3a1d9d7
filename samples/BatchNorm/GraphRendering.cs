using System;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;

namespace BatchNormSample;

/// <summary>Renders a DOT file to SVG with Graphviz's <c>dot</c>, where it is installed.</summary>
internal static class GraphRendering
{
    /// <summary>Writes the SVG beside the DOT file; returns what to tell the user about it.</summary>
    public static string ToSvg(string dotFile)
    {
        var svgFile = Path.ChangeExtension(dotFile, ".svg");
        try
        {
            using var dot = Process.Start(new ProcessStartInfo("dot", $"-Tsvg -o \"{svgFile}\" \"{dotFile}\"")
            {
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (dot is null)
            {
                return " (Graphviz's dot did not start; render it with dot -Tsvg)";
            }

            var errors = dot.StandardError.ReadToEnd();
            dot.WaitForExit();
            return dot.ExitCode == 0 ? $", rendered to {svgFile}" : $" (dot failed: {errors.Trim()})";
        }
        catch (Win32Exception)
        {
            return " (install Graphviz and run dot -Tsvg to see it)";
        }
    }
}
