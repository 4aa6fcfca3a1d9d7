using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using BackpropGen.Generator.Analyze;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace BackpropGen.Generator.Tests;

/// <summary>Inputs at the edges: very deep steps, very long methods, and repeated runs.</summary>
public class RobustnessTests
{
    /// <summary>The stack a compiler thread gets on Windows; Linux and macOS give more.</summary>
    private const int CompilerThreadStack = 1024 * 1024;

    [Fact]
    public void A_sum_of_5000_terms_is_reported_as_too_deep_without_overflowing_a_1MB_stack()
    {
        var source = Method("var y = " + string.Join(" + ", Enumerable.Repeat("x", 5000)) + ";\n        return y;");
        var (generated, analyzer) = RunOnSmallStack(source);

        Assert.Equal(0, generated);
        var diagnostic = Assert.Single(analyzer);
        Assert.Equal("BPG0014", diagnostic.Id);
        Assert.StartsWith("x + x + x", source.Substring(diagnostic.Location.SourceSpan.Start));
        Assert.Contains("nests 5000 levels deep", diagnostic.GetMessage());
    }

    [Fact]
    public void Calls_nested_500_deep_are_reported_as_too_deep_without_overflowing_a_1MB_stack()
    {
        var source = Method("var y = " + string.Concat(Enumerable.Repeat("Exp(", 500)) + "x" + new string(')', 500) + ";\n        return y;");
        var (generated, analyzer) = RunOnSmallStack(source);

        Assert.Equal(0, generated);
        var diagnostic = Assert.Single(analyzer);
        Assert.Equal("BPG0014", diagnostic.Id);
        Assert.StartsWith("Exp(Exp(", source.Substring(diagnostic.Location.SourceSpan.Start));
    }

    [ExtendedFact]
    [Trait("Category", ExtendedTier.Category)]
    public void Calls_nested_5000_deep_are_too_complex_for_Roslyn_itself_and_neither_generator_nor_analyzer_throws()
    {
        var source = Method("var y = " + string.Concat(Enumerable.Repeat("Exp(", 5000)) + "x" + new string(')', 5000) + ";\n        return y;");
        var (generated, analyzer) = RunOnSmallStack(source);

        // Roslyn parses and binds nested calls recursively and gives up with CS8078 "An expression is too long or
        // complex to compile": the parser (leaving a tree with nothing to analyse) or the binder, depending on the
        // stack it has. Whichever it is, the generator emits nothing and the analyzer at most adds BPG0014.
        Assert.Contains(GeneratorHarness.Compile(source).GetDiagnostics(), d => d.Id == "CS8078");
        Assert.Equal(0, generated);
        Assert.All(analyzer, d => Assert.Equal("BPG0014", d.Id));
    }

    [Fact]
    public void A_step_just_under_the_nesting_limit_generates_code_that_compiles()
    {
        var terms = Discover.MethodDiscovery.MaxExpressionDepth;
        var source = Method("var y = " + string.Join(" + ", Enumerable.Repeat("x", terms)) + ";\n        return y;");

        var (result, output) = GeneratorHarness.Run(source);

        Assert.Single(result.GeneratedTrees);
        Assert.Empty(GeneratorHarness.CompilationProblems(output));
        Assert.DoesNotContain(GeneratorHarness.AnalyzerDiagnostics(source), d => d.Severity == DiagnosticSeverity.Error);
    }

    /// <summary>
    /// Loops and branches nested 64 deep, the state carried through all of them: generated on a compiler thread's
    /// stack, it compiles, and its backward matches central differences.
    /// </summary>
    [Theory]
    [InlineData("for (int i{0} = 0; i{0} < 1; i{0}++)")]
    [InlineData("if (x.Rank > {0} - 100)")]
    [InlineData("int c{0} = 0;\nwhile (c{0} < 1)")]
    public void Loops_and_branches_nested_64_deep_generate_a_backward_that_matches_central_differences(string header)
    {
        const int depth = 64;
        var body = new System.Text.StringBuilder("var h = x * 1.0;\n");
        for (var level = 0; level < depth; level++)
        {
            body.Append(string.Format(System.Globalization.CultureInfo.InvariantCulture, header, level)).Append("\n{\n");
            body.Append("h = Tanh(h) * 1.5;\n");
        }

        for (var level = depth - 1; level >= 0; level--)
        {
            body.Append("h = h + x * 0.01;\n");
            if (header.Contains("while", StringComparison.Ordinal))
            {
                // Each while loop runs once, counted by a local of the enclosing block.
                body.Append(string.Format(System.Globalization.CultureInfo.InvariantCulture, "c{0}++;\n", level));
            }

            body.Append("}\n");
        }

        body.Append("return h;");
        var source = Method(body.ToString()).Replace("partial class Deep", "partial class L", StringComparison.Ordinal);
        var (generated, analyzer) = RunOnSmallStack(source);
        Assert.Equal(1, generated);
        Assert.DoesNotContain(analyzer, d => d.Severity == DiagnosticSeverity.Error);
        FuzzFindingsTests.AssertGradientChecks(FuzzFindingsTests.GenerateCompiling(source), Tensor.RandomNormal(5, 3, 2));
    }

    /// <summary>
    /// Jumps nested in branches side by side: each such branch runs the rest of the loop's body in both its arms, so 24
    /// of them would copy it 2^24 times. The copying is bounded, and the method reported where the bound is passed.
    /// </summary>
    [Fact]
    public void Jumps_nested_in_many_branches_side_by_side_are_reported_without_copying_the_rest_of_the_body_exponentially()
    {
        var body = new System.Text.StringBuilder("var h = x * 1.0;\nfor (int i = 0; i < 3; i++)\n{\n");
        for (var k = 0; k < 24; k++)
        {
            body.Append($"if (i > {k}) {{ h = Tanh(h); if (i > {k + 1}) {{ continue; }} }}\n");
        }

        body.Append("h = h * 1.5;\n}\nreturn h;");
        var source = Method(body.ToString());
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (generated, analyzer) = RunOnSmallStack(source);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        Assert.Equal(0, generated);
        Assert.Contains(analyzer, d => d.Id == "BPG0007" && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("copied into each arm", StringComparison.Ordinal));
    }

    /// <summary>A few jumps nested in branches side by side stay under the bound and are differentiated.</summary>
    [Fact]
    public void Jumps_nested_in_a_few_branches_side_by_side_generate_a_backward_that_matches_central_differences()
    {
        var body = new System.Text.StringBuilder("var h = x * 1.0;\nfor (int i = 0; i < 6; i++)\n{\n");
        for (var k = 0; k < 4; k++)
        {
            body.Append($"if (i > {k}) {{ h = Tanh(h) * 1.2; if (i % {k + 2} == 1) {{ continue; }} }}\n");
        }

        body.Append("h = h + x * 0.1;\n}\nreturn h;");
        var source = Method(body.ToString()).Replace("partial class Deep", "partial class L", StringComparison.Ordinal);
        var (generated, analyzer) = RunOnSmallStack(source);
        Assert.Equal(1, generated);
        Assert.DoesNotContain(analyzer, d => d.Severity == DiagnosticSeverity.Error);
        FuzzFindingsTests.AssertGradientChecks(FuzzFindingsTests.GenerateCompiling(source), Tensor.RandomNormal(5, 3, 2));
    }

    [ExtendedFact]
    [Trait("Category", ExtendedTier.Category)]
    public void A_2000_step_method_generates_code_that_compiles()
    {
        var (result, output) = GeneratorHarness.Run(LongMethod(2000));
        Assert.Single(result.GeneratedTrees);
        Assert.Empty(GeneratorHarness.CompilationProblems(output));
    }

    [Theory]
    [InlineData(Sources.SpecBatchNorm)]
    [InlineData(Sources.SeedBatchNorm)]
    public void Two_runs_generate_byte_identical_output(string source)
    {
        var first = GeneratedBytes(source);
        var second = GeneratedBytes(source);
        Assert.NotEmpty(first);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Two_runs_over_a_long_method_generate_byte_identical_output()
    {
        var source = LongMethod(300);
        Assert.Equal(GeneratedBytes(source), GeneratedBytes(source));
    }

    private static byte[] GeneratedBytes(string source)
    {
        // A fresh parse, compilation and driver each time: nothing is shared between the runs.
        var (result, _) = GeneratorHarness.Run(source);
        return result.Results.Single().GeneratedSources
            .SelectMany(s => System.Text.Encoding.UTF8.GetBytes(s.HintName + "\n" + s.SourceText))
            .ToArray();
    }

    private static string Method(string body) => $$"""
        using BackpropGen;
        using static BackpropGen.Tensor;
        public static partial class Deep
        {
            [Differentiable]
            public static Tensor F(Tensor x)
            {
                {{body}}
            }
        }
        """;

    /// <summary>A method of <paramref name="steps"/> one-operation steps, each reading one or two earlier values.</summary>
    internal static string LongMethod(int steps)
    {
        var body = new System.Text.StringBuilder();
        for (var i = 1; i <= steps; i++)
        {
            var previous = i == 1 ? "x" : "v" + (i - 1);
            var earlier = i <= 3 ? "x" : "v" + (i / 2);
            // Every seventh step centres its input, so that the backward has sums to plan and passes to fuse.
            body.Append("        var v").Append(i).Append(" = ").Append(i % 7 == 0 ? $"{previous} - Mean({previous}, axis: 0)" : (i % 5) switch
            {
                0 => $"{previous} + {earlier}",
                1 => $"{previous} * 0.5",
                2 => $"Tanh({previous})",
                3 => $"{previous} - {earlier}",
                _ => $"{previous} * {earlier}",
            }).Append(";\n");
        }

        return $$"""
            using BackpropGen;
            using static BackpropGen.Tensor;
            public static partial class Long
            {
                [Differentiable]
                public static Tensor F(Tensor x)
                {
            {{body}}        return v{{steps}};
                }
            }
            """;
    }

    /// <summary>
    /// Runs the generator and the analyzer on a thread with a compiler thread's stack: a stack overflow cannot be
    /// caught and would end the test run, so passing proves neither relies on deep recursion for this input.
    /// The source is parsed before, on the test's thread: Roslyn's own parser needs more than 1 MB for some of these.
    /// </summary>
    private static (int Generated, System.Collections.Generic.IReadOnlyList<Diagnostic> Analyzer) RunOnSmallStack(string source)
    {
        var compilation = GeneratorHarness.Compile(source);
        (int, System.Collections.Generic.IReadOnlyList<Diagnostic>) outcome = default;
        Exception? failure = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    var result = GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult();
                    Assert.Null(result.Results.Single().Exception);
                    Assert.Empty(result.Diagnostics);
                    outcome = (result.GeneratedTrees.Length, GeneratorHarness.AnalyzerDiagnostics(compilation));
                }
                catch (Exception exception)
                {
                    failure = exception;
                }
            },
            CompilerThreadStack);
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new Xunit.Sdk.XunitException("failed on the small-stack thread: " + failure);
        }

        return outcome;
    }
}

/// <summary>How the generator's and the analyzer's cost grows with the length of a method.</summary>
/// <remarks>
/// Alone, after the other tests: it times the generator, and the random programs compiling beside it on both cores once
/// slowed one of its runs enough to fail it. The other inputs at the edges (<see cref="RobustnessTests"/>) time nothing
/// and run beside the rest.
/// </remarks>
[Collection(nameof(GenerationGrowthTests))]
public class GenerationGrowthTests
{
    private readonly ITestOutputHelper _output;

    public GenerationGrowthTests(ITestOutputHelper output) => _output = output;

    [ExtendedFact]
    [Trait("Category", ExtendedTier.Category)]
    public void Generation_time_and_memory_grow_linearly_with_the_number_of_steps()
    {
        // Roslyn's nullable analysis of one method costs time per statement and per local, which is its own quadratic,
        // not BackpropGen's: it is switched off here so that the measurement is of discovery, lowering and emission.
        static Compilation Compile(int steps)
        {
            var compilation = GeneratorHarness.Compile(RobustnessTests.LongMethod(steps));
            return compilation.WithOptions(compilation.Options.WithNullableContextOptions(NullableContextOptions.Disable));
        }

        static void Generate(Compilation compilation) =>
            Assert.Null(GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult().Results.Single().Exception);

        var small = Compile(500);
        var large = Compile(2000);
        var generator = Growth(() => Generate(small), () => Generate(large));
        var analyzer = Growth(() => GeneratorHarness.AnalyzerDiagnostics(small), () => GeneratorHarness.AnalyzerDiagnostics(large));
        _output.WriteLine($"generator: {generator}");
        _output.WriteLine($"analyzer:  {analyzer}");

        // Four times the steps: linear is 4x, quadratic 16x. Allocation is counted, so its bound is tight; time is
        // measured on a shared machine, so its bound sits halfway (geometrically) and a reading over it is taken again
        // before it fails.
        Assert.True(generator.BytesRatio < 5, $"generator: 2000 steps allocated {generator.BytesRatio:F1}x the bytes of 500");
        Assert.True(analyzer.BytesRatio < 5, $"analyzer: 2000 steps allocated {analyzer.BytesRatio:F1}x the bytes of 500");
        Assert.True(generator.TimeRatio < 8, $"generator: 2000 steps took {generator.TimeRatio:F1}x the time of 500 ({generator})");
        Assert.True(analyzer.TimeRatio < 8, $"analyzer: 2000 steps took {analyzer.TimeRatio:F1}x the time of 500 ({analyzer})");
    }

    /// <summary>How a run's time and allocation grow from the small input to the large one.</summary>
    private sealed record GrowthReading(TimeSpan SmallTime, TimeSpan LargeTime, long SmallBytes, long LargeBytes)
    {
        public double TimeRatio => LargeTime / SmallTime;

        public double BytesRatio => (double)LargeBytes / SmallBytes;

        public override string ToString() =>
            $"500 steps {SmallTime.TotalMilliseconds:F0} ms {SmallBytes / 1e6:F1} MB, 2000 steps {LargeTime.TotalMilliseconds:F0} ms "
            + $"{LargeBytes / 1e6:F1} MB, time ratio {TimeRatio:F2}, bytes ratio {BytesRatio:F2}";
    }

    /// <summary>
    /// Times <paramref name="small"/> and <paramref name="large"/> in turn, each after a full collection, and keeps the
    /// fastest of each: the two then see the same neighbours, the same JIT tier and a heap in the same state. Runs both
    /// until the JIT has settled first, and measures up to three times while the time ratio reads as superlinear: a
    /// quadratic reads so every time, a busy neighbour seldom three times running.
    /// </summary>
    private static GrowthReading Growth(Action small, Action large)
    {
        for (var i = 0; i < 6; i++)
        {
            small();
        }

        large();
        GrowthReading reading = null!;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            reading = FastestOfFiveInTurn(small, large);
            if (reading.TimeRatio < 8)
            {
                break;
            }
        }

        return reading;
    }

    private static GrowthReading FastestOfFiveInTurn(Action small, Action large)
    {
        var reading = new GrowthReading(TimeSpan.MaxValue, TimeSpan.MaxValue, 0, 0);
        for (var i = 0; i < 5; i++)
        {
            var (smallTime, smallBytes) = Measure(small);
            var (largeTime, largeBytes) = Measure(large);
            reading = new GrowthReading(
                smallTime < reading.SmallTime ? smallTime : reading.SmallTime,
                largeTime < reading.LargeTime ? largeTime : reading.LargeTime,
                smallBytes,
                largeBytes);
        }

        return reading;
    }

    /// <summary>
    /// One run's time and the bytes it allocated on every thread (nothing else runs beside this collection). The run is
    /// timed with the collector held off where the runtime allows it: collections cost more as the heap of a larger input
    /// grows (measured: 500 against 2000 steps is 5-7x with them and about 4x without), and they are the runtime's
    /// growth, not the generator's. The allocation ratio covers what they would have to do.
    /// </summary>
    private static (TimeSpan Time, long Bytes) Measure(Action action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var collectorHeldOff = TryHoldOffCollections();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        action();
        watch.Stop();
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        if (collectorHeldOff && System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion)
        {
            GC.EndNoGCRegion();
        }

        return (watch.Elapsed, bytes);
    }

    private static bool TryHoldOffCollections()
    {
        try
        {
            return GC.TryStartNoGCRegion(256L * 1024 * 1024);
        }
        catch (ArgumentOutOfRangeException)
        {
            // More than this runtime's ephemeral space allows: time the run with collections.
            return false;
        }
    }
}

/// <summary>Runs <see cref="GenerationGrowthTests"/> with no other test class at the same time.</summary>
[CollectionDefinition(nameof(GenerationGrowthTests), DisableParallelization = true)]
public sealed class GenerationGrowthTestsRunAlone
{
}
