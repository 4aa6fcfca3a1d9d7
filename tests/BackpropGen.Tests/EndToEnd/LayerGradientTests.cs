using System.Linq;
using Samples.Cs231n;
using Xunit;

namespace BackpropGen.Tests.EndToEnd;

/// <summary>The CS231n layers of samples/Layers, each generated gradient against central differences (SPEC.md §4).</summary>
public class LayerGradientTests
{
    public static TheoryData<string, string> Gradients()
    {
        var data = new TheoryData<string, string>();
        foreach (var check in LayerChecks.All())
        {
            data.Add(check.Layer, check.Gradient);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Gradients))]
    public void Generated_gradient_of_every_layer_matches_central_differences(string layer, string gradient)
    {
        var check = LayerChecks.All().Single(c => c.Layer == layer && c.Gradient == gradient);
        Assert.True(check.RelativeError < LayerChecks.Bar, $"{layer} {gradient}: relative error {check.RelativeError:E2}");
    }

    [Fact]
    public void Composed_loss_equals_its_layers_applied_in_turn()
    {
        var x = Tensor.RandomNormal(seed: 1, 4, 3);
        var w1 = Tensor.RandomNormal(seed: 2, 3, 5);
        var b1 = Tensor.RandomNormal(seed: 3, 5);
        var w2 = Tensor.RandomNormal(seed: 4, 5, 2);
        var b2 = Tensor.RandomNormal(seed: 5, 2);
        int[] y = { 0, 1, 1, 0 };

        var (loss, _) = Layers.TwoLayerNetLossForward(x, y, w1, b1, w2, b2);
        var byHand = Layers.SoftmaxLoss(Layers.Affine(Layers.ReLU(Layers.Affine(x, w1, b1)), w2, b2), y);
        Assert.Equal(byHand, loss);
    }
}
