using System;
using System.IO;

namespace BackpropGen.Generator.Tests;

/// <summary>Files of this repository (samples, snapshots, the README), found above the test assembly's folder.</summary>
internal static class RepositoryFiles
{
    public static string Read(string relativePath)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, relativePath);
            if (File.Exists(candidate))
            {
                return File.ReadAllText(candidate);
            }
        }

        throw new FileNotFoundException($"{relativePath} is not above {AppContext.BaseDirectory}");
    }
}
