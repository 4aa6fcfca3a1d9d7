using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace BackpropGen.Generator.Tests;

public class DiagnosticTests
{
    [Theory]
    [InlineData("BPG0001", "public static class Layers", "Layers")]
    public void Type_that_is_not_partial_is_reported_at_its_name(string id, string typeDeclaration, string located)
    {
        var source = $$"""
            using BackpropGen;
            {{typeDeclaration}}
            {
                [Differentiable]
                public static Tensor F(Tensor x) => x * x;
            }
            """;
        AssertSingle(source, id, located);
    }

    [Theory]
    [InlineData("BPG0002", "public Tensor F(Tensor x) => x * x;", "F")]
    [InlineData("BPG0005", "public static int F(Tensor x) => 1;", "int")]
    [InlineData("BPG0006", "public static Tensor F(ref Tensor x) => x * x;", "ref Tensor x")]
    [InlineData("BPG0012", "public static Tensor F([NoGrad] Tensor x) => x * x;", "F")]
    public void Bad_signature_is_reported_at_the_offending_part(string id, string method, string located)
    {
        var source = $$"""
            using BackpropGen;
            public static partial class Layers
            {
                [Differentiable]
                {{method}}
            }
            """;
        AssertSingle(source, id, located);
    }

    [Theory]
    [InlineData("BPG0007", "for (int i = 0; i < 3; i++) { }", "for")]
    [InlineData("BPG0007", "if (eps > 0) { }", "if")]
    [InlineData("BPG0008", "y = y * 2.0;", "y = y * 2.0")]
    [InlineData("BPG0009", "var z = eps > 0 ? y : x;", "eps > 0 ? y : x")]
    [InlineData("BPG0009", "var z = Tensor.FromArray(y.ToArray(), 3);", "y.ToArray()")]
    [InlineData("BPG0009", "var z = y * (double)(float)eps * Sum((Tensor)(object)y);", "(object)y")]
    [InlineData("BPG0009", "System.Func<Tensor> f = () => y;", "() => y")]
    public void Unsupported_code_in_the_body_is_reported_where_it_is(string id, string statement, string located)
    {
        var source = $$"""
            using BackpropGen;
            using static BackpropGen.Tensor;
            public static partial class Layers
            {
                [Differentiable]
                public static Tensor F(Tensor x, [NoGrad] double eps)
                {
                    var y = Exp(x);
                    {{statement}}
                    return y;
                }
            }
            """;
        AssertSingle(source, id, located);
    }

    [Fact]
    public void Overloaded_differentiable_methods_are_reported_instead_of_clashing()
    {
        var source = """
            using BackpropGen;
            public static partial class Layers
            {
                [Differentiable]
                public static Tensor F(Tensor x) => x * x;
                [Differentiable]
                public static double F(double x) => x * x;
            }
            """;
        var (result, _) = GeneratorHarness.Run(source);
        Assert.Equal(2, result.Diagnostics.Count(d => d.Id == "BPG0010"));
        Assert.Empty(result.Results.Single().GeneratedSources);
    }

    [Fact]
    public void A_method_with_a_diagnostic_generates_no_code_and_the_generator_does_not_throw()
    {
        var source = """
            using BackpropGen;
            public static partial class Layers
            {
                [Differentiable]
                public static Tensor F(Tensor x) { while (true) { } }
            }
            """;
        var (result, _) = GeneratorHarness.Run(source);
        Assert.Empty(result.Results.Single().GeneratedSources);
        Assert.Contains(result.Diagnostics, d => d.Id == "BPG0007");
    }

    private static void AssertSingle(string source, string id, string located)
    {
        var diagnostics = GeneratorHarness.GeneratorDiagnostics(source);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        // Diagnostics leave the generator as plain file spans (no syntax tree is held), so the span is read from the source.
        var text = source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length);
        Assert.Equal(located, text);
    }
}
