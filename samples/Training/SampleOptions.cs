using System;
using System.IO;

namespace Samples.Training;

/// <summary>
/// The command line of a trained sample: <c>[--quick] [output folder]</c>. <c>--quick</c> is the short run CI makes;
/// the folder defaults to <c>out</c> beside the sample's project file, wherever the command runs from.
/// </summary>
public sealed record SampleOptions(bool Quick, string OutputFolder)
{
    /// <summary>Reads <paramref name="args"/>; <paramref name="projectFile"/> (e.g. <c>ConvNet.csproj</c>) locates the default folder.</summary>
    public static SampleOptions Parse(string[] args, string projectFile)
    {
        ArgumentNullException.ThrowIfNull(args);
        bool quick = false;
        string? folder = null;
        foreach (var arg in args)
        {
            if (arg == "--quick")
            {
                quick = true;
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unknown option {arg}; usage: [--quick] [output folder]");
            }
            else
            {
                folder = arg;
            }
        }

        return new SampleOptions(quick, Path.GetFullPath(folder ?? DefaultOutputFolder(projectFile)));
    }

    private static string DefaultOutputFolder(string projectFile)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, projectFile)))
            {
                return Path.Combine(folder.FullName, "out");
            }
        }

        return "out";
    }
}
