using BackpropGen;
using Xunit;

namespace BackpropGen.Tests.EndToEnd;

/// <summary>The generated backwards of <see cref="SlicingLayers"/> against central differences.</summary>
public class SlicingLayerTests
{
    private const double Bar = 1e-7;

    [Fact]
    public void An_embedding_with_repeated_tokens_matches_central_differences()
    {
        var table = Tensor.RandomNormal(61, 5, 3);
        var w = Tensor.RandomNormal(62, 3, 4);
        var tokens = new[] { 3, 0, 3, 4, 3 };
        var (_, cache) = SlicingLayers.EmbeddingForward(table, w, tokens);
        var (dtable, dw) = SlicingLayers.EmbeddingBackward(1.0, cache);

        AssertClose(GradCheck.Numerical(v => SlicingLayers.Embedding(v, w, tokens), table), dtable);
        AssertClose(GradCheck.Numerical(v => SlicingLayers.Embedding(table, v, tokens), w), dw);

        // Row 2 is never taken: its gradient is exactly 0, not merely small.
        Assert.All(Tensor.Slice(dtable, 0, 2, 1).ToArray(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void Take_with_negative_and_repeated_indices_of_a_compound_value_matches_central_differences()
    {
        var x = Tensor.RandomNormal(63, 3, 4);
        var dout = Tensor.RandomNormal(64, 3, 3);
        var (_, cache) = SlicingLayers.ColumnsForward(x);
        var dx = SlicingLayers.ColumnsBackward(dout, cache);

        AssertClose(GradCheck.Numerical(SlicingLayers.Columns, x, dout), dx);
    }

    [Fact]
    public void Slices_of_one_projection_match_central_differences()
    {
        var x = Tensor.RandomNormal(65, 4, 5);
        var w = Tensor.RandomNormal(66, 5, 6);
        var dout = Tensor.RandomNormal(67, 4, 3);
        var (_, cache) = SlicingLayers.GatedForward(x, w);
        var (dx, dw) = SlicingLayers.GatedBackward(dout, cache);

        AssertClose(GradCheck.Numerical(v => SlicingLayers.Gated(v, w), x, dout), dx);
        AssertClose(GradCheck.Numerical(v => SlicingLayers.Gated(x, v), w, dout), dw);
    }

    [Fact]
    public void A_slice_from_the_middle_and_an_empty_slice_match_central_differences()
    {
        var x = Tensor.RandomNormal(68, 2, 4, 4);
        var (_, cache) = SlicingLayers.MiddleForward(x);
        var dx = SlicingLayers.MiddleBackward(1.0, cache);

        AssertClose(GradCheck.Numerical(SlicingLayers.Middle, x), dx);
        Assert.All(Tensor.Slice(dx, 1, 0, 1).ToArray(), v => Assert.Equal(0.0, v));
        Assert.All(Tensor.Slice(dx, 1, 3, 1).ToArray(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void Transposes_by_axes_match_central_differences()
    {
        var x = Tensor.RandomNormal(69, 2, 3, 4);
        var scale = Tensor.RandomNormal(70, 3, 1, 4);
        var dout = Tensor.RandomNormal(71, 2, 3, 4);
        var (result, cache) = SlicingLayers.HeadsForward(x, scale);
        var (dx, dscale) = SlicingLayers.HeadsBackward(dout, cache);

        Assert.Equal(new TensorShape(2, 3, 4), result.Shape);
        AssertClose(GradCheck.Numerical(v => SlicingLayers.Heads(v, scale), x, dout), dx);
        AssertClose(GradCheck.Numerical(v => SlicingLayers.Heads(x, v), scale, dout), dscale);
    }

    [Fact]
    public void Concat_of_parts_of_three_sizes_one_used_twice_matches_central_differences()
    {
        var a = Tensor.RandomNormal(72, 4, 2);
        var b = Tensor.RandomNormal(73, 4, 3);
        var w = Tensor.RandomNormal(74, 7, 5);
        var dout = Tensor.RandomNormal(75, 4, 5);
        var (_, cache) = SlicingLayers.JoinedForward(a, b, w);
        var (da, db, dw) = SlicingLayers.JoinedBackward(dout, cache);

        AssertClose(GradCheck.Numerical(v => SlicingLayers.Joined(v, b, w), a, dout), da);
        AssertClose(GradCheck.Numerical(v => SlicingLayers.Joined(a, v, w), b, dout), db);
        AssertClose(GradCheck.Numerical(v => SlicingLayers.Joined(a, b, v), w, dout), dw);
    }

    [Fact]
    public void Concat_after_a_constant_part_matches_central_differences()
    {
        var x = Tensor.RandomNormal(76, 3, 4);
        var (_, cache) = SlicingLayers.PaddedForward(x);
        var dx = SlicingLayers.PaddedBackward(1.0, cache);

        AssertClose(GradCheck.Numerical(SlicingLayers.Padded, x), dx);
    }

    [Fact]
    public void Stack_along_a_negative_axis_with_a_nograd_part_matches_central_differences()
    {
        var x = Tensor.RandomNormal(77, 3, 4);
        var y = Tensor.RandomNormal(78, 3, 4);
        var dout = Tensor.RandomNormal(79, 3, 4, 3);
        var (_, cache) = SlicingLayers.StackedForward(x, y);
        var dx = SlicingLayers.StackedBackward(dout, cache);

        AssertClose(GradCheck.Numerical(v => SlicingLayers.Stacked(v, y), x, dout), dx);
    }

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var error = GradCheck.RelativeError(expected, actual);
        Assert.True(error < Bar, $"relative error {error:E2}");
    }
}
