using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace BackpropGen.Generator.Tests;

/// <summary>Files of this repository (samples, snapshots, the README), found above the test assembly's folder.</summary>
internal static class RepositoryFiles
{
    /// <summary>Folders that hold build output, results or tools' state, never files of the repository.</summary>
    private static readonly HashSet<string> OutputFolders = new(StringComparer.Ordinal)
    {
        ".git", "bin", "obj", "artifacts", "TestResults", "BenchmarkDotNet.Artifacts", "out", ".vs", ".idea",
    };

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

    /// <summary>The repository's root: the folder above the test assembly that holds BackpropGen.sln.</summary>
    public static string Root
    {
        get
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "BackpropGen.sln")))
                {
                    return folder.FullName;
                }
            }

            throw new DirectoryNotFoundException($"no BackpropGen.sln above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>
    /// The repository's own files, as paths relative to <see cref="Root"/> with '/' separators: everything but build
    /// output and snapshots' .received files (which .gitignore leaves out too).
    /// </summary>
    public static IReadOnlyList<string> All()
    {
        var root = Root;
        var files = new List<string>();
        var folders = new Stack<string>();
        folders.Push(root);
        while (folders.Count > 0)
        {
            var folder = folders.Pop();
            foreach (var child in Directory.EnumerateDirectories(folder).Where(child => !OutputFolders.Contains(Path.GetFileName(child))))
            {
                folders.Push(child);
            }

            files.AddRange(Directory.EnumerateFiles(folder)
                .Where(file => !Path.GetFileName(file).Contains(".received.", StringComparison.Ordinal))
                .Select(file => Path.GetRelativePath(root, file).Replace('\\', '/')));
        }

        files.Sort(StringComparer.Ordinal);
        return files;
    }
}
