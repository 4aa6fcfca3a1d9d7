using System.Linq;
using Xunit;

namespace BackpropGen.Generator.Tests;

/// <summary>Valid methods written in less common ways: each must generate code that compiles with no warning.</summary>
public class UnusualValidMethodTests
{
    [Theory]
    [InlineData("parameters named like the generated locals", """
        public static partial class Layers
        {
            [Differentiable]
            public static Tensor F(Tensor dout, Tensor cache, Tensor step, double failure)
            {
                var dstep = dout * cache + step * failure;
                var result = Tanh(dstep);
                return result * dout;
            }
        }
        """)]
    [InlineData("a private method in a partial struct nested in a partial class", """
        public partial class Outer
        {
            private partial struct Inner
            {
                [Differentiable]
                private static double Energy(Tensor x) => Mean(Square(x));
            }
        }
        """)]
    [InlineData("a using alias and fully qualified calls", """
        public static partial class Layers
        {
            [Differentiable]
            internal static T Scaled(T x, [NoGrad] double s)
            {
                var y = BackpropGen.Tensor.Exp(x) * s;
                var z = T.Sum(y, axis: 0);
                return z;
            }
        }
        """)]
    [InlineData("the result is a parameter, nothing else is computed", """
        public static partial class Layers
        {
            [Differentiable]
            public static Tensor Identity(Tensor x) => x;
        }
        """)]
    [InlineData("non-differentiable helpers and a [NoGrad] tensor between the steps", """
        public static partial class Layers
        {
            [Differentiable]
            public static double Loss(Tensor scores, int[] labels, [NoGrad] Tensor weights)
            {
                int n = scores.Shape[0];
                string name = nameof(scores);
                System.ArgumentNullException.ThrowIfNull(labels, name);
                double scale = 1.0 / n;
                var picked = Pick(scores * weights, labels);
                var total = Sum(picked);
                return -scale * total;
            }
        }
        """)]
    [InlineData("a step whose code holds quotes, a backslash and non-ASCII letters (quoted as string literals)", """
        public static partial class Layers
        {
            [Differentiable]
            public static Tensor Labelled(Tensor x)
            {
                var y = x * "a\"b\\cé\t".Length;
                var z = y * 'ü';
                return z;
            }
        }
        """)]
    [InlineData("a step that calls a [Differentiable] method of another class", """
        public static partial class Inner
        {
            [Differentiable]
            public static Tensor Twice(Tensor v) => v * 2.0;
        }

        public static partial class Layers
        {
            [Differentiable]
            public static double Outer(Tensor x, Tensor w)
            {
                var h = Inner.Twice(Dot(x, w));
                var o = Sum(h);
                return o;
            }
        }
        """)]
    [InlineData("locals of one name in scopes side by side: two loops' counters, a foreach's element, a temporary in each arm", """
        public static partial class Layers
        {
            [Differentiable]
            public static double Sides(Tensor x, double w, double[] z)
            {
                var y = w;
                for (int i = 0; i < 3; i++) { y = y * w; }
                for (int i = 0; i < 2; i++) { var t = y * Mean(x); y = t; }
                foreach (var k in z) { var t = y * k; y = t; }
                foreach (var k in z) { y = y + k; }
                if (y > 0) { var t = Sum(x) * y; y = t; } else { var t = y * y; y = t; }
                return y;
            }
        }
        """)]
    public void Valid_method_generates_code_that_compiles_without_warnings(string what, string body)
    {
        var source = "using BackpropGen;\nusing T = BackpropGen.Tensor;\nusing static BackpropGen.Tensor;\n\n" + body;
        var (result, output) = GeneratorHarness.Run(source);

        Assert.NotEmpty(result.Results.Single().GeneratedSources);
        Assert.True(GeneratorHarness.AnalyzerDiagnostics(source).All(d => d.Severity < Microsoft.CodeAnalysis.DiagnosticSeverity.Warning), what);
        Assert.Empty(GeneratorHarness.CompilationProblems(output));
    }
}

/// <summary>A local that takes the name of one in a scope around its own does not compile: it gets no code, whose errors would only add to the compiler's.</summary>
public class RedeclaredLocalTests
{
    [Theory]
    [InlineData("var t = y; for (int i = 0; i < 2; i++) { var t = y * 2.0; y = t; }")]
    [InlineData("for (int i = 0; i < 2; i++) { var t = y * 2.0; y = t; } var t = y;")]
    [InlineData("for (int i = 0; i < 2; i++) { for (int i = 0; i < 2; i++) { y = y * 2.0; } }")]
    [InlineData("for (int x = 0; x < 2; x++) { y = y * 2.0; }")]
    public void A_local_that_shadows_another_gets_no_code(string statements)
    {
        var source = "using BackpropGen;\n\npublic static partial class Layers\n{\n    [Differentiable]\n    public static double F(double x)\n    {\n        var y = x;\n        "
            + statements + "\n        return y;\n    }\n}\n";
        var (result, output) = GeneratorHarness.Run(source);

        Assert.Empty(result.Results.Single().GeneratedSources);
        Assert.Contains(output.GetDiagnostics(), d => d.Id is "CS0128" or "CS0136");
    }
}

/// <summary>Bad methods written in less common ways: each gets a BPG error on the offending line, and no code.</summary>
public class UnusualBadMethodTests
{
    [Theory]
    [InlineData("a System.Math function with no derivative rule", "var m = System.Math.Atan(Sum(x));")]
    [InlineData("a tuple of a differentiable value", "var pair = (x, 2);")]
    [InlineData("a call of the user's own helper", "var h = Helpers.Double(x);")]
    [InlineData("a checked expression", "var c = checked(x * 2.0);")]
    [InlineData("a pattern variable of a differentiable value", "var isSmall = x is Tensor t ? t * 2.0 : -x;")]
    public void Bad_method_gets_a_diagnostic_on_the_offending_line(string what, string statement)
    {
        var source = $$"""
            using BackpropGen;
            using static BackpropGen.Tensor;

            public static class Helpers
            {
                public static Tensor Double(Tensor t) => t * 2.0;
            }

            public static partial class Layers
            {
                [Differentiable]
                public static Tensor F(Tensor x)
                {
                    var y = Exp(x);
                    {{statement}}
                    return y;
                }
            }
            """;
        var errors = GeneratorHarness.AnalyzerDiagnostics(source).Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).ToList();

        Assert.True(errors.Count > 0, what);
        Assert.All(errors, e => Assert.StartsWith("BPG", e.Id));
        Assert.All(errors, e => Assert.Equal(14, e.Location.GetLineSpan().StartLinePosition.Line));
        Assert.Empty(GeneratorHarness.Run(source).Result.Results.Single().GeneratedSources);
    }
}
