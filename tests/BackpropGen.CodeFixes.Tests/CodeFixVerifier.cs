using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using BackpropGen.Generator.Analyze;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace BackpropGen.CodeFixes.Tests;

/// <summary>
/// Runs <see cref="DifferentiableAnalyzer"/> on a marked-up source (<c>{|BPG0008:y = y * 2.0|}</c>), applies the fix
/// until no fixable diagnostic is left, and compares the result with the expected source and its own markup.
/// </summary>
internal static class CodeFixVerifier<TCodeFix>
    where TCodeFix : CodeFixProvider, new()
{
    public static Task VerifyAsync(string source, string fixedSource, int? iterations = null, int? fixAllIterations = null)
    {
        var test = new CSharpCodeFixTest<DifferentiableAnalyzer, TCodeFix, DefaultVerifier>
        {
            TestCode = source,
            FixedCode = fixedSource,
            // No reference-assembly package is downloaded: the test compiles against the running runtime, as the
            // generator tests do, plus the BackpropGen runtime library that [Differentiable] code uses.
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
        };
        if (iterations is { } count)
        {
            test.NumberOfIncrementalIterations = count;
            test.NumberOfFixAllIterations = fixAllIterations ?? count;
        }

        test.TestState.AdditionalReferences.AddRange(RuntimeReferences.Value);
        test.FixedState.AdditionalReferences.AddRange(RuntimeReferences.Value);
        return test.RunAsync();
    }

    private static readonly Lazy<MetadataReference[]> RuntimeReferences = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "netstandard.dll" or "mscorlib.dll"))
            .Append(typeof(Tensor).Assembly.Location)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray());
}
