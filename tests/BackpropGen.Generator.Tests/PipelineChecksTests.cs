using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using BackpropGen.Generator.Common;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;
using Xunit.Sdk;

namespace BackpropGen.Generator.Tests;

/// <summary>The checks every harness run of the generator gets (<see cref="PipelineChecks"/>) catch what they are for.</summary>
public class PipelineChecksTests
{
    private sealed record Holder(string Name, object? Value);

    private sealed record Named(string Name, SyntaxTree Tree);

    private static readonly Lazy<(Compilation Compilation, SemanticModel Model, ClassDeclarationSyntax Node, INamedTypeSymbol Symbol)> Roslyn = new(() =>
    {
        var compilation = GeneratorHarness.Compile("public class C { }");
        var tree = compilation.SyntaxTrees.Single();
        var model = compilation.GetSemanticModel(tree);
        var node = tree.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>().Single();
        return (compilation, model, node, model.GetDeclaredSymbol(node)!);
    });

    public static TheoryData<string> Leaks() => new() { "symbol in a record", "node in a tuple's ImmutableArray", "tree in an EquatableArray's record", "semantic model captured by a lambda", "compilation in a list", "tree inside a Location", "symbol in a dictionary" };

    private static object Leak(string what)
    {
        var (compilation, model, node, symbol) = Roslyn.Value;
        return what switch
        {
            "symbol in a record" => new Holder("h", new Holder("inner", symbol)),
            "node in a tuple's ImmutableArray" => (1, "a", ImmutableArray.Create<object>("b", node)),
            "tree in an EquatableArray's record" => new Holder("h", new[] { new Named("n", node.SyntaxTree) }.ToEquatableArray()),
            "semantic model captured by a lambda" => new Holder("h", (Func<int>)(() => model.GetHashCode())),
            "compilation in a list" => new List<object> { "x", compilation },
            "tree inside a Location" => new Holder("h", node.GetLocation()),
            "symbol in a dictionary" => new Dictionary<string, object> { ["k"] = symbol },
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };
    }

    [Theory]
    [MemberData(nameof(Leaks))]
    public void A_Roslyn_object_anywhere_in_a_model_is_found(string what) =>
        Assert.NotNull(PipelineChecks.RoslynObjectIn(Leak(what)));

    [Fact]
    public void A_model_of_plain_values_holds_no_Roslyn_object()
    {
        var cycle = new List<object> { "x" };
        cycle.Add(cycle);
        var model = new Holder("h", (new[] { 1.0, 2.0 }, ImmutableArray.Create("a"), new[] { "b" }.ToEquatableArray(), new Holder("inner", cycle), StringComparer.Ordinal));

        Assert.Null(PipelineChecks.RoslynObjectIn(model));
    }

    [Fact]
    public void A_step_keeping_a_symbol_fails_the_check_and_names_the_step()
    {
        var failure = Assert.Throws<XunitException>(() => Check((node, model) => new Holder(node.Identifier.ValueText, model.GetDeclaredSymbol(node))));
        Assert.Contains(DifferentiableGenerator.TrackingNames.Lowered, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_step_whose_model_lacks_value_equality_fails_the_second_run()
    {
        var failure = Assert.Throws<XunitException>(() => Check((node, _) => new object()));
        Assert.Contains("Modified", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_step_of_plain_equal_values_passes_the_check() =>
        Check((node, _) => new Holder(node.Identifier.ValueText, node.Identifier.ValueText.Length));

    /// <summary>
    /// Runs a generator of one step, which makes <paramref name="model"/> of each class, under the name the check reads
    /// (the generator's own <see cref="DifferentiableGenerator.TrackingNames.Lowered"/>), and checks the run.
    /// </summary>
    private static void Check(Func<ClassDeclarationSyntax, SemanticModel, object> model)
    {
        var compilation = GeneratorHarness.Compile("public class C { }", "public class D { }");
        var driver = CSharpGeneratorDriver.Create(
                new[] { new ProbeGenerator(model).AsSourceGenerator() },
                parseOptions: GeneratorHarness.ParseOptions,
                driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true))
            .RunGenerators(compilation);
        Assert.Equal(2, driver.GetRunResult().Results.Single().TrackedSteps[DifferentiableGenerator.TrackingNames.Lowered].SelectMany(step => step.Outputs).Count());
        PipelineChecks.AssertRerunCachedAndFreeOfRoslynObjects(driver, compilation);
    }

    private sealed class ProbeGenerator : IIncrementalGenerator
    {
        private readonly Func<ClassDeclarationSyntax, SemanticModel, object> _model;

        public ProbeGenerator(Func<ClassDeclarationSyntax, SemanticModel, object> model) => _model = model;

        public void Initialize(IncrementalGeneratorInitializationContext context) =>
            context.RegisterSourceOutput(
                context.SyntaxProvider
                    .CreateSyntaxProvider(static (node, _) => node is ClassDeclarationSyntax, (syntax, _) => _model((ClassDeclarationSyntax)syntax.Node, syntax.SemanticModel))
                    .WithTrackingName(DifferentiableGenerator.TrackingNames.Lowered),
                static (_, _) => { });
    }
}
