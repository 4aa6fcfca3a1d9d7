using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace BackpropGen.Generator.Tests;

/// <summary>The generator's stages, one folder each, depend one way: on the shared folders and on earlier stages only.</summary>
public class PipelineStructureTests
{
    /// <summary>The folders every stage may read: shared values, the backward IR, the op specification, the diagnostics' descriptors.</summary>
    private static readonly string[] Shared = { "Common", "Ir", "Ops", "Diagnostics" };

    /// <summary>The stages in the order data flows through them.</summary>
    private static readonly string[] Stages = { "Discover", "Lower", "Link", "Differentiate", "Plan", "Fuse", "Emit" };

    [Fact]
    public void No_stage_refers_to_a_later_stage_and_no_shared_folder_to_any_stage()
    {
        var root = Path.Combine(RepositoryFiles.Root, "src", "BackpropGen.Generator");
        var reference = new Regex(@"\bBackpropGen\.Generator\.(?<folder>[A-Z][A-Za-z]*)\b");
        var found = 0;
        foreach (var folder in Shared.Concat(Stages))
        {
            var allowed = Shared.Contains(folder)
                ? Shared.TakeWhile(shared => shared != folder).Append(folder).ToArray()
                : Shared.Concat(Stages.TakeWhile(stage => stage != folder)).Append(folder).ToArray();
            foreach (var file in Directory.GetFiles(Path.Combine(root, folder), "*.cs"))
            {
                found++;
                foreach (Match match in reference.Matches(File.ReadAllText(file)))
                {
                    var target = match.Groups["folder"].Value;
                    Assert.True(
                        allowed.Contains(target) || !Shared.Concat(Stages).Contains(target),
                        $"{folder}/{Path.GetFileName(file)} refers to {target}, which comes later in the pipeline");
                }
            }
        }

        Assert.True(found > 30, $"only {found} generator files were read");
    }
}
