using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using BackpropGen.Generator.Ops;
using Xunit;

namespace BackpropGen.Generator.Tests;

public class ReadmeTests
{
    /// <summary>The files read as text for references: sources, projects, build and CI scripts, docs.</summary>
    private static readonly string[] TextExtensions = { ".md", ".cs", ".csproj", ".props", ".targets", ".sln", ".config", ".json", ".editorconfig", ".gitignore" };

    [Fact]
    public void Every_op_of_the_specification_is_listed_once_and_found_by_its_methods()
    {
        var declared = typeof(Operations).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(field => field.FieldType == typeof(Op))
            .Select(field => (Op)field.GetValue(null)!)
            .ToList();
        Assert.Equal(declared, Operations.All);
        foreach (var op in Operations.All)
        {
            foreach (var method in op.Methods)
            {
                Assert.Same(op, Operations.Find(method.Owner, method.Name, op.Arguments.Count));
            }
        }
    }

    [Fact]
    public void Readme_op_table_lists_every_derivative_rule_as_the_code_has_it()
    {
        var readme = RepositoryFiles.Read("README.md");
        foreach (var op in Operations.All)
        {
            Assert.True(readme.Contains("| " + op.Derivative + " |"), $"README.md's op table lacks {op}: {op.Derivative}");
        }
    }

    [Fact]
    public void No_file_refers_to_the_shared_folder_beside_the_repository()
    {
        // The spec and the seed were read from a folder beside the repository, which no clone has; docs/ holds them now.
        // (Spelled in two parts so that this file does not refer to it either.)
        var outside = "../" + "shared";
        var files = RepositoryFiles.All()
            .Where(path => TextExtensions.Contains(Path.GetExtension(path)) || TextExtensions.Contains(Path.GetFileName(path)) || path == ".ci/run")
            .ToList();
        Assert.Contains("README.md", files);
        Assert.Contains(".ci/run", files);

        var referring = files.Where(path => File.ReadAllText(Path.Combine(RepositoryFiles.Root, path)).Contains(outside, StringComparison.Ordinal)).ToList();
        Assert.True(referring.Count == 0, $"these files refer to {outside}: {string.Join(", ", referring)}");
    }

    [Fact]
    public void Every_relative_link_in_the_markdown_files_resolves_to_a_file_and_heading_in_the_repository()
    {
        var root = RepositoryFiles.Root;
        var markdownFiles = RepositoryFiles.All().Where(path => path.EndsWith(".md", StringComparison.Ordinal)).ToList();
        Assert.Contains("docs/spec.md", markdownFiles);
        Assert.Contains("docs/seed-batchnorm.md", markdownFiles);

        var broken = new List<string>();
        var checkedLinks = 0;
        foreach (var file in markdownFiles)
        {
            var folder = Path.GetDirectoryName(Path.Combine(root, file))!;
            foreach (var target in MarkdownLinks.Targets(File.ReadAllText(Path.Combine(root, file))).Where(t => !MarkdownLinks.IsAbsolute(t)))
            {
                checkedLinks++;
                var hash = target.IndexOf('#');
                var path = Uri.UnescapeDataString(hash < 0 ? target : target.Substring(0, hash));
                var anchor = hash < 0 ? null : target.Substring(hash + 1);
                var resolved = path.Length == 0 ? Path.Combine(root, file) : Path.GetFullPath(Path.Combine(folder, path));
                if (!resolved.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    broken.Add($"{file}: {target} leads out of the repository");
                }
                else if (!File.Exists(resolved) && !Directory.Exists(resolved))
                {
                    broken.Add($"{file}: {target} is no file of the repository");
                }
                else if (anchor is not null && resolved.EndsWith(".md", StringComparison.Ordinal) && !MarkdownLinks.Anchors(File.ReadAllText(resolved)).Contains(anchor))
                {
                    broken.Add($"{file}: {target} names no heading of {Path.GetRelativePath(root, resolved)}");
                }
            }
        }

        Assert.True(broken.Count == 0, string.Join("\n", broken));
        Assert.True(checkedLinks >= 10, $"only {checkedLinks} relative links found: is the link pattern still right?");
    }
}
