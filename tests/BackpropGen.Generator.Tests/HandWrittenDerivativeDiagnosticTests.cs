using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace BackpropGen.Generator.Tests;

/// <summary>
/// Hand-written derivatives that do not fit (SPEC §8): each reported at the member it is about, or at the method when
/// the member is missing, with the signature expected; and a caller of one gets no code rather than code that does not
/// compile.
/// </summary>
public class HandWrittenDerivativeDiagnosticTests
{
    private const string Usings = """
        using BackpropGen;
        using static BackpropGen.Tensor;

        """;

    private const string Library = """
        public static class Special
        {
            public static double Erf(double x) => x;
            public static Tensor Erf(Tensor x) => x;
            public static Tensor Scale(Tensor x, double s, int times) => x * s * times;
        }

        """;

    private const string SoftplusCache = "public sealed record SoftplusCache(Tensor X);";
    private const string SoftplusForward = "public static (Tensor Out, SoftplusCache Cache) SoftplusForward(Tensor x) => (x, new SoftplusCache(x));";
    private const string SoftplusBackward = "public static Tensor SoftplusBackward(Tensor dout, SoftplusCache cache) => dout;";

    [Fact]
    public void A_complete_custom_derivative_and_a_matching_derivative_of_are_not_reported_and_their_callers_compile()
    {
        var source = Usings + Library + $$"""
            public static partial class L
            {
                [CustomDerivative] public static Tensor Softplus(Tensor x) => x;
                {{SoftplusCache}}
                {{SoftplusForward}}
                {{SoftplusBackward}}

                [DerivativeOf(typeof(Special), nameof(Special.Erf))]
                public static Tensor ErfBackward(Tensor dout, Tensor x) => dout;

                [DerivativeOf(typeof(Special), nameof(Special.Scale))]
                public static (Tensor dx, double ds) ScaleBackward(Tensor dout, Tensor x, double s, int times) => (dout, 0.0);

                [Differentiable]
                public static double F(Tensor x, double s) => Sum(Special.Scale(Special.Erf(Softplus(x)), s, 2));
            }
            """;
        Assert.DoesNotContain(GeneratorHarness.AnalyzerDiagnostics(source), d => d.Severity > DiagnosticSeverity.Hidden);
        var (result, output) = GeneratorHarness.Run(source);
        Assert.Empty(GeneratorHarness.CompilationProblems(output));
        Assert.Single(result.Results.Single().GeneratedSources);
    }

    [Theory]
    [InlineData("", SoftplusForward, SoftplusBackward, "at", "public sealed record SoftplusCache(")]
    [InlineData(SoftplusCache, "", SoftplusBackward, "at", "public static (Tensor Out, SoftplusCache Cache) SoftplusForward(Tensor x)")]
    [InlineData(SoftplusCache, SoftplusForward, "", "at", "public static Tensor SoftplusBackward(Tensor dout, SoftplusCache cache)")]
    [InlineData(
        SoftplusCache,
        "public static (Tensor Out, SoftplusCache Cache) {|BPG0018:SoftplusForward|}(double x) => (Tensor.Zeros(1), new SoftplusCache(Tensor.Zeros(1)));",
        SoftplusBackward,
        "",
        "public static (Tensor Out, SoftplusCache Cache) SoftplusForward(Tensor x)")]
    [InlineData(
        SoftplusCache,
        "public static Tensor {|BPG0018:SoftplusForward|}(Tensor x) => x;",
        SoftplusBackward,
        "",
        "public static (Tensor Out, SoftplusCache Cache) SoftplusForward(Tensor x)")]
    [InlineData(
        SoftplusCache,
        SoftplusForward,
        "public Tensor {|BPG0018:SoftplusBackward|}(Tensor dout, SoftplusCache cache) => dout;",
        "",
        "public static Tensor SoftplusBackward(Tensor dout, SoftplusCache cache)")]
    [InlineData(
        SoftplusCache,
        SoftplusForward,
        "internal static Tensor {|BPG0018:SoftplusBackward|}(Tensor dout, SoftplusCache cache) => dout;",
        "",
        "public static Tensor SoftplusBackward(Tensor dout, SoftplusCache cache)")]
    public void BPG0018_a_missing_or_mismatched_custom_derivative_member_is_reported_with_the_signature_expected(
        string cache, string forward, string backward, string atMethod, string expected)
    {
        var method = atMethod.Length > 0 ? "{|BPG0018:Softplus|}" : "Softplus";
        var markup = Usings + $$"""
            public static partial class L
            {
                [CustomDerivative] public static Tensor {{method}}(Tensor x) => x;
                {{cache}}
                {{forward}}
                {{backward}}
            }
            """;
        DiagnosticTests.AssertReported(markup);
        Assert.Contains(expected, GeneratorHarness.AnalyzerDiagnostics(Markup.Parse(markup).Source).Single().GetMessage());
    }

    [Fact]
    public void BPG0018_a_custom_derivative_that_is_also_differentiable_or_has_nothing_to_differentiate_is_reported_at_it() => DiagnosticTests.AssertReported(Usings + """
        public static partial class L
        {
            [CustomDerivative] public static Tensor {|BPG0018:NoGradient|}([NoGrad] Tensor x) => x;
            [CustomDerivative] public static int {|BPG0018:NotAValue|}(Tensor x) => 1;
            [CustomDerivative] public Tensor {|BPG0018:NotStatic|}(Tensor x) => x;
        }
        """);

    [Fact]
    public void BPG0021_a_custom_backward_whose_gradients_are_not_the_parameters_types_is_reported_at_it()
    {
        var markup = Usings + """
            public static partial class L
            {
                [CustomDerivative] public static Tensor ScaledTanh(Tensor x, double s) => s * Tanh(x);
                public sealed record ScaledTanhCache(Tensor T, double S);
                public static (Tensor Out, ScaledTanhCache Cache) ScaledTanhForward(Tensor x, double s) => (x, new ScaledTanhCache(x, s));
                public static (Tensor dx, Tensor ds) {|BPG0021:ScaledTanhBackward|}(Tensor dout, ScaledTanhCache cache) => (dout, dout);
            }
            """;
        DiagnosticTests.AssertReported(markup);
        var message = GeneratorHarness.AnalyzerDiagnostics(Markup.Parse(markup).Source).Single().GetMessage();
        Assert.Contains("'(Tensor dx, double ds)'", message);
        Assert.Contains("public static (Tensor dx, double ds) ScaledTanhBackward(Tensor dout, ScaledTanhCache cache)", message);
    }

    [Fact]
    public void BPG0019_a_derivative_of_a_method_that_does_not_exist_is_reported_at_the_backward()
    {
        var markup = Usings + Library + """
            public static class D
            {
                [DerivativeOf(typeof(Special), "Erfc")]
                public static Tensor {|BPG0019:ErfcBackward|}(Tensor dout, Tensor x) => dout;
            }
            """;
        DiagnosticTests.AssertReported(markup);
        Assert.Contains("'static Tensor Erfc(Tensor x)'", GeneratorHarness.AnalyzerDiagnostics(Markup.Parse(markup).Source).Single().GetMessage());
    }

    [Fact]
    public void BPG0020_a_derivative_of_whose_parameters_match_no_overload_lists_the_backward_of_each()
    {
        var markup = Usings + Library + """
            public static class D
            {
                [DerivativeOf(typeof(Special), nameof(Special.Erf))]
                public static Tensor {|BPG0020:ErfBackward|}(Tensor dout, double x) => dout;
            }
            """;
        DiagnosticTests.AssertReported(markup);
        var message = GeneratorHarness.AnalyzerDiagnostics(Markup.Parse(markup).Source).Single().GetMessage();
        Assert.Contains("'public static double ErfBackward(double dout, double x)' or 'public static Tensor ErfBackward(Tensor dout, Tensor x)'", message);
    }

    [Fact]
    public void BPG0021_a_derivative_of_that_returns_a_gradient_for_a_no_grad_parameter_is_reported_with_the_tuple_expected()
    {
        var markup = Usings + Library + """
            public static class D
            {
                [DerivativeOf(typeof(Special), nameof(Special.Scale))]
                public static (Tensor dx, double ds) {|BPG0021:ScaleBackward|}(Tensor dout, Tensor x, [NoGrad] double s, int times) => (dout, 0.0);
            }
            """;
        DiagnosticTests.AssertReported(markup);
        Assert.Contains("public static Tensor ScaleBackward(Tensor dout, Tensor x, double s, int times)", GeneratorHarness.AnalyzerDiagnostics(Markup.Parse(markup).Source).Single().GetMessage());
    }

    [Fact]
    public void BPG0023_a_second_derivative_of_the_same_overload_is_reported_naming_the_first()
    {
        var markup = Usings + Library + """
            public static class D
            {
                [DerivativeOf(typeof(Special), nameof(Special.Erf))]
                public static double ErfBackward(double dout, double x) => dout;

                [DerivativeOf(typeof(Special), nameof(Special.Erf))]
                public static double {|BPG0023:ErfGradient|}(double dout, double x) => dout;

                [DerivativeOf(typeof(Special), nameof(Special.Erf))]
                public static Tensor TensorErfBackward(Tensor dout, Tensor x) => dout;
            }
            """;
        DiagnosticTests.AssertReported(markup);
        Assert.Contains("'ErfGradient' is a second [DerivativeOf] backward of 'Special.Erf(double)', whose backward is already 'D.ErfBackward'", GeneratorHarness.AnalyzerDiagnostics(Markup.Parse(markup).Source).Single().GetMessage());
    }

    [Fact]
    public void BPG0022_a_checkpoint_on_a_method_that_is_not_differentiable_is_reported_at_it() => DiagnosticTests.AssertReported(Usings + """
        public static partial class L
        {
            [Checkpoint] public static Tensor {|BPG0022:Block|}(Tensor x) => x * x;
            [Checkpoint, Differentiable] public static Tensor Fine(Tensor x) => x * x;
        }
        """);

    [Fact]
    public void A_call_of_a_custom_derivative_with_errors_is_reported_at_the_call_and_its_caller_gets_no_code()
    {
        var markup = Usings + """
            public static partial class L
            {
                [CustomDerivative] public static Tensor {|BPG0018:Softplus|}(Tensor x) => x;
                public sealed record SoftplusCache(Tensor X);
                public static (Tensor Out, SoftplusCache Cache) SoftplusForward(Tensor x) => (x, new SoftplusCache(x));

                [Differentiable]
                public static double F(Tensor x) { var h = {|BPG0009:Softplus(x)|}; return Sum(h); }
            }
            """;
        DiagnosticTests.AssertReported(markup);
        var source = Markup.Parse(markup).Source;
        Assert.Contains("fix them first", GeneratorHarness.AnalyzerDiagnostics(source).Single(d => d.Id == "BPG0009").GetMessage());
        Assert.Empty(GeneratorHarness.Run(source).Result.Results.Single().GeneratedSources);
    }

    [Fact]
    public void A_function_without_a_derivative_is_told_to_write_a_derivative_of_when_it_is_another_librarys_and_a_custom_one_when_it_is_ones_own()
    {
        var source = Usings + "public static partial class L { [Differentiable] public static double F(Tensor x) { var h = System.Math.Atan2(Sum(x), 2.0); return h; } }";
        var message = GeneratorHarness.AnalyzerDiagnostics(source).Single(d => d.Id == "BPG0009").GetMessage();
        Assert.Contains("[DerivativeOf(typeof(Math), nameof(Math.Atan2))]", message);
        Assert.Contains("(double dout, double y, double x)", message);
        Assert.DoesNotContain("[CustomDerivative]", message);

        var own = Usings + Library + "public static partial class L { [Differentiable] public static Tensor F(Tensor x) { var h = Special.Scale(x, 2.0, 3); return h; } }";
        Assert.Contains("mark it [CustomDerivative] and write its ScaleCache, ScaleForward and ScaleBackward", GeneratorHarness.AnalyzerDiagnostics(own).Single(d => d.Id == "BPG0009").GetMessage());
    }
}
