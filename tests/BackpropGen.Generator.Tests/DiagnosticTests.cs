using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace BackpropGen.Generator.Tests;

/// <summary>
/// Each diagnostic id, reported by the analyzer at the exact code that causes it. Sources mark the expected span as
/// <c>{|BPG0007:for|}</c>; a test passes only when the analyzer reports exactly the marked diagnostics.
/// </summary>
public class DiagnosticTests
{
    private const string Usings = """
        using BackpropGen;
        using static BackpropGen.Tensor;

        """;

    [Theory]
    [InlineData("""
        public static class {|BPG0001:Layers|}
        {
            [Differentiable]
            public static Tensor F(Tensor x) => x * x;
        }
        """)]
    [InlineData("""
        public static class {|BPG0001:Outer|}
        {
            public static partial class Inner
            {
                [Differentiable]
                public static Tensor F(Tensor x) => x * x;
            }
        }
        """)]
    public void BPG0001_a_containing_type_that_is_not_partial_is_reported_at_its_name(string markup) => AssertReported(Usings + markup);

    [Theory]
    [InlineData("public Tensor {|BPG0002:F|}(Tensor x) => x * x;")]
    [InlineData("public static Tensor F{|BPG0003:<T>|}(Tensor x) => x * x;")]
    [InlineData("public static {|BPG0005:int|} F(Tensor x) => 1;")]
    [InlineData("public static {|BPG0005:void|} F(Tensor x) { }")]
    [InlineData("public static {|BPG0005:float|} F(Tensor x) => 1f;")]
    [InlineData("public static Tensor F({|BPG0006:ref Tensor x|}) => x * x;")]
    [InlineData("public static Tensor F(Tensor x, {|BPG0006:out Tensor y|}) { y = x; return x * x; }")]
    [InlineData("public static Tensor F({|BPG0006:in Tensor x|}) => x * x;")]
    [InlineData("public static Tensor {|BPG0012:F|}([NoGrad] Tensor x) => x * x;")]
    [InlineData("public static Tensor {|BPG0012:F|}(int[] index) => Tensor.Zeros(index);")]
    [InlineData("public static Tensor {|BPG0011:F|}(Tensor x) { var y = x * x; }")]
    public void A_bad_signature_is_reported_at_the_offending_part(string method) => AssertReported(Usings + $$"""
        public static partial class Layers
        {
            [Differentiable]
            {{method}}
        }
        """);

    [Fact]
    public void BPG0003_a_method_of_a_generic_type_is_reported_at_its_name() => AssertReported(Usings + """
        public static partial class Box<T>
        {
            [Differentiable]
            public static Tensor {|BPG0003:F|}(Tensor x) => x * x;
        }
        """);

    [Fact]
    public void BPG0004_an_async_method_is_reported_at_async_and_its_task_result_at_the_return_type() => AssertReported(Usings + """
        public static partial class Layers
        {
            [Differentiable]
            public static {|BPG0004:async|} {|BPG0005:System.Threading.Tasks.Task<Tensor>|} F(Tensor x)
            {
                await System.Threading.Tasks.Task.Yield();
                return x * x;
            }
        }
        """);

    [Fact]
    public void BPG0004_an_iterator_is_reported_at_its_name() => AssertReported(Usings + """
        public static partial class Layers
        {
            [Differentiable]
            public static {|BPG0005:System.Collections.Generic.IEnumerable<Tensor>|} {|BPG0004:F|}(Tensor x)
            {
                yield return x * x;
            }
        }
        """);

    [Theory]
    [InlineData("{|BPG0007:for|} (;;) { }")]
    [InlineData("int i = 0; for ({|BPG0007:i = 1|}; i < 3; i++) { }")]
    [InlineData("double s = 0.0; for (int i = 0; i < 3; {|BPG0007:s += 1.0|}) { }")]
    [InlineData("for (double {|BPG0007:t = Sum(y)|}; t < 3; t++) { }")]
    [InlineData("if (eps > 0) { {|BPG0007:{|} } }")]
    [InlineData("{|BPG0007:switch|} (eps) { default: break; }")]
    [InlineData("{|BPG0007:try|} { } finally { }")]
    [InlineData("{|BPG0007:throw|} new System.Exception();")]
    [InlineData("static Tensor {|BPG0007:Twice|}(Tensor v) => v * 2.0;")]
    [InlineData("{|BPG0007:{|} }")]
    [InlineData("{|BPG0007:Stored = y|};")]
    [InlineData("{|BPG0007:Count += 1|};")]
    [InlineData("var z = ({|BPG0008:y = y * 2.0|}) + x;")]
    [InlineData("var z = Exp({|BPG0008:y *= 2.0|});")]
    [InlineData("int k = 3; {|BPG0008:k %= 2|};")]
    [InlineData("int k = 3; var z = y * {|BPG0008:k++|};")]
    [InlineData("var z = Exp({|BPG0009:eps > 0 ? y : x|});")]
    [InlineData("var z = x * {|BPG0009:y.ToArray()|}[0];")]
    [InlineData("var z = {|BPG0009:Helper(y)|};")]
    [InlineData("var z = {|BPG0009:System.Math.Atan(Sum(y))|};")]
    [InlineData("var z = Tensor.FromArray({|BPG0009:y.ToArray()|}, 3);")]
    [InlineData("System.Func<Tensor> f = {|BPG0009:() => y|};")]
    [InlineData("var z = Sum(y); Twice({|BPG0009:ref z|});")]
    [InlineData("var z = Concat(0, new[] {|BPG0009:{ x, y }|});")]
    [InlineData("Tensor[] parts = {|BPG0009:{ x, y }|}; var z = Stack(0, parts);")]
    [InlineData("{|BPG0011:return x;|}")]
    public void Unsupported_code_in_the_body_is_reported_where_it_is(string statement) => AssertReported(Usings + $$"""
        public static partial class Layers
        {
            public static Tensor Stored = Tensor.Zeros(1);
            public static int Count;

            public static Tensor Helper(Tensor t) => t;

            public static void Twice(ref double d) => d *= 2;

            [Differentiable]
            public static Tensor F(Tensor x, [NoGrad] double eps)
            {
                var y = Exp(x);
                {{statement}}
                return y;
            }
        }
        """);

    [Fact]
    public void BPG0010_overloaded_differentiable_methods_are_each_reported_at_their_name() => AssertReported(Usings + """
        public static partial class Layers
        {
            [Differentiable]
            public static Tensor {|BPG0010:F|}(Tensor x) => x * x;
            [Differentiable]
            public static double {|BPG0010:F|}(double x) => x * x;
        }
        """);

    [Theory]
    [InlineData("FCache")]
    [InlineData("FForward")]
    [InlineData("FBackward")]
    [InlineData("FBackwardSteps")]
    [InlineData("FBackwardFused")]
    [InlineData("FGraph")]
    public void BPG0010_a_member_named_like_a_generated_one_is_reported_at_the_method_name(string taken) => AssertReported(Usings + $$"""
        public static partial class Layers
        {
            public static int {{taken}};
            [Differentiable]
            public static Tensor {|BPG0010:F|}(Tensor x) => x * x;
        }
        """);

    [Fact]
    public void BPG0013_steps_that_combine_operations_get_a_hidden_diagnostic_at_their_right_hand_side() => AssertReported("""
        using BackpropGen;
        using static BackpropGen.Tensor;

        public static partial class Layers
        {
            [Differentiable]
            public static Tensor BatchNorm(Tensor x, Tensor gamma, Tensor beta, [NoGrad] double eps)
            {
                int N = x.Shape[0];
                var mu = {|BPG0013:1.0 / N * Sum(x, axis: 0)|};
                var xmu = x - mu;
                var sq = Square(xmu);
                var variance = {|BPG0013:1.0 / N * Sum(sq, axis: 0)|};
                var sqrtvar = {|BPG0013:Sqrt(variance + eps)|};
                var ivar = 1.0 / sqrtvar;
                var xhat = xmu * ivar;
                var gammax = gamma * xhat;
                var @out = gammax + beta;
                return {|BPG0013:@out * 2.0 - x|};
            }
        }
        """);

    [Fact]
    public void BPG0013_is_hidden_so_that_a_build_of_valid_code_shows_nothing()
    {
        var diagnostics = GeneratorHarness.AnalyzerDiagnostics(Sources.SpecBatchNorm);
        Assert.NotEmpty(diagnostics);
        Assert.All(diagnostics, d => Assert.Equal(("BPG0013", DiagnosticSeverity.Hidden), (d.Id, d.Severity)));
    }

    [Fact]
    public void A_method_with_a_diagnostic_generates_no_code_and_the_generator_reports_nothing_itself()
    {
        var source = """
            using BackpropGen;
            public static partial class Layers
            {
                [Differentiable]
                public static Tensor F(Tensor x) { switch (1) { default: break; } return x; }
            }
            """;
        var (result, _) = GeneratorHarness.Run(source);
        Assert.Empty(result.Results.Single().GeneratedSources);
        Assert.Empty(result.Diagnostics);
        Assert.Contains(GeneratorHarness.AnalyzerDiagnostics(source), d => d.Id == "BPG0007");
    }

    [Theory]
    [InlineData(Sources.SpecBatchNorm)]
    [InlineData(Sources.SeedBatchNorm)]
    public void The_analyzer_running_after_the_generator_does_not_take_the_generated_members_for_a_name_clash(string source)
    {
        // A build runs analyzers on the compilation that already holds the generated BatchNormCache, …Forward, …Backward.
        var (result, output) = GeneratorHarness.Run(source);
        Assert.Single(result.GeneratedTrees);
        Assert.DoesNotContain(GeneratorHarness.AnalyzerDiagnostics(output), d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void Every_diagnostic_names_its_section_of_docs_diagnostics_md_and_links_to_no_host()
    {
        // No published home exists to link to, so there is no help link; the description names the section instead.
        var anchors = MarkdownLinks.Anchors(RepositoryFiles.Read("docs/diagnostics.md"));
        var descriptors = new Analyze.DifferentiableAnalyzer().SupportedDiagnostics;
        foreach (var descriptor in descriptors)
        {
            Assert.Matches("^BPG[0-9]{4}$", descriptor.Id);
            Assert.Equal(string.Empty, descriptor.HelpLinkUri);
            var section = descriptor.Id.ToLowerInvariant();
            Assert.Contains("docs/diagnostics.md#" + section, descriptor.Description.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(anchors.Contains(section), $"docs/diagnostics.md has no heading '## {descriptor.Id}'");
        }

        // And the docs document no id that is not reported.
        var documented = anchors.Where(a => a.StartsWith("bpg", System.StringComparison.Ordinal)).ToList();
        Assert.Equal(descriptors.Select(d => d.Id.ToLowerInvariant()).OrderBy(id => id), documented.OrderBy(id => id));
    }

    [Fact]
    public void The_analyzer_ignores_methods_without_the_attribute()
    {
        Assert.Empty(GeneratorHarness.AnalyzerDiagnostics("""
            public static class Plain
            {
                public static double F(double x) { for (var i = 0; i < 3; i++) { x = x * 2; } return x; }
            }
            """));
    }

    internal static void AssertReported(string markup)
    {
        var (source, expected) = Markup.Parse(markup);
        var actual = GeneratorHarness.AnalyzerDiagnostics(source)
            .Select(d => (d.Id, Text: source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length), d.Location.SourceSpan, Message: d.GetMessage()))
            .OrderBy(d => d.SourceSpan.Start)
            .ToList();
        var wanted = expected
            .Select(e => (e.Id, Text: source.Substring(e.Span.Start, e.Span.Length), e.Span))
            .OrderBy(e => e.Span.Start)
            .ToList();
        Assert.True(
            wanted.SequenceEqual(actual.Select(a => (a.Id, a.Text, a.SourceSpan))),
            "expected:\n" + string.Join("\n", wanted) + "\nactual:\n" + string.Join("\n", actual));
    }
}
