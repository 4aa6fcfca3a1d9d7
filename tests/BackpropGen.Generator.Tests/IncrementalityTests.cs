using System;
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

    /// <summary>F calls G, a [Differentiable] method of another class in another file.</summary>
    private static readonly string Caller = OneMethodClass("L", "F(Tensor x, Tensor w)", "var h = M.G(x, w); var o = h * w; return o;");

    private static readonly string Callee = OneMethodClass("M", "G(Tensor x, Tensor w)", "var h = Tanh(x) * w; return h;");

    private static string OneMethodClass(string type, string signature, string body) => $$"""
        using BackpropGen;
        using static BackpropGen.Tensor;

        public static partial class {{type}}
        {
            [Differentiable]
            public static Tensor {{signature}}
            {
                {{body}}
            }
        }
        """;

    [Fact]
    public void A_callee_in_another_file_made_to_take_no_gradient_for_a_parameter_regenerates_its_callers_backward()
    {
        var (driver, compilation) = RunOnce(Caller, Callee);
        var before = GeneratedText(driver.GetRunResult(), "L.F.g.cs");
        Assert.Matches(@"var \(\w+, \w+\) = global::M\.GBackward\(", before);

        // G's backward now returns dx alone: a caller still deconstructing two gradients from it would not compile.
        var edited = ReplaceTree(compilation, 1, Callee.Replace("Tensor G(Tensor x, Tensor w)", "Tensor G(Tensor x, [NoGrad] Tensor w)", StringComparison.Ordinal));
        driver = driver.RunGeneratorsAndUpdateCompilation(edited, out var output, out _);

        var run = driver.GetRunResult();
        var after = GeneratedText(run, "L.F.g.cs");
        Assert.Matches(@"var \w+ = global::M\.GBackward\(", after);
        Assert.Equal(IncrementalStepRunReason.Modified, PlannedReason(run.Results.Single(), "L.F"));
        Assert.Empty(GeneratorHarness.CompilationProblems(output));
    }

    [Fact]
    public void A_change_inside_a_callee_that_its_callers_do_not_see_regenerates_only_the_callee()
    {
        var (driver, compilation) = RunOnce(Caller, Callee);
        var edited = ReplaceTree(compilation, 1, Callee.Replace("Tanh(x) * w", "w * Tanh(x)", StringComparison.Ordinal));

        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.Equal(IncrementalStepRunReason.Modified, PlannedReason(result, "M.G"));
        Assert.True(PlannedReason(result, "L.F") is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"the caller was {PlannedReason(result, "L.F")}");
    }

    private static string GeneratedText(GeneratorDriverRunResult run, string hintName) =>
        run.Results.Single().GeneratedSources.Single(source => source.HintName == hintName).SourceText.ToString();

    /// <summary>
    /// How the Planned step's output for a method came about on the last run; the method by its documentation id
    /// (<c>M:L.F(BackpropGen.Tensor,BackpropGen.Tensor)</c>), which each stage's output carries as its <c>Method</c>.
    /// </summary>
    private static IncrementalStepRunReason PlannedReason(GeneratorRunResult result, string method) =>
        result.TrackedSteps[DifferentiableGenerator.TrackingNames.Planned]
            .SelectMany(step => step.Outputs)
            .Single(output => output.Value.GetType().GetProperty("Method")?.GetValue(output.Value) is string key && key.StartsWith("M:" + method + "(", StringComparison.Ordinal))
            .Reason;

    private static (GeneratorDriver Driver, Compilation Compilation) RunOnce(params string[] sources)
    {
        var compilation = GeneratorHarness.Compile(sources);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        PipelineChecks.AssertRerunCachedAndFreeOfRoslynObjects(driver, compilation);
        return (driver, compilation);
    }

    private static Compilation ReplaceTree(Compilation compilation, int index, string source)
    {
        var old = compilation.SyntaxTrees.ElementAt(index);
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions, old.FilePath));
    }
}
