using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace BackpropGen.Generator.Tests;

public class IncrementalityTests
{
    private static readonly string[] TrackedSteps =
    {
        DifferentiableGenerator.TrackingNames.Lowered,
        DifferentiableGenerator.TrackingNames.Methods,
        DifferentiableGenerator.TrackingNames.Differentiated,
        DifferentiableGenerator.TrackingNames.Planned,
    };

    private const string Unrelated = """
        public static class Helpers
        {
            public static int Twice(int x) => 2 * x;
        }
        """;

    [Fact]
    public void A_comment_elsewhere_leaves_every_step_cached_or_unchanged()
    {
        var (driver, compilation) = RunOnce(Sources.SeedBatchNorm, Unrelated);
        var edited = ReplaceTree(compilation, 1, "// a comment\n" + Unrelated);

        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (var name in TrackedSteps)
        {
            var outputs = result.TrackedSteps[name].SelectMany(step => step.Outputs).ToList();
            Assert.NotEmpty(outputs);
            Assert.All(outputs, output => Assert.True(
                output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"{name} was {output.Reason}"));
        }

        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), output => Assert.True(
            output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
    }

    [Fact]
    public void A_comment_inside_the_method_regenerates_nothing()
    {
        var (driver, compilation) = RunOnce(Sources.SeedBatchNorm, Unrelated);
        var edited = ReplaceTree(compilation, 0, Sources.SeedBatchNorm.Replace("var xmu = x - mu;", "var xmu = x - mu; // centred"));

        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var method = result.TrackedSteps[DifferentiableGenerator.TrackingNames.Methods].SelectMany(s => s.Outputs).Single();
        Assert.True(method.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"was {method.Reason}");
    }

    [Fact]
    public void Changing_a_step_regenerates_the_method()
    {
        var (driver, compilation) = RunOnce(Sources.SeedBatchNorm, Unrelated);
        var edited = ReplaceTree(compilation, 0, Sources.SeedBatchNorm.Replace("var gammax = gamma * xhat;", "var gammax = xhat * gamma;"));

        var run = driver.RunGenerators(edited).GetRunResult();
        var result = run.Results.Single();

        var planned = result.TrackedSteps[DifferentiableGenerator.TrackingNames.Planned].SelectMany(s => s.Outputs).Single();
        Assert.Equal(IncrementalStepRunReason.Modified, planned.Reason);
        Assert.Contains("gammax = xhat * gamma", result.GeneratedSources.Single().SourceText.ToString());
    }

    private static (GeneratorDriver Driver, Compilation Compilation) RunOnce(params string[] sources)
    {
        var compilation = GeneratorHarness.Compile(sources);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        return (driver, compilation);
    }

    private static Compilation ReplaceTree(Compilation compilation, int index, string source)
    {
        var old = compilation.SyntaxTrees.ElementAt(index);
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions, old.FilePath));
    }
}
