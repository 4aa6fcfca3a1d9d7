using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using BackpropGen.Generator.Common;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace BackpropGen.Generator.Tests;

/// <summary>
/// What an independent fuzzing harness found (issue #20), one reproduction each: a compiler crash, a silently wrong
/// gradient, generated code that did not compile on methods the analyzer accepted, a generator exception that dropped
/// every method's code, and runtime checks (in <c>BackpropGen.Tests</c>' StepFailureTests).
/// </summary>
public class FuzzFindingsTests
{
    private const string Usings = """
        using BackpropGen;
        using static BackpropGen.Tensor;

        """;

    private static string Layer(string body, string parameters = "Tensor x") => Usings + $$"""
        public static partial class L
        {
            [Differentiable]
            public static Tensor F({{parameters}})
            {
                {{body}}
            }
        }
        """;

    [Theory]
    [InlineData("var h = Exp(Reshape(x, 4, 3)); return h;", new[] { 12 })]
    [InlineData("var h = Sum(Reshape(x, 12)) * Reshape(x, 3, 4); return h;", new[] { 3, 4 })]
    [InlineData("var h = Reshape(Exp(Reshape(x, 2, 6)), 12) * 2.0; return h;", new[] { 12 })]
    [InlineData("var h = Sum(Reshape(Tanh(x), 2, 2, 3), axis: 1); return h;", new[] { 2, 6 })]
    public void Expanded_params_arguments_nested_in_calls_generate_a_correct_backward(string body, int[] xShape)
    {
        var output = GenerateCompiling(Layer(body));
        AssertGradientChecks(output, Tensor.RandomNormal(3, xShape));
    }

    /// <summary>
    /// The compiler itself, in a process of its own, as a build runs generators: a stack overflow in the generator kills
    /// that process (a failed assertion here) instead of the test run.
    /// </summary>
    [Fact]
    public async System.Threading.Tasks.Task The_compiler_builds_expanded_params_nested_in_calls_without_crashing()
    {
        var compiler = CompilerPath();
        var directory = Directory.CreateTempSubdirectory("bpg-csc-");
        try
        {
            var source = Path.Combine(directory.FullName, "User.cs");
            File.WriteAllText(source, Layer("var h = Exp(Reshape(x, 4, 3)) + Sum(Reshape(x, 12)); return h;"));
            var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
                .Where(path => Path.GetFileName(path) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "netstandard.dll" or "mscorlib.dll"));
            var arguments = new[] { "/nologo", "/target:library", "/nullable:enable", "/out:" + Path.Combine(directory.FullName, "User.dll") }
                .Concat(platform.Append(typeof(Tensor).Assembly.Location).Select(path => "/reference:\"" + path + "\""))
                .Append("/analyzer:\"" + typeof(DifferentiableGenerator).Assembly.Location + "\"")
                .Append("\"" + source + "\"");
            var responseFile = Path.Combine(directory.FullName, "csc.rsp");
            File.WriteAllLines(responseFile, arguments);

            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(compiler);
            start.ArgumentList.Add("@" + responseFile);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(120_000), "the compiler did not finish within two minutes");
            var printed = await stdout + await stderr;

            Assert.True(process.ExitCode == 0, $"the compiler exited with {process.ExitCode}:\n{printed}");
            Assert.DoesNotContain("Stack overflow", printed, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(directory.FullName, "User.dll")));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("var h = {|BPG0009:x.Rank switch { 1 => x, _ => x * x }|}; return h;")]
    [InlineData("var h = {|BPG0009:x.Rank switch { 1 => x, _ => Tensor.Zeros(3) }|} * 2.0; return h;")]
    [InlineData("var h = x * ({|BPG0009:x.Rank > 1 ? x : Exp(x)|}); return h;")]
    [InlineData("var h = Exp(x) * new[] {|BPG0009:{ x, x }|}[0]; return h;")]
    [InlineData("var h = {|BPG0009:x ?? x|}; return h;")]
    public void A_construct_holding_a_differentiable_value_is_reported_never_taken_for_a_constant(string body) =>
        DiagnosticTests.AssertReported(Layer(body));

    [Fact]
    public void A_switch_expression_whose_arms_hold_no_differentiable_value_is_a_constant_of_the_step()
    {
        var output = GenerateCompiling(Layer("var scale = x.Rank switch { 1 => 2.0, _ => 3.0 }; var h = x * scale; return h;"));
        AssertGradientChecks(output, Tensor.RandomNormal(4, 5));
    }

    /// <summary>Bodies written as a user might, beyond the reproductions: each is generated correctly, or reported.</summary>
    [Theory]
    [InlineData("var h = Reshape(x, new int[] { 12 }); return h;")]
    [InlineData("var h = Reshape(x, [12]) * 2.0; return h;")]
    [InlineData("var h = Reshape(Exp(x), shape: new[] { 2, 6 }); return h;")]
    [InlineData("var h = Exp(Reshape(x, 4, 3)); var g = Reshape(h, 12); return g;")]
    [InlineData("var h = Sum(Reshape(x, 3, 4), axis: 1); return h;")]
    [InlineData("var n = x.Shape; var h = Reshape(Tanh(x), n[1], n[0]); return h;")]
    [InlineData("var h = Reshape(x, x.Shape.ToArray()) * Exp(x); return h;")]
    [InlineData("const double c = 2; var h = x * c; return h;")]
    [InlineData("var h = x * default(double) + Exp(x); return h;")]
    [InlineData("var h = Maximum(x, 0.5) * Exp(x: x); return h;")]
    [InlineData("var h = x.Rank > 1 ? x : x; return h;")]
    [InlineData("var h = x is not null ? x * 2.0 : x; return h!;")]
    [InlineData("var h = x is { Length: < 3 } ? x : -x; return h;")]
    [InlineData("var h = checked(x * 2.0); return h;")]
    [InlineData("var (a, b) = (x, x * x); return b;")]
    [InlineData("var h = x; h = h * 2.0; return h;")]
    [InlineData("var h = Sum(x, axis: 0, keepDims: true) switch { var t => t }; return h;")]
    [InlineData("var t = (x, 1); var h = t.Item1 * 2.0; return h;")]
    [InlineData("System.Span<int> s = stackalloc int[] { 3, 4 }; var h = Reshape(x, s[1], s[0]); return h;")]
    public void An_unusual_body_is_generated_with_a_correct_backward_or_reported(string body)
    {
        var source = Layer(body);
        var errors = GeneratorHarness.AnalyzerDiagnostics(source).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        var (result, output) = GeneratorHarness.Run(source);
        if (errors.Count > 0)
        {
            Assert.Empty(result.Results.Single().GeneratedSources);
            return;
        }

        Assert.Empty(GeneratorHarness.CompilationProblems(output));
        AssertGradientChecks(output, Tensor.RandomNormal(6, 3, 4));
    }

    [Fact]
    public void Self_recursion_is_reported_at_the_call_and_gets_no_code() =>
        AssertReportedAndOthersGenerated(Layer("var h = {|BPG0015:F(x)|}; return h;"));

    [Fact]
    public void Mutual_recursion_is_reported_at_each_call_naming_the_chain()
    {
        var source = Usings + """
            public static partial class L
            {
                [Differentiable]
                public static Tensor F(Tensor x) { var h = {|BPG0015:G(x)|}; return h; }

                [Differentiable]
                public static Tensor G(Tensor x) { var h = {|BPG0015:H(x)|}; return h; }

                [Differentiable]
                public static Tensor H(Tensor x) { var h = {|BPG0015:F(x)|}; return h; }

                [Differentiable]
                public static Tensor Valid(Tensor x) { var h = Exp(x); return h; }
            }
            """;
        AssertReportedAndOthersGenerated(source, "L.Valid.g.cs");
        var message = GeneratorHarness.AnalyzerDiagnostics(Markup.Parse(source).Source).First(d => d.Id == "BPG0015").GetMessage();
        Assert.Contains("(F → G → H → F)", message);
    }

    [Fact]
    public void A_caller_of_a_recursive_method_gets_no_code_and_is_told_why() =>
        AssertReportedAndOthersGenerated(Usings + """
            public static partial class L
            {
                [Differentiable]
                public static Tensor R(Tensor x) { var h = {|BPG0015:R(x)|}; return h; }

                [Differentiable]
                public static Tensor F(Tensor x) { var h = {|BPG0016:R(x)|}; return h; }
            }
            """);

    [Fact]
    public void A_caller_of_an_overloaded_method_gets_no_code_and_a_diagnostic_naming_the_callee()
    {
        var source = Usings + """
            public static partial class L
            {
                [Differentiable]
                public static Tensor {|BPG0010:G|}(Tensor x) => x * x;

                [Differentiable]
                public static Tensor {|BPG0010:G|}(Tensor x, Tensor y) => x * y;

                [Differentiable]
                public static Tensor F(Tensor x) { var h = {|BPG0016:G(x)|}; return h; }

                [Differentiable]
                public static Tensor Valid(Tensor x) { var h = Exp(x); return h; }
            }
            """;
        AssertReportedAndOthersGenerated(source, "L.Valid.g.cs");
        var message = GeneratorHarness.AnalyzerDiagnostics(Markup.Parse(source).Source).Single(d => d.Id == "BPG0016").GetMessage();
        Assert.Contains("'F' calls 'G'", message);
    }

    [Fact]
    public void A_ref_struct_local_read_by_a_step_is_reported_at_its_declaration() =>
        AssertReportedAndOthersGenerated(Layer("System.Span<int> {|BPG0007:s = stackalloc int[2]|}; var h = x * s.Length; return h;"));

    [Fact]
    public void A_ref_struct_local_that_no_step_reads_is_fine()
    {
        var output = GenerateCompiling(Layer("System.Span<int> s = stackalloc int[2]; int n = s.Length; var h = x * n; return h;"));
        AssertGradientChecks(output, Tensor.RandomNormal(2, 3));
    }

    [Fact]
    public void A_file_local_type_is_reported_at_its_name() =>
        AssertReportedAndOthersGenerated(Usings + """
            file static partial class {|BPG0017:L|}
            {
                [Differentiable]
                public static Tensor F(Tensor x) { var h = x * x; return h; }
            }
            """);

    [Theory]
    [InlineData("@class", "class.F.g.cs")]
    [InlineData("@namespace", "namespace.F.g.cs")]
    [InlineData("Größe", "Größe.F.g.cs")]
    public void Verbatim_and_non_ascii_type_names_get_valid_file_names_beside_other_methods(string type, string hintName)
    {
        var source = Usings + $$"""
            public static partial class {{type}}
            {
                [Differentiable]
                public static Tensor F(Tensor x) { var h = x * x; return h; }
            }

            public static partial class Other
            {
                [Differentiable]
                public static Tensor G(Tensor x) { var h = Exp(x); return h; }
            }
            """;
        var (result, output) = GeneratorHarness.Run(source);
        Assert.Equal(new[] { "Other.G.g.cs", hintName }.OrderBy(n => n, StringComparer.Ordinal), result.Results.Single().GeneratedSources.Select(s => s.HintName).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Empty(GeneratorHarness.CompilationProblems(output));
    }

    [Fact]
    public void Methods_whose_file_names_differ_only_in_case_each_get_a_file()
    {
        var (result, output) = GeneratorHarness.Run(Usings + """
            public static partial class L
            {
                [Differentiable]
                public static Tensor F(Tensor x) { var h = x * x; return h; }

                [Differentiable]
                public static Tensor f(Tensor x) { var h = Exp(x); return h; }
            }

            public static partial class l
            {
                [Differentiable]
                public static Tensor F(Tensor x) { var h = Tanh(x); return h; }
            }
            """);
        Assert.Equal(3, result.Results.Single().GeneratedSources.Select(s => s.HintName.ToLowerInvariant()).Distinct().Count());
        Assert.Empty(GeneratorHarness.CompilationProblems(output));
    }

    [Fact]
    public void Duplicate_parameter_names_cost_only_their_method()
    {
        var (result, output) = GeneratorHarness.Run(Usings + """
            public static partial class L
            {
                [Differentiable]
                public static Tensor F(Tensor p0, Tensor p0) { var h = p0 * p0; return h; }

                [Differentiable]
                public static Tensor G(Tensor x) { var h = x * x; return h; }
            }
            """);
        Assert.Equal(new[] { "L.G.g.cs" }, result.Results.Single().GeneratedSources.Select(s => s.HintName));
        Assert.Empty(result.Diagnostics);
        Assert.All(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), d => Assert.Equal("User0.cs", d.Location.SourceTree?.FilePath));
    }

    [Theory]
    [InlineData("[Differentiable] public static partial Tensor F(Tensor x);", "public static partial Tensor F(Tensor x) { var h = Exp(x) * x; return h; }")]
    [InlineData("public static partial Tensor F(Tensor x);", "[Differentiable] public static partial Tensor F(Tensor x) { var h = Exp(x) * x; return h; }")]
    public void A_partial_method_is_generated_wherever_its_attribute_is(string declaring, string implementing)
    {
        var declaringFile = Usings + "public static partial class L { " + declaring + " }";
        var implementingFile = Usings + "public static partial class L { " + implementing + " }";
        Assert.DoesNotContain(GeneratorHarness.AnalyzerDiagnostics(declaringFile, implementingFile), d => d.Severity > DiagnosticSeverity.Hidden);

        var (result, output) = GeneratorHarness.Run(declaringFile, implementingFile);
        Assert.Equal(new[] { "L.F.g.cs" }, result.Results.Single().GeneratedSources.Select(s => s.HintName));
        Assert.Empty(GeneratorHarness.CompilationProblems(output));
        AssertGradientChecks(output, Tensor.RandomNormal(5, 4));
    }

    [Fact]
    public void Fixing_a_callee_in_another_file_regenerates_its_caller()
    {
        var caller = Usings + "public static partial class L { [Differentiable] public static Tensor F(Tensor x) { var h = G(x); return h; } }";
        var recursive = Usings + "public static partial class M { [Differentiable] public static Tensor G(Tensor x) { var h = L.F(x); return h; } }";
        var fixedCallee = Usings + "public static partial class M { [Differentiable] public static Tensor G(Tensor x) { var h = Exp(x); return h; } }";
        var compilation = GeneratorHarness.Compile(caller.Replace("G(x)", "M.G(x)", StringComparison.Ordinal), recursive);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        Assert.Empty(driver.GetRunResult().GeneratedTrees);

        var oldTree = compilation.SyntaxTrees.Last();
        var edited = compilation.ReplaceSyntaxTree(oldTree, CSharpSyntaxTree.ParseText(fixedCallee, GeneratorHarness.ParseOptions, oldTree.FilePath));
        driver = driver.RunGeneratorsAndUpdateCompilation(edited, out var output, out _);
        Assert.Equal(new[] { "L.F.g.cs", "M.G.g.cs" }, driver.GetRunResult().GeneratedTrees.Select(t => Path.GetFileName(t.FilePath)).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Empty(GeneratorHarness.CompilationProblems(output));
    }

    [Fact]
    public void A_stage_that_throws_fails_only_its_method_with_the_exception_named()
    {
        var failed = Staged.Run<string, string>("M:L.F", "input", _ => throw new InvalidOperationException("broken"));
        Assert.Null(failed.Value);
        Assert.Equal("InvalidOperationException: broken", failed.Failure);
        Assert.Equal("M:L.F", failed.Then(v => v + "!").Method);
        Assert.Null(failed.Then(v => v + "!").Value);
        Assert.Equal("input!", Staged.Run<string, string>("M:L.F", "input", v => v + "!").Value);
        Assert.Throws<OperationCanceledException>(() => Staged.Run<string, string>("M:L.F", "input", _ => throw new OperationCanceledException()));
    }

    /// <summary>
    /// The analyzer reports exactly the marked diagnostics, exactly <paramref name="generatedFiles"/> are generated (the
    /// methods with errors get none), and the generated code compiles: nothing of ours adds to the user's errors.
    /// </summary>
    private static void AssertReportedAndOthersGenerated(string markup, params string[] generatedFiles)
    {
        DiagnosticTests.AssertReported(markup);
        var (result, output) = GeneratorHarness.Run(Markup.Parse(markup).Source);
        Assert.Empty(result.Diagnostics);
        Assert.Equal(generatedFiles, result.Results.Single().GeneratedSources.Select(s => s.HintName).OrderBy(n => n, StringComparer.Ordinal));
        var generated = output.SyntaxTrees.Where(t => t.FilePath.EndsWith(".g.cs", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree is { } tree && generated.Contains(tree));
    }

    internal static Compilation GenerateCompiling(string source)
    {
        var (result, output) = GeneratorHarness.Run(source);
        Assert.DoesNotContain(GeneratorHarness.AnalyzerDiagnostics(source), d => d.Severity > DiagnosticSeverity.Hidden);
        Assert.NotEmpty(result.Results.Single().GeneratedSources);
        Assert.Empty(GeneratorHarness.CompilationProblems(output));
        return output;
    }

    /// <summary>Runs L.F's generated forward and backward and compares dx with central differences.</summary>
    internal static void AssertGradientChecks(Compilation output, Tensor x)
    {
        using var stream = new MemoryStream();
        Assert.True(output.Emit(stream).Success);
        var type = Assembly.Load(stream.ToArray()).GetType("L")!;
        var (value, cache) = ((Tensor, object))ToTuple(type.GetMethod("FForward")!.Invoke(null, new object[] { x })!);
        var dout = Tensor.RandomNormal(9, value.Shape.ToArray());
        var dx = (Tensor)type.GetMethod("FBackward")!.Invoke(null, new[] { dout, cache })!;
        var numerical = GradCheck.Numerical(v => (Tensor)type.GetMethod("F")!.Invoke(null, new object[] { v })!, x, dout);
        Assert.True(GradCheck.RelativeError(numerical, dx) < 1e-7, $"relative error {GradCheck.RelativeError(numerical, dx)}");
    }

    private static (Tensor, object) ToTuple(object pair) =>
        ((Tensor)pair.GetType().GetField("Item1")!.GetValue(pair)!, pair.GetType().GetField("Item2")!.GetValue(pair)!);

    private static string CompilerPath()
    {
        // The SDK that runs these tests: its folder is beside the shared runtime's.
        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var root = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
        var compiler = Directory.GetDirectories(Path.Combine(root, "sdk"))
            .Select(sdk => Path.Combine(sdk, "Roslyn", "bincore", "csc.dll"))
            .Where(File.Exists)
            .OrderBy(path => path, StringComparer.Ordinal)
            .LastOrDefault();
        Assert.True(compiler is not null, $"no SDK compiler (sdk/*/Roslyn/bincore/csc.dll) under {root}");
        return compiler!;
    }
}
