using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using BackpropGen.Tests.EndToEnd;

namespace BackpropGen.Benchmarks;

/// <summary>
/// What [Checkpoint] trades (issue #16): a stack of residual blocks in a loop, its blocks plain and checkpointed, the bytes
/// each forward's cache keeps beyond the inputs (reachable after a full collection) and the time of forward + backward,
/// interleaved, median of the rounds.
/// </summary>
public static class CheckpointCost
{
    public static int Run(int n, int d, int layers, int rounds)
    {
        var h = Tensor.RandomNormal(1, n, d);
        var w = Tensor.RandomNormal(2, d, d) * (0.5 / Math.Sqrt(d));
        var b = Tensor.RandomNormal(3, d);
        const double gain = 0.5;

        var plain = CheckpointLayers.PlainStackBackward(1.0, CheckpointLayers.PlainStackForward(h, w, b, gain, layers).Cache);
        var checkpointed = CheckpointLayers.CheckpointedStackBackward(1.0, CheckpointLayers.CheckpointedStackForward(h, w, b, gain, layers).Cache);
        var disagreement = GradCheck.RelativeError(plain.dw, checkpointed.dw);
        if (disagreement > 1e-12)
        {
            Console.WriteLine($"checkpointed and plain stacks disagree on dw: {disagreement:E2}");
            return 1;
        }

        Console.WriteLine($"{layers} residual blocks h + tanh(tanh(h·w + b)·w)·gain in a loop, h {n}×{d} ({8.0 * n * d / 1024:F0} KiB a tensor), w {d}×{d}");
        Console.WriteLine($"{"stack",-14} {"cache beyond inputs",22} {"TapeBytes",14} {"forward + backward",22}");
        var plainBytes = Retained(() => CheckpointLayers.PlainStackForward(h, w, b, gain, layers).Cache);
        var checkpointedBytes = Retained(() => CheckpointLayers.CheckpointedStackForward(h, w, b, gain, layers).Cache);
        var plainTimes = new double[rounds];
        var checkpointedTimes = new double[rounds];
        for (var round = 0; round < rounds; round++)
        {
            plainTimes[round] = Time(() => CheckpointLayers.PlainStackBackward(1.0, CheckpointLayers.PlainStackForward(h, w, b, gain, layers).Cache));
            checkpointedTimes[round] = Time(() => CheckpointLayers.CheckpointedStackBackward(1.0, CheckpointLayers.CheckpointedStackForward(h, w, b, gain, layers).Cache));
        }

        Report("plain", plainBytes, CheckpointLayers.PlainStackForward(h, w, b, gain, layers).Cache.TapeBytes, plainTimes);
        Report("checkpointed", checkpointedBytes, CheckpointLayers.CheckpointedStackForward(h, w, b, gain, layers).Cache.TapeBytes, checkpointedTimes);
        return 0;
    }

    private static long Retained(Func<object> makeCache)
    {
        long before = CacheSizes.LiveBytes();
        var cache = makeCache();
        long after = CacheSizes.LiveBytes();
        GC.KeepAlive(cache);
        return after - before;
    }

    private static double Time(Action run)
    {
        GC.Collect();
        var watch = Stopwatch.StartNew();
        run();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static void Report(string name, long bytes, long tapeBytes, double[] times)
    {
        var median = times.OrderBy(t => t).ElementAt(times.Length / 2);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-14} {bytes / (1024.0 * 1024.0),18:F2} MiB {tapeBytes / (1024.0 * 1024.0),10:F2} MiB {median,19:F1} ms"));
    }
}
