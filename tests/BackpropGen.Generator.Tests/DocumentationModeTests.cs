using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace BackpropGen.Generator.Tests;

/// <summary>
/// A user project with <c>GenerateDocumentationFile</c> and <c>TreatWarningsAsErrors</c> compiles the generated files
/// with documentation comments checked and every warning wave on: they must give no warning at all there.
/// </summary>
public class DocumentationModeTests
{
    private static readonly CSharpParseOptions DocumentedParseOptions =
        GeneratorHarness.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);

    [Theory]
    [InlineData("samples/Layers/Layers.cs")]
    [InlineData("samples/BatchNorm/Layers.cs")]
    [InlineData("samples/TwoLayerNet/Layers.cs")]
    public void Generated_files_have_no_warning_with_documentation_checked_at_warning_level_9999(string sample)
    {
        var user = GeneratorHarness.Compile(RepositoryFiles.Read(sample));
        var documented = user
            .RemoveAllSyntaxTrees()
            .AddSyntaxTrees(user.SyntaxTrees.Select(tree => tree.WithRootAndOptions(tree.GetRoot(), DocumentedParseOptions)))
            .WithOptions(user.Options.WithWarningLevel(9999));
        var driver = CSharpGeneratorDriver.Create(new[] { new DifferentiableGenerator().AsSourceGenerator() }, parseOptions: DocumentedParseOptions);
        driver.RunGeneratorsAndUpdateCompilation(documented, out var output, out var generatorDiagnostics);

        Assert.Empty(generatorDiagnostics);
        var generatedTrees = output.SyntaxTrees.Except(documented.SyntaxTrees).ToList();
        Assert.NotEmpty(generatedTrees);
        var inGenerated = output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree is { } tree && generatedTrees.Contains(tree))
            .Select(d => d.ToString())
            .ToList();
        Assert.True(inGenerated.Count == 0, $"{inGenerated.Count} warnings in the generated files:\n" + string.Join("\n", inGenerated.Distinct().Take(20)));
    }
}
