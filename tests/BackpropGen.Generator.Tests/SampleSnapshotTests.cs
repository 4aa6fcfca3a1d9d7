using System;
using System.Linq;
using Xunit;

namespace BackpropGen.Generator.Tests;

/// <summary>Every generated file of the samples, held as reviewed text: a change in the generator shows up here as a diff to read.</summary>
public class SampleSnapshotTests
{
    [Fact]
    public void Cs231n_layers_generate_reviewed_files()
    {
        var (result, output) = GeneratorHarness.Run(RepositoryFiles.Read("samples/Layers/Layers.cs"));
        Assert.Empty(GeneratorHarness.CompilationProblems(output));
        var files = result.Results.Single().GeneratedSources;
        Assert.Equal(
            new[]
            {
                "Affine", "BatchNorm", "Conv", "ConvReluPool", "Dropout", "LayerNorm", "Lstm", "LstmStates", "LstmStep", "MaxPool", "ReLU", "Rnn", "RnnStep",
                "SigmoidActivation", "SoftmaxLoss", "SpatialBatchNorm", "SvmLoss", "TanhActivation", "TemporalAffine", "TemporalSoftmaxLoss",
                "TwoLayerNetLoss", "WordEmbedding",
            },
            files.Select(f => f.HintName.Split('.')[^3]).OrderBy(n => n, StringComparer.Ordinal));
        foreach (var file in files)
        {
            Snapshot.Verify(file.SourceText.ToString(), file.HintName);
        }
    }
}
