using System.Linq;
using Xunit;

namespace BackpropGen.Generator.Tests;

public class SnapshotTests
{
    [Fact]
    public void Spec_batchnorm_generates_cache_forward_and_seed_like_backward()
    {
        var (result, _) = GeneratorHarness.Run(Sources.SpecBatchNorm);
        var file = Assert.Single(result.Results.Single().GeneratedSources);
        Assert.Equal("Layers.BatchNorm.g.cs", file.HintName);
        Snapshot.Verify(file.SourceText.ToString(), file.HintName);
    }

    [Fact]
    public void Seed_named_batchnorm_in_a_namespace_generates_the_seed_gradient_names()
    {
        var (result, _) = GeneratorHarness.Run(Sources.SeedBatchNorm);
        var file = Assert.Single(result.Results.Single().GeneratedSources);
        Assert.Equal("Samples.Layers.BatchNorm.g.cs", file.HintName);
        Snapshot.Verify(file.SourceText.ToString(), file.HintName);
    }

    [Fact]
    public void Reassigned_locals_become_versions_whose_backward_reads_like_new_locals()
    {
        var (result, _) = GeneratorHarness.Run(Sources.Reassigned);
        var file = Assert.Single(result.Results.Single().GeneratedSources);
        Snapshot.Verify(file.SourceText.ToString(), file.HintName);
    }

    /// <summary>
    /// The loop and branch layers the end-to-end tests gradient-check (an RNN calling its cell, a Monte Carlo call, RK4,
    /// Newton's method, branches, nested and stepped loops): each file held as reviewed text.
    /// </summary>
    [Fact]
    public void Loops_and_branches_generate_reviewed_files() => VerifyLayerFiles(
        "tests/BackpropGen.Tests/EndToEnd/LoopLayers.cs",
        ["ArmCounter", "ArmLocals", "Branches", "Cell", "Chosen", "Corners", "DeepReturn", "ElementFit", "ElementPairs", "EuropeanCall", "FirstAbove", "GrownSequence", "MaybeNoIterations", "Nested", "NestedJumps", "NewtonReturning", "NewtonSqrt", "NewtonWithBreak", "OverInputs", "Piecewise", "ReturnFromArm", "Rk4", "Rnn", "RowEnergy", "SideBySide", "Skipping", "Stepped"],
        fused: false);

    /// <summary>
    /// The layers that reduce along the last axis which the end-to-end tests gradient-check through the fused backward
    /// (LayerNorm counted from the end, a softmax cross-entropy and a log-softmax in steps, row sums not kept, column and
    /// row reductions together): their passes read row statistics once a row and sum along rows in registers.
    /// </summary>
    [Fact]
    public void Row_reductions_generate_reviewed_files() => VerifyLayerFiles(
        "tests/BackpropGen.Tests/EndToEnd/RowReductionLayers.cs",
        ["CenteredColumnsScaledRows", "LayerNormLastAxis", "LogSoftmaxRows", "LogSumExpTotal", "SoftmaxCrossEntropy"],
        fused: true);

    /// <summary>
    /// Calls of hand-written derivatives (SPEC §8) beside generated steps, nested in expressions and in loops: a
    /// <c>[CustomDerivative]</c>'s forward keeping its cache, a <c>[DerivativeOf]</c> backward given the call's arguments,
    /// each tensor gradient a hand-written backward returns checked for its shape; <c>StopGradient</c>, through which no
    /// gradient flows.
    /// </summary>
    [Fact]
    public void Hand_written_derivatives_and_stop_gradient_generate_reviewed_call_sites() => VerifyLayerFiles(
        "tests/BackpropGen.Tests/EndToEnd/CustomDerivativeLayers.cs",
        ["AllStopped", "CenteredByConstant", "ElementsThroughBranches", "ScaledBySum", "SeriesOfMean", "SoftplusErf", "SoftplusStack", "TanhHypot", "UsesDoubled"],
        fused: false);

    /// <summary>
    /// A checkpointed block in a loop and nested in an expression: the caller's forward calls the block itself and tapes
    /// its inputs, and its backward runs the block's forward again before the block's backward.
    /// </summary>
    [Fact]
    public void Checkpointed_calls_generate_reviewed_call_sites()
    {
        var (result, output) = GeneratorHarness.Run(RepositoryFiles.Read("tests/BackpropGen.Tests/EndToEnd/CheckpointLayers.cs"));
        Assert.Empty(GeneratorHarness.CompilationProblems(output));
        var file = Assert.Single(result.Results.Single().GeneratedSources, f => f.HintName.Split('.')[^3] == "CheckpointedStack");
        Snapshot.Verify(file.SourceText.ToString(), file.HintName);
    }

    /// <summary>
    /// Generates a file of layers, checks that it compiles and makes one file per method (with a fused backward in
    /// each, when <paramref name="fused"/>), and holds each file as reviewed text.
    /// </summary>
    private static void VerifyLayerFiles(string path, string[] methods, bool fused, [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        var (result, output) = GeneratorHarness.Run(RepositoryFiles.Read(path));
        Assert.Empty(GeneratorHarness.CompilationProblems(output));
        var files = result.Results.Single().GeneratedSources;
        Assert.Equal(methods, files.Select(f => f.HintName.Split('.')[^3]).OrderBy(n => n, System.StringComparer.Ordinal));
        foreach (var file in files)
        {
            var text = file.SourceText.ToString();
            Assert.True(!fused || text.Contains("BackwardFused(", System.StringComparison.Ordinal), $"{file.HintName} has no fused backward");
            Snapshot.Verify(text, file.HintName, testName: test);
        }
    }

    /// <summary>
    /// Max pools in loops, whose forwards keep the argmax each found (the method's own in the cache, a loop body's on a
    /// tape, once per iteration) and whose backwards read it, not the tensor it was found in: each file held as reviewed text.
    /// </summary>
    [Fact]
    public void Max_pools_in_loops_keep_their_argmax_in_reviewed_files()
    {
        var (result, output) = GeneratorHarness.Run(
            RepositoryFiles.Read("tests/BackpropGen.Tests/EndToEnd/LoopOpLayers.cs"),
            RepositoryFiles.Read("tests/BackpropGen.Tests/EndToEnd/ConvolutionLayers.cs"));
        Assert.Empty(GeneratorHarness.CompilationProblems(output));
        var files = result.Results.Single().GeneratedSources.Where(f => f.HintName.Split('.')[^3] is "PooledStack" or "PooledLoss").ToList();
        Assert.Equal(2, files.Count);
        foreach (var file in files)
        {
            Snapshot.Verify(file.SourceText.ToString(), file.HintName);
        }
    }
}
