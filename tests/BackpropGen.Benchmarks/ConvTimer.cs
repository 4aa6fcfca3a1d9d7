using System;
using System.Diagnostics;
using System.Linq;

namespace BackpropGen.Benchmarks;

/// <summary>
/// A convolution layer as a network trains it: <c>Conv2D</c> 3 × 3, stride 1, padding 1, then a 2 × 2 max pool of stride
/// 2, forward and backward (both gradients, dout of ones as for <c>Sum</c> of the pooled output), the layer libtorch is
/// timed on by the peer harness (x <c>[32, 16, 32, 32]</c>, w <c>[32, 16, 3, 3]</c>, float64). Medians of interleaved
/// rounds, the whole step and each piece of it, and GFLOP/s for the products (each of the three is
/// <c>2·N·F·H'·W'·C·9</c> flops).
/// </summary>
public static class ConvTimer
{
    public static void Run(int filters, int rounds)
    {
        const int N = 32, C = 16, H = 32, W = 32;
        Console.WriteLine($"{Environment.ProcessorCount} cores as .NET sees them; x [{N}, {C}, {H}, {W}], w [{filters}, {C}, 3, 3], stride 1, padding 1, then max pool 2 × 2 stride 2; medians of {rounds} interleaved rounds");
        var x = Tensor.RandomNormal(1, N, C, H, W);
        var w = Tensor.RandomNormal(2, filters, C, 3, 3) * 0.1;
        var c = Tensor.Conv2D(x, w, stride: 1, padding: 1);
        var (p, indices) = Tensor.MaxPool2DWithIndices(c, size: 2, stride: 2);
        var ones = Tensor.Ones(p.Shape);
        var dc = Tensor.MaxPool2DBackward(ones, indices, c.Shape);
        double productFlops = 2.0 * N * filters * H * W * C * 9;

        var cases = new (string Name, double Flops, Func<object> Body)[]
        {
            ("layer forward + backward", 3 * productFlops, () => Step(x, w)),
            ("Conv2D", productFlops, () => Tensor.Conv2D(x, w, stride: 1, padding: 1)),
            ("MaxPool2DWithIndices", 0, () => Tensor.MaxPool2DWithIndices(c, size: 2, stride: 2)),
            ("MaxPool2DBackward", 0, () => Tensor.MaxPool2DBackward(ones, indices, c.Shape)),
            ("Conv2DBackwardInput", productFlops, () => Tensor.Conv2DBackwardInput(dc, w, x.Shape, stride: 1, padding: 1)),
            ("Conv2DBackwardFilter", productFlops, () => Tensor.Conv2DBackwardFilter(dc, x, w.Shape, stride: 1, padding: 1)),
        };

        var times = cases.Select(_ => new double[rounds]).ToArray();
        for (int round = -2; round < rounds; round++)
        {
            for (int i = 0; i < cases.Length; i++)
            {
                var stopwatch = Stopwatch.StartNew();
                GC.KeepAlive(cases[i].Body());
                if (round >= 0)
                {
                    times[i][round] = stopwatch.Elapsed.TotalMilliseconds;
                }
            }
        }

        for (int i = 0; i < cases.Length; i++)
        {
            var sorted = times[i].Order().ToArray();
            double median = sorted[sorted.Length / 2];
            string rate = cases[i].Flops > 0 ? $"{cases[i].Flops / (median * 1e6),8:F1} GFLOP/s" : "";
            Console.WriteLine($"  {cases[i].Name,-26} {median,9:F2} ms (fastest {sorted[0],7:F2}, slowest {sorted[^1],7:F2}) {rate}");
        }
    }

    /// <summary>The layer's forward and backward as a generated backward would run them: the pool's indices kept for its backward.</summary>
    private static (Tensor Dx, Tensor Dw) Step(Tensor x, Tensor w)
    {
        var c = Tensor.Conv2D(x, w, stride: 1, padding: 1);
        var (p, indices) = Tensor.MaxPool2DWithIndices(c, size: 2, stride: 2);
        var dc = Tensor.MaxPool2DBackward(Tensor.Ones(p.Shape), indices, c.Shape);
        return (Tensor.Conv2DBackwardInput(dc, w, x.Shape, stride: 1, padding: 1), Tensor.Conv2DBackwardFilter(dc, x, w.Shape, stride: 1, padding: 1));
    }
}
