using System;
using System.Diagnostics;
using System.Linq;

namespace BackpropGen.Benchmarks;

/// <summary>
/// A quick stopwatch comparison at one size, the cases interleaved round by round so that a noisy machine slows them
/// alike; medians and allocated bytes per call. For before/after checks while working; the numbers to report come
/// from the BenchmarkDotNet run.
/// </summary>
public static class QuickTimer
{
    public static void Run(int n, int d, int rounds)
    {
        var benchmarks = new BatchNormBenchmarks { Size = new BatchNormSize(n, d) };
        benchmarks.Setup();
        var cases = new (string Name, Func<object> Body)[]
        {
            ("forward (generated)", benchmarks.Forward),
            ("backward (generated)", benchmarks.GeneratedBackward),
            ("backward (generated, step by step)", benchmarks.GeneratedSteps),
            ("backward (hand-written, the generated passes)", benchmarks.HandWrittenGeneratedPasses),
            ("backward (seed naive, Tensor ops)", benchmarks.SeedNaive),
            ("backward (hand-fused)", benchmarks.HandFused),
            ("backward (hand-fused, parallel)", benchmarks.HandFusedParallel),
        };
        var times = cases.Select(_ => new double[rounds]).ToArray();
        var cpuTimes = cases.Select(_ => new double[rounds]).ToArray();
        var gcPauses = cases.Select(_ => new double[rounds]).ToArray();
        var pageFaults = cases.Select(_ => new double[rounds]).ToArray();
        using var process = Process.GetCurrentProcess();
        var bytes = new long[cases.Length];
        for (int round = -2; round < rounds; round++)
        {
            for (int c = 0; c < cases.Length; c++)
            {
                long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                var pauseBefore = GC.GetTotalPauseDuration();
                long faultsBefore = MinorPageFaults();
                var stopwatch = Stopwatch.StartNew();
                GC.KeepAlive(cases[c].Body());
                double elapsed = stopwatch.Elapsed.TotalMilliseconds;
                process.Refresh();
                double cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
                double pause = (GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds;
                long faults = MinorPageFaults() - faultsBefore;
                bytes[c] = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
                if (round >= 0)
                {
                    times[c][round] = elapsed;
                    cpuTimes[c][round] = cpu;
                    gcPauses[c][round] = pause;
                    pageFaults[c][round] = faults;
                }
            }
        }

        double generated = Median(times[1]);
        Console.WriteLine($"BatchNorm N={n} D={d}, medians of {rounds} interleaved rounds: wall time, process CPU time (all threads, GC too: steadier on a busy machine), GC pauses (mean), minor page faults (median: fresh pages the kernel zeroes), bytes allocated");
        for (int c = 0; c < cases.Length; c++)
        {
            double median = Median(times[c]);
            Console.WriteLine($"  {cases[c].Name,-50} {median,9:F3} ms wall {Median(cpuTimes[c]),9:F3} ms CPU {gcPauses[c].Average(),7:F3} ms GC {Median(pageFaults[c]),7:F0} faults {bytes[c] / (double)(1 << 20),9:F2} MiB   generated backward / this = {generated / median,5:F2}");
        }
    }

    /// <summary>The process's minor page faults so far (Linux; 0 elsewhere): each is a fresh page the kernel maps and zeroes.</summary>
    internal static long MinorPageFaults()
    {
        const string Stat = "/proc/self/stat";
        if (!System.IO.File.Exists(Stat))
        {
            return 0;
        }

        // Fields after the parenthesised command name: state is field 3, minflt is field 10.
        var text = System.IO.File.ReadAllText(Stat);
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
