using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Discover;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace BackpropGen.Generator.Tests;

/// <summary>
/// The generator lowers with a semantic model that skips nullable analysis, where the compiler offers one; the analyzer,
/// and the generator on a compiler without the option, lower with the compiler's model. Both must give the same result,
/// code and diagnostics alike, or the analyzer would explain a different outcome than the generator's.
/// </summary>
public class NullableAnalysisTests
{
    private const string NullableFeatures = """
        using BackpropGen;
        using static BackpropGen.Tensor;

        public static partial class Layers
        {
            private static Tensor? Maybe(Tensor x) => x;

            [Differentiable]
            public static Tensor Annotated(Tensor x, Tensor? bias, [NoGrad] string? label)
            {
                var shifted = x + bias!;
                var maybe = Maybe(x);
                var scaled = shifted * 2.0;
                string? note = label ?? "none";
                var total = Sum(scaled, axis: 0);
                return total;
            }

            [Differentiable]
            public static Tensor Bad(Tensor x)
            {
                var y = Maybe(x)!;
                var z = y is null ? x : y;
                return z;
            }
        }
        """;

    public static TheoryData<string, string> Sources() => new()
    {
        { "the spec's BatchNorm", Tests.Sources.SpecBatchNorm },
        { "the seed's BatchNorm", Tests.Sources.SeedBatchNorm },
        { "the cs231n layers", RepositoryFiles.Read("samples/Layers/Layers.cs") },
        { "the two-layer net", RepositoryFiles.Read("samples/TwoLayerNet/Layers.cs") },
        { "nullable annotations, a null-forgiving operator and a bad method", NullableFeatures },
        { "random programs", RandomSource(Enumerable.Range(0, 40).Select(RandomProgramBuilder.Build)) },
        { "random rowwise programs", RandomSource(Enumerable.Range(100_000, 40).Select(RandomProgramBuilder.BuildRowwise)) },
        { "random programs with loops and branches", RandomSource(Enumerable.Range(100_000, 40).Select(RandomProgramBuilder.BuildWithControlFlow)) },
        { "the loop and branch layers", RepositoryFiles.Read("tests/BackpropGen.Tests/EndToEnd/LoopLayers.cs") },
        { "a var local of an array type, inferred nullable only with nullable analysis", """
            using System.Linq;
            using BackpropGen;
            using static BackpropGen.Tensor;

            public static partial class Layers
            {
                [Differentiable]
                public static Tensor Embed(int[,] x, Tensor w)
                {
                    var words = x.Cast<int>().ToArray();
                    var rows = Take(w, words, 0);
                    return rows;
                }
            }
            """ },
    };

    [Theory]
    [MemberData(nameof(Sources))]
    public void Lowering_without_nullable_analysis_equals_lowering_with_it(string what, string source)
    {
        var compilation = GeneratorHarness.Compile(source);
        var methods = 0;
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            var withoutNullable = MethodDiscovery.WithoutNullableAnalysis(model, tree);

            // The tests run on a compiler that has the option (experimental in Roslyn, which is why the generator finds it
            // by reflection and falls back without it): the faster model is the one under test.
#pragma warning disable RSEXPERIMENTAL001
            Assert.True(withoutNullable.NullableAnalysisIsDisabled, what);
#pragma warning restore RSEXPERIMENTAL001
            foreach (var syntax in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
            {
                var method = (IMethodSymbol)model.GetDeclaredSymbol(syntax)!;
                if (!BackpropGen.Generator.Common.KnownNames.IsDifferentiable(method))
                {
                    continue;
                }

                methods++;
                var expected = FrontEnd.Run(model, syntax, method, default);
                var actual = FrontEnd.Run(withoutNullable, syntax, method, default);
                Assert.True(expected == actual, $"{what}: {method.Name} lowers differently without nullable analysis");
            }
        }

        Assert.True(methods > 0, what);
    }

    private static string RandomSource(IEnumerable<RandomProgram> programs) =>
        "using BackpropGen;\nusing static BackpropGen.Tensor;\n\npublic static partial class RandomPrograms\n{\n"
        + string.Join("\n", programs.Select(p => p.Source)) + "}\n";
}
