using System;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using BackpropGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace BackpropGen.Benchmarks;

/// <summary>
/// What the generator costs a build: a CSharpGeneratorDriver over a synthetic project of many BatchNorm-like
/// <c>[Differentiable]</c> methods, timed on its first run in this process (its JIT included, Roslyn's already done, as
/// in a compiler server's first build), on a fresh driver once warm, and after an unrelated edit, where every tracked step
/// must be Cached or Unchanged; beside the floors of generators that only find the methods, and also bind their bodies.
/// </summary>
public static class GeneratorCost
{
    /// <summary>The issue's target for a cold run.</summary>
    public const double TargetMillisecondsPerMethod = 1.0;

    private const int MethodsPerFile = 10;

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    private static readonly string[] TrackedSteps =
    [
        DifferentiableGenerator.TrackingNames.Lowered,
        DifferentiableGenerator.TrackingNames.Methods,
        DifferentiableGenerator.TrackingNames.Differentiated,
        DifferentiableGenerator.TrackingNames.Planned,
    ];

    private const string Unrelated = """
        public static class Helpers
        {
            public static int Twice(int x) => 2 * x;
        }
        """;

    /// <summary>Four ways users write BatchNorm (those of tests/BackpropGen.Tests/EndToEnd/BatchNormVariants.cs); {0} is the method's number.</summary>
    private static readonly string[] Variants =
    [
        """
            [Differentiable]
            public static Tensor BatchNorm{0}(Tensor x, Tensor gamma, Tensor beta, [NoGrad] double eps)
            {{
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
            }}
        """,
        """
            [Differentiable]
            public static Tensor WithMean{0}(Tensor input, Tensor scale, Tensor shift, [NoGrad] double epsilon)
            {{
                var mean = Mean(input, axis: 0);
                var centered = -mean + input;
                var variance = Mean(centered * centered, axis: 0);
                var std = Sqrt(epsilon + variance);
                var normalized = centered / std;
                var scaled = normalized * scale;
                return shift + scaled;
            }}
        """,
        """
            [Differentiable]
            public static Tensor Compact{0}(Tensor x, Tensor gamma, Tensor beta, [NoGrad] double eps)
            {{
                var xc = x - Mean(x, axis: 1, keepDims: true);
                var inv = 1.0 / Sqrt(Mean(Square(xc), axis: 1, keepDims: true) + eps);
                return gamma * (xc * inv) + beta;
            }}
        """,
        """
            [Differentiable]
            public static Tensor Scaled{0}(Tensor x, double scale, Tensor beta, [NoGrad] double eps)
            {{
                var mu = Mean(x, axis: 0);
                var xmu = x - mu;
                var variance = Mean(Square(xmu), axis: 0);
                var xhat = xmu / Sqrt(variance + eps);
                return scale * xhat + beta;
            }}
        """,
    ];

    /// <returns>0 when the cold run meets the target and the incremental run caches every step, 1 otherwise.</returns>
    public static int Run(int methodCount)
    {
        var compilation = SyntheticProject(methodCount);
        Console.WriteLine($"generator cost: {methodCount} [Differentiable] methods in {compilation.SyntaxTrees.Count() - 1} files, plus one unrelated file");

        // 1. Roslyn warmed up by a generator that only binds the methods' bodies: the SDK's compiler server has Roslyn
        //    precompiled and warm, so what follows is BackpropGen's cost, not the JIT-compilation of Roslyn's binder.
        for (int i = 0; i < 6; i++)
        {
            TimeFreshRun(compilation, new BindBodiesGenerator(withNullableAnalysis: false));
            TimeFreshRun(compilation, new BindBodiesGenerator(withNullableAnalysis: true));
        }

        // 2. Cold: BackpropGen's first run in this process, its own code JIT-compiled on the way (a compiler server's
        //    first build after it starts).
        var (driver, cold) = TimeFreshRun(compilation);
        var generated = driver.GetRunResult();
        CheckOutput(generated, methodCount);

        // 3. A fresh driver (no incremental state) once the generator is JIT-compiled: the cost of a full regeneration,
        //    as in every later build. The JIT takes about a dozen runs to settle, so the best of the last five of 15.
        var warmRuns = Enumerable.Range(0, 15).Select(_ => TimeFreshRun(compilation)).ToList();
        double warm = warmRuns.Skip(10).Min(r => r.Milliseconds);
        var stages = StageTimes(warmRuns.Skip(10).MinBy(r => r.Milliseconds).Driver.GetRunResult());

        // 4. Unrelated edits, one after another: a comment in the file with no [Differentiable] method. The first one
        //    also JIT-compiles the driver's incremental paths, so the best of five is reported beside it.
        var edits = new double[5];
        int notCached = 0;
        var current = compilation;
        for (int i = 0; i < edits.Length; i++)
        {
            var unrelatedTree = current.SyntaxTrees.Last();
            var edited = current.ReplaceSyntaxTree(unrelatedTree, CSharpSyntaxTree.ParseText($"// edit {i}\n" + Unrelated, ParseOptions, unrelatedTree.FilePath));
            var stopwatch = Stopwatch.StartNew();
            driver = driver.RunGenerators(edited);
            edits[i] = stopwatch.Elapsed.TotalMilliseconds;
            notCached += CountNotCached(driver.GetRunResult(), log: i == edits.Length - 1);
            current = edited;
        }

        double edit = edits.Min();

        // 5. The floor under any attribute-driven generator: one that only finds the same methods and emits nothing, and
        //    one that also has the compiler bind each body.
        double floorFresh = Enumerable.Range(0, 5).Select(_ => TimeFreshRun(compilation, new DiscoveryOnlyGenerator()).Milliseconds).Min();
        double bindFresh = Enumerable.Range(0, 5).Select(_ => TimeFreshRun(compilation, new BindBodiesGenerator(withNullableAnalysis: false)).Milliseconds).Min();
        double bindNullableFresh = Enumerable.Range(0, 5).Select(_ => TimeFreshRun(compilation, new BindBodiesGenerator(withNullableAnalysis: true)).Milliseconds).Min();

        var errors = CompileErrors(compilation, generated);
        Console.WriteLine($"  cold, BackpropGen's first run (its JIT included; Roslyn warm): {cold,9:F1} ms  = {cold / methodCount:F3} ms per method (target < {TargetMillisecondsPerMethod} ms)");
        Console.WriteLine($"  fresh driver, generator already JIT-compiled:                  {warm,9:F1} ms  = {warm / methodCount:F3} ms per method");
        Console.WriteLine($"    by stage (the same run, summed over methods): {stages}");
        Console.WriteLine($"  after an unrelated edit (first; best of 5):   {edits[0],9:F1} ms; {edit:F1} ms = {edit / methodCount:F3} ms per method; steps not Cached/Unchanged: {notCached}");
        Console.WriteLine($"  floor: a generator that only finds the methods (ForAttributeWithMetadataName), fresh driver: {floorFresh:F1} ms = {floorFresh / methodCount:F3} ms per method");
        Console.WriteLine($"  floor: finds the methods and binds their bodies (GetOperation) as BackpropGen does, without nullable analysis, fresh driver: {bindFresh:F1} ms = {bindFresh / methodCount:F3} ms per method");
        Console.WriteLine($"  (binding them with nullable analysis, as the driver's semantic model does:                                   {bindNullableFresh:F1} ms = {bindNullableFresh / methodCount:F3} ms per method)");
        Console.WriteLine($"  generated files: {generated.GeneratedTrees.Length}; compile errors in user + generated code: {errors}");
        bool ok = cold / methodCount < TargetMillisecondsPerMethod && notCached == 0 && errors == 0;
        Console.WriteLine(ok ? "generator cost: ok" : "generator cost: MISSED a target (see above)");
        return ok ? 0 : 1;
    }

    private static (GeneratorDriver Driver, double Milliseconds) TimeFreshRun(Compilation compilation, IIncrementalGenerator? generator = null)
    {
        // A fresh compilation object too, so that no binding done by an earlier run is reused.
        var fresh = compilation.RemoveAllSyntaxTrees().AddSyntaxTrees(compilation.SyntaxTrees);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [(generator ?? new DifferentiableGenerator()).AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        var stopwatch = Stopwatch.StartNew();
        driver = driver.RunGenerators(fresh);
        return (driver, stopwatch.Elapsed.TotalMilliseconds);
    }

    /// <summary>Where a run's time went: the elapsed time of each tracked step and of the source output, in milliseconds.</summary>
    private static string StageTimes(GeneratorDriverRunResult result)
    {
        var run = result.Results.Single();
        var stages = TrackedSteps
            .Select(name => (name, run.TrackedSteps.TryGetValue(name, out var steps) ? steps.Sum(s => s.ElapsedTime.TotalMilliseconds) : 0))
            .Append(("emit", run.TrackedOutputSteps.SelectMany(s => s.Value).Sum(s => s.ElapsedTime.TotalMilliseconds)));
        return string.Join(", ", stages.Select(s => $"{s.Item1} {s.Item2:F0} ms"));
    }

    private static void CheckOutput(GeneratorDriverRunResult result, int methodCount)
    {
        var exception = result.Results.Select(r => r.Exception).FirstOrDefault(e => e is not null);
        if (exception is not null)
        {
            throw new InvalidOperationException("The generator threw.", exception);
        }

        if (result.Diagnostics.Length > 0 || result.GeneratedTrees.Length != methodCount)
        {
            throw new InvalidOperationException(
                $"Expected {methodCount} generated files and no diagnostic, got {result.GeneratedTrees.Length} files and: " +
                string.Join("; ", result.Diagnostics));
        }
    }

    private static int CountNotCached(GeneratorDriverRunResult result, bool log = false)
    {
        var run = result.Results.Single();
        int count = 0;
        foreach (var name in TrackedSteps)
        {
            var outputs = run.TrackedSteps.TryGetValue(name, out var steps) ? steps.SelectMany(s => s.Outputs).ToList() : [];
            if (outputs.Count == 0)
            {
                Console.WriteLine($"  tracked step {name} did not run at all");
                count++;
            }

            count += outputs.Count(o => o.Reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
            if (log)
            {
                // Unchanged means the step ran again and produced an equal value; Cached means it did not run.
                var reasons = outputs.GroupBy(o => o.Reason).Select(g => $"{g.Key} {g.Count()}");
                Console.WriteLine($"    {name,-15} {string.Join(", ", reasons)}");
            }
        }

        count += run.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs)
            .Count(o => o.Reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
        return count;
    }

    private static int CompileErrors(Compilation compilation, GeneratorDriverRunResult result) =>
        compilation.AddSyntaxTrees(result.GeneratedTrees).GetDiagnostics().Count(d => d.Severity == DiagnosticSeverity.Error);

    private static Compilation SyntheticProject(int methodCount)
    {
        var trees = ImmutableArray.CreateBuilder<SyntaxTree>();
        for (int file = 0; file * MethodsPerFile < methodCount; file++)
        {
            var source = new StringBuilder("""
                using BackpropGen;
                using static BackpropGen.Tensor;

                namespace Synthetic;

                """);
            source.Append("public static partial class Layers").Append(file).AppendLine().AppendLine("{");
            for (int m = file * MethodsPerFile; m < Math.Min(methodCount, (file + 1) * MethodsPerFile); m++)
            {
                source.AppendFormat(System.Globalization.CultureInfo.InvariantCulture, Variants[m % Variants.Length], m).AppendLine();
            }

            source.AppendLine("}");
            trees.Add(CSharpSyntaxTree.ParseText(source.ToString(), ParseOptions, path: $"Layers{file}.cs"));
        }

        trees.Add(CSharpSyntaxTree.ParseText(Unrelated, ParseOptions, path: "Helpers.cs"));
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var references = platform
            .Where(path => Path.GetFileName(path) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "netstandard.dll" or "mscorlib.dll"))
            .Append(typeof(Tensor).Assembly.Location)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path));
        return CSharpCompilation.Create(
            "Synthetic",
            trees,
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
    }

    /// <summary>Finds the <c>[Differentiable]</c> methods as the real generator does, and does nothing with them.</summary>
    private sealed class DiscoveryOnlyGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var names = context.SyntaxProvider.ForAttributeWithMetadataName(
                "BackpropGen.DifferentiableAttribute",
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax,
                static (target, _) => target.TargetSymbol.Name);
            context.RegisterSourceOutput(names.Collect(), static (_, _) => { });
        }
    }

    /// <summary>
    /// Finds the methods and has the compiler bind each body, the semantic work any lowering needs at least: without
    /// nullable analysis, as BackpropGen binds them (Roslyn 4.9 and later), or with it, as the driver's model does.
    /// </summary>
    private sealed class BindBodiesGenerator(bool withNullableAnalysis) : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var withNullable = withNullableAnalysis;
            var operationCounts = context.SyntaxProvider.ForAttributeWithMetadataName(
                "BackpropGen.DifferentiableAttribute",
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax,
                (target, cancellationToken) =>
                {
                    var body = (Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax)target.TargetNode;
#pragma warning disable RSEXPERIMENTAL001 // the option BackpropGen looks for by reflection (MethodDiscovery.WithoutNullableAnalysis)
                    var model = withNullable
                        ? target.SemanticModel
                        : target.SemanticModel.Compilation.GetSemanticModel(body.SyntaxTree, SemanticModelOptions.DisableNullableAnalysis);
#pragma warning restore RSEXPERIMENTAL001
                    var operation = model.GetOperation(body, cancellationToken);
                    return operation?.ChildOperations.Count ?? 0;
                });
            context.RegisterSourceOutput(operationCounts.Collect(), static (_, _) => { });
        }
    }
}
