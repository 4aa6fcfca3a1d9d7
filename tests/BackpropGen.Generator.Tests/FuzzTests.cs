using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using BackpropGen.Generator.Analyze;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;
using Xunit.Abstractions;

namespace BackpropGen.Generator.Tests;

/// <summary>
/// Feeds the generator and the analyzer method bodies, half written at random from steps and unsupported constructs,
/// half BatchNorm with its tokens deleted, duplicated, swapped or replaced and statements inserted. Neither may throw,
/// and a method that gets generated code must have no error from the analyzer.
/// </summary>
/// <remarks>
/// A plain <c>dotnet test</c> feeds <see cref="DefaultMethods"/>; <c>.ci/run</c> runs this class again in a step of
/// its own with the <see cref="ExtendedTier"/> (<c>--filter "Category=Fuzz|Category=Extended"</c>), with
/// <see cref="MethodsVariable"/> set to 10,000. Round r draws the same methods
/// whatever the count, so the short run is the first rounds of the long one.
/// </remarks>
[Trait("Category", "Fuzz")]
public class FuzzTests
{
    /// <summary>The environment variable that sets how many methods the fuzz feeds (rounded up to whole rounds of <see cref="FilesPerCompilation"/>).</summary>
    public const string MethodsVariable = "BACKPROPGEN_FUZZ_METHODS";

    private const int DefaultMethods = 500;
    private const int Seed = 4_2024;
    private const int FilesPerCompilation = 25;

    private static readonly string[] Tokens =
    {
        "for", "(", ")", "{", "}", ";", "=", "+", "-", "*", "/", "x", "mu", "xmu", "Exp", "Sum", "[", "]", "?", ":", "ref", "out",
        "=>", "return", "new", "1.0", "0", "\"s\"", "default", "async", "await", "yield", "static", "partial", "var", "int", ",",
        ".", "Shape", "if", "while", "try", "catch", "throw", "goto", "lock", "checked", "*=", "++", "--", "<", ">", "!", "null",
        "this", "typeof", "<T>", "params", "in", "is", "as", "switch", "case", "@out", "Unknown", "Math", "Tensor", "double",
        "[NoGrad]", "[Differentiable]", "void", "eps", "N", "gamma",
    };

    private static readonly string[] Statements =
    {
        "for (int i = 0; i < 3; i++) { xmu = xmu * 2.0; }", "if (eps > 0) return x;", "var u = Unknown(x);", "var e = x[0, 0] * 2.0;",
        "x = x * 2.0;", "sq *= 2.0;", "System.Func<Tensor> f = () => x;", "try { } finally { }", "var c = eps > 0 ? x : mu;",
        "Tensor Local(Tensor t) => t;", "var d = Pick(x, new[] { 0 });", "var m = Maximum(x, 0.0);", "var k = Dot(x, Transpose(x));",
        "var r = Reshape(x, 2, -1);", "var s = Sum(x) * Mean(x);", "var w = System.Math.Sin(eps) * x;", "var p = Pow(x, 2.0);",
        "var neg = -x;", "Stored = x;", "goto end;", "end: ;", "{ }", ";", "var q = (Tensor)(object)x;", "var arr = x.ToArray();",
        "var deep = Exp(Exp(Exp(Exp(x))));", "var self = F(x, gamma, beta, eps);", "var other = Other.G(x);", "while (true) { }",
        "var n = x.Shape[0] + x.Rank;", "double z = Sum(x);", "var t = Tensor.Zeros(3) + x;", "var h = Relu(x) / Sqrt(Square(x) + eps);",
        "var sc = Sum(x) * 2.0 - Mean(x, axis: 0);", "x++;", "Twice(ref eps);", "throw new System.Exception();", "var l = Log(Abs(x) + 1.0);",
        // What an independent fuzzing harness found: expanded params nested in calls, switch expressions, recursion
        // through other methods, ref-struct locals, overloaded callees.
        "var pe = Exp(Reshape(x, 2, -1));", "var ps = Sum(Reshape(x, x.Length)) * x;", "var pn = Reshape(Tanh(Reshape(x, -1)), x.Shape[0], -1);",
        "var sw = x.Rank switch { 1 => x, _ => x * x };", "var sk = x * (x.Rank switch { 1 => 2.0, _ => 3.0 });", "var cq = x ?? mu;",
        "var rec = Other.Loop(x);", "var ov = Other.Twin(x);", "System.Span<int> sp = stackalloc int[2];", "var sl = x * sp.Length;",
        "var sn = stackalloc double[3];",
    };

    private const string BatchNorm = """
            [Differentiable]
            public static Tensor F(Tensor x, Tensor gamma, Tensor beta, [NoGrad] double eps)
            {
                int N = x.Shape[0];
                var mu = 1.0 / N * Sum(x, axis: 0);
                var xmu = x - mu;
                var sq = Square(xmu);
                var variance = 1.0 / N * Sum(sq, axis: 0);
                var sqrtvar = Sqrt(variance + eps);
                var ivar = 1.0 / sqrtvar;
                var xhat = xmu * ivar;
                var gammax = gamma * xhat;
                var @out = gammax + beta;
                return @out;
            }
        """;

    private readonly ITestOutputHelper _output;

    public FuzzTests(ITestOutputHelper output) => _output = output;

    /// <summary>The count <see cref="MethodsVariable"/> sets, else <see cref="DefaultMethods"/>; a count it cannot be is an error, not the default.</summary>
    private static int Methods
    {
        get
        {
            var value = Environment.GetEnvironmentVariable(MethodsVariable);
            if (string.IsNullOrEmpty(value))
            {
                return DefaultMethods;
            }

            return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var methods) && methods > 0
                ? methods
                : throw new InvalidOperationException($"{MethodsVariable}={value} is not a positive number of methods");
        }
    }

    [Fact]
    public void Random_and_mutated_methods_never_make_the_generator_or_the_analyzer_throw()
    {
        // Nullable analysis is off: it is Roslyn's own and the slowest part of binding, and no BackpropGen code path
        // depends on it; every input then costs less and ten thousand fit in CI's time box.
        var methods = Methods;
        var baseCompilation = GeneratorHarness.Compile(Support);
        baseCompilation = baseCompilation.WithOptions(baseCompilation.Options.WithNullableContextOptions(NullableContextOptions.Disable));
        var analyzer = new DifferentiableAnalyzer();
        var watch = Stopwatch.StartNew();
        int generated = 0, withErrors = 0;
        var rounds = (methods + FilesPerCompilation - 1) / FilesPerCompilation;
        // Each round has its own generator from the seed and the round number, so that rounds can run side by side
        // and a failing round can be replayed alone.
        System.Threading.Tasks.Parallel.For(0, rounds, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, round =>
        {
            var random = new Random(unchecked((Seed * 7919) + round));
            var sources = new string[FilesPerCompilation];
            for (var i = 0; i < sources.Length; i++)
            {
                var method = i % 2 == 0 ? RandomMethod(random) : MutatedBatchNorm(random);
                if (random.Next(12) == 0)
                {
                    // An overload beside it: both get BPG0010, and their callers BPG0016.
                    method += "\n    [Differentiable]\n    public static Tensor F(Tensor x) => x * x;";
                }

                var partial = random.Next(10) == 0 ? string.Empty : "partial ";
                var access = random.Next(16) == 0 ? "file" : "public";
                var name = random.Next(8) == 0 ? "@C" + i : "C" + i;
                sources[i] = $"using BackpropGen;\nusing static BackpropGen.Tensor;\nnamespace Fuzz;\n{access} static {partial}class {name}\n{{\n{method}\n}}\n";
            }

            var trees = sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions, path: $"Fuzz{i}.cs")).ToArray();
            var compilation = baseCompilation.AddSyntaxTrees(trees);

            var driver = CSharpGeneratorDriver.Create(new[] { new DifferentiableGenerator().AsSourceGenerator() }, parseOptions: GeneratorHarness.ParseOptions);
            var result = driver.RunGenerators(compilation).GetRunResult().Results.Single();
            if (result.Exception is not null || !result.Diagnostics.IsEmpty)
            {
                Fail(round, sources, "the generator threw or reported: " + (result.Exception?.ToString() ?? result.Diagnostics[0].ToString()));
            }

            var (diagnostics, exceptions) = GeneratorHarness.RunAnalyzer(compilation, analyzer);
            if (exceptions.Count > 0)
            {
                Fail(round, sources, "the analyzer threw: " + exceptions[0]);
            }

            var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            System.Threading.Interlocked.Add(ref withErrors, errors.Select(d => d.Location.SourceTree).Distinct().Count());
            foreach (var source in result.GeneratedSources)
            {
                System.Threading.Interlocked.Increment(ref generated);
                var error = ErrorInGeneratedMethod(source.HintName, trees, errors);
                if (error is not null)
                {
                    Fail(round, sources, $"{source.HintName} was generated, but the analyzer reports {error}");
                }
            }

            // Generated code compiles whenever the analyzer and the compiler accept the user's file it was made for.
            // Only the generated files are bound here, and a user's file only when a file made for it has an error.
            var generatedTrees = result.GeneratedSources.Select(s => CSharpSyntaxTree.ParseText(s.SourceText, GeneratorHarness.ParseOptions, path: s.HintName)).ToArray();
            var withGenerated = compilation.AddSyntaxTrees(generatedTrees);
            var rejected = new HashSet<SyntaxTree?>(errors.Select(e => e.Location.SourceTree));
            foreach (var generatedTree in generatedTrees)
            {
                foreach (var problem in withGenerated.GetSemanticModel(generatedTree).GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error))
                {
                    var user = UserFileOf(generatedTree.FilePath, trees);
                    if (user is null
                        || (!rejected.Contains(user) && !withGenerated.GetSemanticModel(user).GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error)))
                    {
                        Fail(round, sources, $"{generatedTree.FilePath} does not compile, though its method has no error: {problem}");
                    }
                }
            }
        });

        var fed = rounds * FilesPerCompilation;
        _output.WriteLine($"seed {Seed}: {fed} methods in {watch.Elapsed.TotalSeconds:F1} s; {generated} generated, {withErrors} files with analyzer errors");
        // The inputs must exercise both sides: methods that generate, and methods the analyzer rejects.
        Assert.True(generated > fed / 20, $"only {generated} of {fed} methods generated code");
        Assert.True(withErrors > fed / 4, $"only {withErrors} of {fed} files had analyzer errors");
    }

    /// <summary>The analyzer's error inside the method a hint name (<c>Fuzz.C3.F.g.cs</c>) was generated for, if any.</summary>
    private static Diagnostic? ErrorInGeneratedMethod(string hintName, SyntaxTree[] trees, List<Diagnostic> errors)
    {
        var match = System.Text.RegularExpressions.Regex.Match(hintName, @"^Fuzz\.C(\d+)\..*?(\w+)\.g\.cs$");
        if (!match.Success)
        {
            // Other.G of the support file.
            return null;
        }

        var file = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var methodName = match.Groups[2].Value;
        var methods = trees[file].GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Where(m => m.Identifier.ValueText == methodName);
        return errors.FirstOrDefault(e => e.Location.SourceTree == trees[file] && methods.Any(m => m.Span.Contains(e.Location.SourceSpan)));
    }

    /// <summary>The user's file a hint name (<c>Fuzz.C3.F.g.cs</c>) was generated for; null for the support file's.</summary>
    private static SyntaxTree? UserFileOf(string hintName, SyntaxTree[] trees)
    {
        var match = System.Text.RegularExpressions.Regex.Match(hintName, @"^Fuzz\.C(\d+)\.");
        return match.Success ? trees[int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)] : null;
    }

    private static void Fail(int round, string[] sources, string what)
    {
        var path = Path.Combine(Path.GetTempPath(), $"backpropgen-fuzz-{Seed}-{round}.cs");
        File.WriteAllText(path, string.Join("\n// ----\n", sources));
        throw new Xunit.Sdk.XunitException($"seed {Seed}, round {round} (Random seeded with {unchecked((Seed * 7919) + round)}): {what}\nthe {sources.Length} sources of the round are in {path}");
    }

    /// <summary>Members the random code calls or writes, so that not every input fails on a missing name.</summary>
    private const string Support = """
        using BackpropGen;
        namespace Fuzz;
        public static partial class Other
        {
            [BackpropGen.Differentiable]
            public static Tensor G(Tensor x) => x * x;

            // A recursive pair: a caller of either gets BPG0016.
            [BackpropGen.Differentiable]
            public static Tensor Loop(Tensor x) { var y = Back(x); return y; }

            [BackpropGen.Differentiable]
            public static Tensor Back(Tensor x) { var y = Loop(x); return y; }

            // Overloads: neither gets code.
            [BackpropGen.Differentiable]
            public static Tensor Twin(Tensor x) => x * x;

            [BackpropGen.Differentiable]
            public static Tensor Twin(Tensor x, Tensor y) => x * y;
        }
        public static class Helpers
        {
            public static Tensor Stored = Tensor.Zeros(1);
            public static Tensor Unknown(Tensor t) => t;
            public static void Twice(ref double d) => d *= 2;
        }
        """;

    private static string MutatedBatchNorm(Random random)
    {
        var tokens = SyntaxFactory.ParseTokens(BatchNorm).Select(t => t.ToFullString()).Where(t => t.Length > 0).ToList();
        var mutations = 1 + random.Next(4);
        for (var m = 0; m < mutations; m++)
        {
            var at = random.Next(tokens.Count);
            switch (random.Next(6))
            {
                case 0:
                    tokens.RemoveAt(at);
                    break;
                case 1:
                    tokens.Insert(at, tokens[at]);
                    break;
                case 2 when at + 1 < tokens.Count:
                    (tokens[at], tokens[at + 1]) = (tokens[at + 1], tokens[at]);
                    break;
                case 3:
                    tokens[at] = " " + Pick(random, Tokens) + " ";
                    break;
                case 4:
                    tokens.Insert(at, " " + Pick(random, Tokens) + " ");
                    break;
                default:
                    var statementEnd = tokens.FindIndex(at, t => t.TrimStart().StartsWith(';'));
                    if (statementEnd >= 0)
                    {
                        tokens.Insert(statementEnd + 1, "\n        " + Pick(random, Statements));
                    }

                    break;
            }

            if (tokens.Count == 0)
            {
                tokens.Add(";");
            }
        }

        return string.Concat(tokens).Replace("Stored", "Helpers.Stored").Replace("Unknown(", "Helpers.Unknown(").Replace("Twice(", "Helpers.Twice(");
    }

    private static string RandomMethod(Random random)
    {
        var signature = Pick(random, new[]
        {
            "public static Tensor F(Tensor x, Tensor gamma, Tensor beta, [NoGrad] double eps)",
            "public static double F(double x, double gamma, double beta, [NoGrad] double eps)",
            "internal static Tensor F(Tensor x, [NoGrad] Tensor gamma, Tensor beta, double eps)",
            "public Tensor F(Tensor x, Tensor gamma, Tensor beta, double eps)",
            "public static void F(Tensor x, Tensor gamma, Tensor beta, double eps)",
            "public static Tensor F<T>(Tensor x, Tensor gamma, Tensor beta, double eps)",
            "public static Tensor F(ref Tensor x, Tensor gamma, Tensor beta, double eps)",
            "public static async System.Threading.Tasks.Task<Tensor> F(Tensor x, Tensor gamma, Tensor beta, double eps)",
            "public static Tensor F(Tensor x, Tensor gamma, Tensor beta, int[] eps)",
            "public static Tensor F(Tensor x, Tensor x, Tensor beta, double eps)",
        });
        var names = new List<string> { "x", "gamma", "beta", "eps" };
        var body = new StringBuilder();
        var count = random.Next(12);
        for (var i = 0; i < count; i++)
        {
            if (random.Next(4) == 0)
            {
                body.Append("        ").Append(Pick(random, Statements).Replace("Stored", "Helpers.Stored").Replace("Unknown(", "Helpers.Unknown(").Replace("Twice(", "Helpers.Twice(")).Append('\n');
                continue;
            }

            var name = "v" + i;
            body.Append("        var ").Append(name).Append(" = ").Append(RandomExpression(random, names, 1 + random.Next(4))).Append(";\n");
            names.Add(name);
        }

        var returned = random.Next(8) switch
        {
            0 => string.Empty,
            1 => "        return " + RandomExpression(random, names, 3) + ";\n",
            _ => "        return " + names[^1] + ";\n",
        };
        if (random.Next(10) == 0)
        {
            return $"    [Differentiable]\n    {signature} => {RandomExpression(random, names.Take(4).ToList(), 4)};";
        }

        return $"    [Differentiable]\n    {signature}\n    {{\n{body}{returned}    }}";
    }

    private static string RandomExpression(Random random, List<string> names, int depth)
    {
        if (depth == 0 || random.Next(4) == 0)
        {
            return random.Next(5) == 0 ? Pick(random, new[] { "1.0", "2.5", "x.Shape[0]", "eps", "0.5" }) : Pick(random, names);
        }

        var a = RandomExpression(random, names, depth - 1);
        var b = RandomExpression(random, names, depth - 1);
        return random.Next(12) switch
        {
            0 => $"{a} + {b}",
            1 => $"{a} - {b}",
            2 => $"{a} * {b}",
            3 => $"{a} / {b}",
            4 => $"-{a}",
            5 => $"({a})",
            6 => $"{Pick(random, new[] { "Exp", "Log", "Sqrt", "Tanh", "Sigmoid", "Abs", "Square", "Relu", "Transpose", "System.Math.Exp" })}({a})",
            7 => $"Sum({a}, axis: 0)",
            8 => $"{Pick(random, new[] { "Maximum", "Minimum", "Dot" })}({a}, {b})",
            9 => $"Pow({a}, 2.0)",
            10 => $"Sum({a})",
            _ => $"{Pick(random, new[] { "Mean", "Max" })}({a}, 1, true)",
        };
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
