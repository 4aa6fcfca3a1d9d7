using System;
using System.Linq;

namespace BackpropGen.Benchmarks;

/// <summary>The inputs of issue #13's loop benchmarks, shared by the BenchmarkDotNet classes and the interleaved timer.</summary>
public static class LoopInputs
{
    public const int Paths = 10_000, Steps = 252;
    public const double S0 = 100, Vol = 0.2, Rate = 0.01, Strike = 100;

    public const int Rk4Steps = 10_000;
    public const double Rk4Y = 0.5, Rk4K = 1.3;

    public const int RnnSteps = 50, RnnBatch = 64, RnnInput = 128, RnnHidden = 256;

    /// <summary>paths × steps standard normals (Box–Muller over a seeded <see cref="Random"/>), path by path.</summary>
    public static double[] Normals(int paths = Paths, int steps = Steps, int seed = 13)
    {
        var random = new Random(seed);
        var z = new double[paths * steps];
        for (int i = 0; i < z.Length; i += 2)
        {
            double r = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())), theta = 2 * Math.PI * random.NextDouble();
            z[i] = r * Math.Cos(theta);
            if (i + 1 < z.Length)
            {
                z[i + 1] = r * Math.Sin(theta);
            }
        }

        return z;
    }

    /// <summary>The RNN's initial state (zeros), weights scaled as 1/√fan-in, bias and the sequence of inputs.</summary>
    public static (Tensor H0, Tensor Wx, Tensor Wh, Tensor B, Tensor[] Xs) Rnn()
    {
        var h0 = Tensor.Zeros(RnnBatch, RnnHidden);
        var wx = Tensor.RandomNormal(21, RnnInput, RnnHidden) * (1 / Math.Sqrt(RnnInput));
        var wh = Tensor.RandomNormal(22, RnnHidden, RnnHidden) * (1 / Math.Sqrt(RnnHidden));
        var b = Tensor.RandomNormal(23, RnnHidden) * 0.1;
        var xs = Enumerable.Range(0, RnnSteps).Select(t => Tensor.RandomNormal(100 + t, RnnBatch, RnnInput)).ToArray();
        return (h0, wx, wh, b, xs);
    }
}
