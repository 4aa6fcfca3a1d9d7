using System;
using System.IO;
using System.Linq;
using BackpropGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace BackpropGen.CodeFixes.Tests;

/// <summary>
/// This project runs on Roslyn 4.8, the oldest the package supports (the .NET 8 SDK's), where the generator binds with the
/// driver's model for want of the option to skip nullable analysis; the generator tests run on a newer Roslyn, with it.
/// </summary>
public class OldestRoslynTests
{
    [Fact]
    public void Generator_on_Roslyn_4_8_writes_the_reviewed_BatchNorm_file()
    {
        var snapshot = Generator.Tests.RepositoryFiles.Read("tests/BackpropGen.Generator.Tests/SnapshotTests.Spec_batchnorm_generates_cache_forward_and_seed_like_backward#Layers.BatchNorm.g.verified.cs");
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "netstandard.dll" or "mscorlib.dll"))
            .Append(typeof(Tensor).Assembly.Location)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path));
        var parseOptions = new CSharpParseOptions(LanguageVersion.CSharp12);
        var compilation = CSharpCompilation.Create(
            "UserCode",
            new[] { CSharpSyntaxTree.ParseText(Generator.Tests.Sources.SpecBatchNorm, parseOptions, path: "User0.cs") },
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var result = CSharpGeneratorDriver.Create(new[] { new DifferentiableGenerator().AsSourceGenerator() }, parseOptions: parseOptions)
            .RunGenerators(compilation)
            .GetRunResult()
            .Results.Single();

        Assert.Equal(new Version(4, 8, 0, 0), typeof(Compilation).Assembly.GetName().Version);
        Assert.Null(result.Exception);
        Assert.Equal(snapshot.Replace("\r\n", "\n").TrimEnd(), result.GeneratedSources.Single().SourceText.ToString().TrimEnd());
    }
}
