using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.Intrinsics;

namespace BackpropGen.Benchmarks;

/// <summary>
/// <c>Tensor.Dot</c> (the packed kernel) against the row-streaming Dot it replaced, interleaved round by round so that a
/// noisy machine slows both alike: medians, GFLOP/s, and the machine's peak estimated from its clock. Also the
/// transposed products against building the transpose, and small sizes, where packing could cost more than it saves.
/// Set DOTNET_PROCESSOR_COUNT=1 to time one thread.
/// </summary>
public static class GemmTimer
{
    public static void Run(int size, int rounds)
    {
        Console.WriteLine($"{Environment.ProcessorCount} cores as .NET sees them, Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}; medians of {rounds} interleaved rounds");
        PrintPeak();

        var a = Tensor.RandomNormal(1, size, size);
        var b = Tensor.RandomNormal(2, size, size);
        var old = RowStreamingDot.Multiply(a.AsSpan(), b.AsSpan(), size, size, size);
        double difference = MaxRelativeDifference(old, Tensor.Dot(a, b).AsSpan());
        Console.WriteLine($"Dot {size}³: new against old, largest difference relative to the largest element: {difference:E1}");
        var bT = Tensor.Transpose(b);
        var aT = Tensor.Transpose(a);
        Report(size, size, size, rounds, [
            ("Dot, row-streaming (old)", () => RowStreamingDot.Multiply(a.AsSpan(), b.AsSpan(), size, size, size)),
            ("Dot, packed (new)", () => Tensor.Dot(a, b)),
            ("DotTransposeB(a, bᵀ)", () => Tensor.DotTransposeB(a, bT)),
            ("Dot(a, Transpose(bᵀ))", () => Tensor.Dot(a, Tensor.Transpose(bT))),
            ("DotTransposeA(aᵀ, b)", () => Tensor.DotTransposeA(aT, b)),
            ("Dot(Transpose(aᵀ), b)", () => Tensor.Dot(Tensor.Transpose(aT), b)),
        ]);

        // Small and awkward shapes (the last four the MLP step's: forward, dW2, dh, dW1), each timed over enough calls to
        // take about a millisecond. The old kernel's result is wrapped as the old Dot did, but through FromArray, which
        // copies it: one m × n copy more than the old Dot made.
        foreach (var (m, k, n) in new[]
        {
            (2, 3, 2), (8, 8, 8), (16, 16, 16), (32, 32, 32), (64, 64, 64), (128, 128, 128), (256, 256, 256),
            (1, 1024, 1024), (3, 1024, 1024), (8, 1024, 1024), (16, 1024, 1024), (64, 1024, 1024), (128, 1024, 1024), (1024, 1024, 1), (1024, 1, 1024),
            (512, 1024, 10), (1024, 512, 10), (512, 10, 1024), (1024, 512, 1024),
        })
        {
            var x = Tensor.RandomNormal(3, m, k);
            var y = Tensor.RandomNormal(4, k, n);
            int calls = (int)Math.Clamp(1e6 / ((double)m * n * k), 1, 100_000);
            Report(m, k, n, rounds, [
                ("Dot, row-streaming (old)", () => Repeat(calls, () => Tensor.FromArray(RowStreamingDot.Multiply(x.AsSpan(), y.AsSpan(), m, k, n), m, n))),
                ("Dot, packed (new)", () => Repeat(calls, () => Tensor.Dot(x, y))),
            ], calls);
        }
    }

    private static object Repeat(int calls, Func<object> body)
    {
        object last = null!;
        for (int i = 0; i < calls; i++)
        {
            last = body();
        }

        return last;
    }

    private static void Report(int m, int k, int n, int rounds, (string Name, Func<object> Body)[] cases, int calls = 1)
    {
        var times = cases.Select(_ => new double[rounds]).ToArray();
        for (int round = -2; round < rounds; round++)
        {
            for (int c = 0; c < cases.Length; c++)
            {
                var stopwatch = Stopwatch.StartNew();
                GC.KeepAlive(cases[c].Body());
                if (round >= 0)
                {
                    times[c][round] = stopwatch.Elapsed.TotalMilliseconds / calls;
                }
            }
        }

        double baseline = Median(times[0]);
        Console.WriteLine($"[{m}, {k}] · [{k}, {n}]{(calls > 1 ? $", {calls} calls a round" : "")}");
        for (int c = 0; c < cases.Length; c++)
        {
            double median = Median(times[c]);
            double gflops = 2.0 * m * n * k / (median * 1e6);
            Console.WriteLine($"  {cases[c].Name,-28} {median,12:F4} ms {gflops,8:F2} GFLOP/s   {cases[0].Name} / this = {baseline / median,6:F2}");
        }
    }

    /// <summary>
    /// An estimate, not a measurement: cores × 2 FMA units × doubles per vector × 2 flops × the clock /proc/cpuinfo
    /// reports (a virtual machine's nominal clock; turbo and sharing move the real one).
    /// </summary>
    private static void PrintPeak()
    {
        const string CpuInfo = "/proc/cpuinfo";
        if (!File.Exists(CpuInfo))
        {
            return;
        }

        var line = File.ReadLines(CpuInfo).FirstOrDefault(l => l.StartsWith("cpu MHz", StringComparison.Ordinal));
        if (line is null)
        {
            return;
        }

        double ghz = double.Parse(line[(line.IndexOf(':') + 1)..], CultureInfo.InvariantCulture) / 1000;
        int lanes = Vector512.IsHardwareAccelerated ? 8 : Vector256.IsHardwareAccelerated ? 4 : 2;
        double peak = Environment.ProcessorCount * 2 * lanes * 2 * ghz;
        Console.WriteLine($"peak estimate: {Environment.ProcessorCount} cores × 2 FMA units × {lanes} doubles × 2 flops × {ghz:F3} GHz (/proc/cpuinfo) = {peak:F1} GFLOP/s");
    }

    private static double MaxRelativeDifference(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual)
    {
        double largest = 0, difference = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            largest = Math.Max(largest, Math.Abs(expected[i]));
            difference = Math.Max(difference, Math.Abs(expected[i] - actual[i]));
        }

        return difference / Math.Max(largest, double.Epsilon);
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
