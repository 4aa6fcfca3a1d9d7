using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using BackpropGen.Generator;
using BackpropGen.Generator.Analyze;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace BackpropGen.Generator.Tests;

/// <summary>Compiles user source against the BackpropGen runtime and runs the generator over it, as a build would.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return platform
            .Where(path => Path.GetFileName(path) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "netstandard.dll" or "mscorlib.dll"))
            .Append(typeof(Tensor).Assembly.Location)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    });

    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create(
            "UserCode",
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"User{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            new[] { new DifferentiableGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>
    /// Runs the generator; returns its result and the compilation with the generated files added. Every run is checked by
    /// <see cref="PipelineChecks.AssertRerunCachedAndFreeOfRoslynObjects"/>: its models hold no Roslyn object, and a
    /// second run finds them all cached.
    /// </summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(params string[] sources)
    {
        var compilation = Compile(sources);
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var result = driver.GetRunResult();
        if (result.Results.Any(r => r.Exception is not null))
        {
            throw new InvalidOperationException("The generator threw: " + result.Results.First(r => r.Exception is not null).Exception);
        }

        PipelineChecks.AssertRerunCachedAndFreeOfRoslynObjects(driver, compilation);
        return (result, output);
    }

    public static IReadOnlyList<Diagnostic> GeneratorDiagnostics(params string[] sources) => Run(sources).Result.Diagnostics;

    /// <summary>What <see cref="DifferentiableAnalyzer"/> reports on the sources, every severity; throws if the analyzer threw.</summary>
    public static IReadOnlyList<Diagnostic> AnalyzerDiagnostics(params string[] sources) => AnalyzerDiagnostics(Compile(sources));

    public static IReadOnlyList<Diagnostic> AnalyzerDiagnostics(Compilation compilation, CancellationToken cancellationToken = default)
    {
        var (diagnostics, exceptions) = RunAnalyzer(compilation, new DifferentiableAnalyzer(), cancellationToken);
        if (exceptions.Count > 0)
        {
            throw new InvalidOperationException("The analyzer threw: " + exceptions[0]);
        }

        return diagnostics;
    }

    /// <summary>
    /// Runs an analyzer as the compiler does. An analyzer exception is caught by Roslyn and reported as AD0001;
    /// both that diagnostic and the exception itself are returned as exceptions.
    /// </summary>
    public static (IReadOnlyList<Diagnostic> Diagnostics, IReadOnlyList<string> Exceptions) RunAnalyzer(
        Compilation compilation, DiagnosticAnalyzer analyzer, CancellationToken cancellationToken = default)
    {
        var exceptions = new List<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (exception, _, _) => { lock (exceptions) { exceptions.Add(exception.ToString()); } },
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false);
        var diagnostics = compilation
            .WithAnalyzers(ImmutableArray.Create(analyzer), options)
            .GetAnalyzerDiagnosticsAsync(cancellationToken)
            .GetAwaiter()
            .GetResult();
        exceptions.AddRange(diagnostics.Where(d => d.Id == "AD0001").Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
        return (diagnostics.Where(d => d.Id != "AD0001").ToList(), exceptions);
    }

    /// <summary>Errors and warnings of the user code together with the generated code.</summary>
    public static IReadOnlyList<Diagnostic> CompilationProblems(Compilation output) =>
        output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
}
