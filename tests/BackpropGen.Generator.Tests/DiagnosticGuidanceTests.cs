using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace BackpropGen.Generator.Tests;

/// <summary>What the diagnostics tell a new user (issue #19): where to go next, and nothing that sends them the wrong way.</summary>
public class DiagnosticGuidanceTests
{
    private const string Usings = """
        using BackpropGen;
        using static BackpropGen.Tensor;

        """;

    [Theory]
    [InlineData("var h = Softplus(x); return h;")]
    [InlineData("var h = Concatenate(x, x) * 2.0; return h;")]
    [InlineData("var h = Exq(x); return h;")]
    [InlineData("var h = Tensor.Softplus(x); return h;")]
    public void A_call_of_an_operation_that_does_not_exist_gets_the_compilers_error_and_none_of_ours(string body)
    {
        var source = Usings + "public static partial class L { [Differentiable] public static Tensor F(Tensor x) { " + body + " } }";
        Assert.DoesNotContain(GeneratorHarness.AnalyzerDiagnostics(source), d => d.Severity > DiagnosticSeverity.Hidden);
        Assert.Contains(GeneratorHarness.Compile(source).GetDiagnostics(), d => d.Id is "CS0103" or "CS0117");
        Assert.Empty(GeneratorHarness.Run(source).Result.Results.Single().GeneratedSources);
    }

    [Fact]
    public void A_helper_of_ones_own_without_a_derivative_is_told_how_to_give_it_one()
    {
        var source = Usings + """
            public static partial class L
            {
                public static Tensor Helper(Tensor t) => t * 2.0;

                [Differentiable]
                public static Tensor F(Tensor x) { var h = Helper(x) * x; return h; }
            }
            """;
        var message = GeneratorHarness.AnalyzerDiagnostics(source).Single(d => d.Id == "BPG0009").GetMessage();
        Assert.Contains("mark it [Differentiable]", message);
        Assert.Contains("var h = Helper(…);", message);

        var library = Usings + "public static partial class L { [Differentiable] public static double F(Tensor x) { var h = System.Math.Atan(Sum(x)); return h; } }";
        Assert.DoesNotContain("mark it [Differentiable]", GeneratorHarness.AnalyzerDiagnostics(library).Single(d => d.Id == "BPG0009").GetMessage());
    }

    [Fact]
    public void A_value_stored_in_an_array_element_is_told_to_stay_in_a_local()
    {
        var source = Usings + """
            public static partial class L
            {
                [Differentiable]
                public static double F(Tensor x)
                {
                    var buf = new double[3];
                    for (int i = 0; i < 3; i++)
                    {
                        buf[i] = x[i] * 2.0;
                    }

                    return buf[0];
                }
            }
            """;
        var message = GeneratorHarness.AnalyzerDiagnostics(source).Single(d => d.Id == "BPG0007").GetMessage();
        Assert.StartsWith("A 'write to the element buf[i]' is not supported", message);
        Assert.Contains("loses its gradient; keep it in a local (a running sum, or a Tensor grown with Concat)", message);
    }

    [Fact]
    public void Every_error_says_that_the_generated_members_are_missing_until_it_is_fixed()
    {
        var source = Usings + "public static partial class L { [Differentiable] public static Tensor F(Tensor x) { for (;;) { } } }";
        var errors = GeneratorHarness.AnalyzerDiagnostics(source).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Contains("BackpropGen generates no Cache, Forward or Backward for the method", e.GetMessage()));
    }

    [Fact]
    public void A_non_static_method_gets_its_bodys_errors_reported_with_its_signatures() => DiagnosticTests.AssertReported(Usings + """
        public partial class L
        {
            [Differentiable]
            public Tensor {|BPG0002:F|}(Tensor x)
            {
                var y = x * x;
                var z = ({|BPG0008:y = y * 2.0|}) + x;
                {|BPG0007:switch|} (z.Rank) { default: break; }
                return y;
            }
        }
        """);
}
