using BackpropGen.Tests.EndToEnd;
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;

namespace BackpropGen.Benchmarks;

/// <summary>
/// Issue #13's loop benchmarks as an interleaved stopwatch run: every case once a round, each call after a full
/// collection and a short pause, medians, and the ratios both as a ratio of medians and as the median of the
/// ratios within a round (the steadier on a busy machine). The gradients are checked against each other and against
/// central differences first, and the Monte Carlo cache's tape is measured at several sizes.
/// </summary>
public static class LoopTimer
{
    private const int PauseMs = 20;
    private const int WarmCalls = 50;

    public static int Run(int rounds)
    {
        Console.WriteLine($"load average at start: {LoadAverage()}; {Environment.ProcessorCount} cores as .NET sees them");
        if (Check() != 0)
        {
            return 1;
        }

        var mc = new MonteCarloBenchmarks();
        mc.Setup();
        var rk4 = new Rk4Benchmarks();
        rk4.Setup();
        var rnn = new RnnBenchmarks();
        rnn.Setup();
        var cases = new (string Name, int Repeat, Func<object> Body)[]
        {
            ("call: plain pricing run (a)", 1, () => mc.Plain()),
            ("call: generated forward + backward (b)", 1, () => mc.Generated()),
            ("call: hand adjoint, steps reversed (c)", 1, () => mc.Hand()),
            ("call: hand adjoint, steps folded (c')", 1, () => mc.HandFolded()),
            ("call: generated backward alone", 1, () => mc.GeneratedBackward()),
            ("rk4: plain run", 10, () => rk4.Plain()),
            ("rk4: generated forward", 10, () => rk4.Forward()),
            ("rk4: generated backward", 10, () => rk4.Backward()),
            ("rnn: generated forward", 1, () => rnn.Forward()),
            ("rnn: generated backward", 1, () => rnn.Backward()),
            ("rnn: generated forward + backward", 1, () => rnn.Step()),
        };
        // Methods with loops start on tier-0 code with on-stack replacement; a method is recompiled fully optimized only
        // after 30 calls and a pause of the JIT's background queue. Without this, a case called only once a round would
        // be timed partly on unoptimized code (it was: the plain call's fastest round took 7.2 ms here against 4.8 ms under
        // BenchmarkDotNet, and 40 warm-up calls were not enough).
        Warm(cases.Select(c => c.Body));
        var times = cases.Select(_ => new double[rounds]).ToArray();
        var pauses = cases.Select(_ => new double[rounds]).ToArray();
        var faults = cases.Select(_ => new double[rounds]).ToArray();
        var bytes = new long[cases.Length];
        for (int round = -2; round < rounds; round++)
        {
            for (int c = 0; c < cases.Length; c++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Thread.Sleep(PauseMs);
                long allocated = GC.GetAllocatedBytesForCurrentThread();
                var pauseBefore = GC.GetTotalPauseDuration();
                long faultsBefore = QuickTimer.MinorPageFaults();
                var stopwatch = Stopwatch.StartNew();
                for (int r = 0; r < cases[c].Repeat; r++)
                {
                    GC.KeepAlive(cases[c].Body());
                }

                double elapsed = stopwatch.Elapsed.TotalMilliseconds / cases[c].Repeat;
                bytes[c] = (GC.GetAllocatedBytesForCurrentThread() - allocated) / cases[c].Repeat;
                if (round >= 0)
                {
                    times[c][round] = elapsed;
                    pauses[c][round] = (GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds / cases[c].Repeat;
                    faults[c][round] = (QuickTimer.MinorPageFaults() - faultsBefore) / (double)cases[c].Repeat;
                }
            }
        }

        Console.WriteLine($"after 2 × {WarmCalls} warm-up calls of each case and a second's pause after each 50, medians of {rounds} interleaved rounds, a full collection and a {PauseMs} ms pause before each case (RK4: the mean of 10 calls a sample)");
        for (int c = 0; c < cases.Length; c++)
        {
            var sorted = times[c].Order().ToArray();
            Console.WriteLine($"  {cases[c].Name,-42} {Median(times[c]),9:F3} ms (fastest {sorted[0],8:F3}, slowest {sorted[^1],8:F3})  {bytes[c] / 1024.0,10:F1} KiB allocated, GC paused {Median(pauses[c]),6:F2} ms, {Median(faults[c]),6:F0} page faults");
        }

        Console.WriteLine("ratios (target): of medians; median of the per-round ratios [range]");
        Ratio("call (b) / (a), generated / plain (≤ 3)", times[1], times[0]);
        Ratio("call (b) / (c), generated / hand, steps reversed (≤ 1.5)", times[1], times[2]);
        Ratio("call (b) / (c'), generated / hand, steps folded", times[1], times[3]);
        Ratio("call (c) / (a), hand reversed / plain", times[2], times[0]);
        Ratio("rk4 backward / generated forward (≤ 3)", times[7], times[6]);
        Ratio("rk4 backward / plain run", times[7], times[5]);
        Ratio("rk4 generated forward / plain run", times[6], times[5]);
        Ratio("rnn backward / forward", times[9], times[8]);
        Console.WriteLine($"load average at end: {LoadAverage()}");
        return 0;
    }

    /// <summary>Twice: calls every body <see cref="WarmCalls"/> times, then pauses for a second, so that the JIT has compiled them fully optimized.</summary>
    internal static void Warm(IEnumerable<Func<object>> bodies)
    {
        // Two phases: with tiered PGO a method goes from tier 0 to an instrumented tier and only then to tier 1.
        var list = bodies.ToList();
        for (int phase = 0; phase < 2; phase++)
        {
            foreach (var body in list)
            {
                for (int i = 0; i < WarmCalls; i++)
                {
                    GC.KeepAlive(body());
                }
            }

            Thread.Sleep(1000);
        }
    }

    /// <summary>The gradients against each other and central differences, and the Monte Carlo tape's bytes at several sizes.</summary>
    public static int Check()
    {
        var z = LoopInputs.Normals();
        double Price(double s0, double vol) => LoopLayers.EuropeanCall(s0, vol, LoopInputs.Rate, LoopInputs.Strike, z, LoopInputs.Paths, LoopInputs.Steps);
        var (price, cache) = LoopLayers.EuropeanCallForward(LoopInputs.S0, LoopInputs.Vol, LoopInputs.Rate, LoopInputs.Strike, z, LoopInputs.Paths, LoopInputs.Steps);
        var (delta, vega) = LoopLayers.EuropeanCallBackward(1.0, cache);
        var (handPrice, tape) = HandAdjointEuropeanCall.Forward(LoopInputs.S0, LoopInputs.Vol, LoopInputs.Rate, LoopInputs.Strike, z, LoopInputs.Paths, LoopInputs.Steps, sums: true);
        var hand = HandAdjointEuropeanCall.Backward(1.0, tape);
        var folded = HandAdjointEuropeanCall.BackwardFolded(1.0, tape);
        double fdDelta = (Price(LoopInputs.S0 + 1e-3, LoopInputs.Vol) - Price(LoopInputs.S0 - 1e-3, LoopInputs.Vol)) / 2e-3;
        double fdVega = (Price(LoopInputs.S0, LoopInputs.Vol + 1e-6) - Price(LoopInputs.S0, LoopInputs.Vol - 1e-6)) / 2e-6;
        Console.WriteLine($"call: price {price:F6} (hand {handPrice:F6}); delta {delta:F10} (hand {hand.Delta:F10}, folded {folded.Delta:F10}, central {fdDelta:F6}); vega {vega:F10} (hand {hand.Vega:F10}, folded {folded.Vega:F10}, central {fdVega:F6})");
        bool ok = Relative(delta, hand.Delta) < 1e-12 && Relative(vega, hand.Vega) < 1e-12
            && Relative(delta, folded.Delta) < 1e-9 && Relative(vega, folded.Vega) < 1e-9
            && Relative(delta, fdDelta) < 1e-5 && Relative(vega, fdVega) < 1e-5 && price == Price(LoopInputs.S0, LoopInputs.Vol);

        Console.WriteLine("call: cache.TapeBytes (paths × steps → bytes; the hand adjoint's tape: 8 bytes a path, 16 folded)");
        foreach (var (paths, steps) in new[] { (LoopInputs.Paths, LoopInputs.Steps), (LoopInputs.Paths, 2 * LoopInputs.Steps), (LoopInputs.Paths / 2, LoopInputs.Steps), (2 * LoopInputs.Paths, LoopInputs.Steps) })
        {
            var zs = LoopInputs.Normals(paths, steps);
            var sized = LoopLayers.EuropeanCallForward(LoopInputs.S0, LoopInputs.Vol, LoopInputs.Rate, LoopInputs.Strike, zs, paths, steps).Cache;
            Console.WriteLine($"  {paths,6} × {steps,3}: {sized.TapeBytes,9:N0} B ({sized.TapeBytes / (double)paths:F1} B a path)");
            ok &= sized.TapeBytes == 8L * paths;
        }

        var rk4 = LoopLayers.Rk4Forward(LoopInputs.Rk4Y, LoopInputs.Rk4K, LoopInputs.Rk4Steps).Cache;
        var (dy, dk) = LoopLayers.Rk4Backward(1.0, rk4);
        double fdY = (LoopLayers.Rk4(LoopInputs.Rk4Y + 1e-6, LoopInputs.Rk4K, LoopInputs.Rk4Steps) - LoopLayers.Rk4(LoopInputs.Rk4Y - 1e-6, LoopInputs.Rk4K, LoopInputs.Rk4Steps)) / 2e-6;
        double fdK = (LoopLayers.Rk4(LoopInputs.Rk4Y, LoopInputs.Rk4K + 1e-6, LoopInputs.Rk4Steps) - LoopLayers.Rk4(LoopInputs.Rk4Y, LoopInputs.Rk4K - 1e-6, LoopInputs.Rk4Steps)) / 2e-6;
        Console.WriteLine($"rk4: dy {dy:F10} (central {fdY:F10}), dk {dk:F10} (central {fdK:F10}); tape {rk4.TapeBytes:N0} B");
        ok &= Relative(dy, fdY) < 1e-6 && Relative(dk, fdK) < 1e-6;

        var (h0, wx, wh, b, xs) = LoopInputs.Rnn();
        var rnn = RnnLayer.RnnForward(h0, wx, wh, b, xs).Cache;
        var grads = RnnLayer.RnnBackward(1.0, rnn);
        const double e = 1e-6;
        var bump = b.ToArray();
        bump[7] += e;
        double up = RnnLayer.Rnn(h0, wx, wh, Tensor.FromArray(bump, b.Shape.ToArray()), xs);
        bump[7] -= 2 * e;
        double down = RnnLayer.Rnn(h0, wx, wh, Tensor.FromArray(bump, b.Shape.ToArray()), xs);
        double fdB = (up - down) / (2 * e), dB = grads.db.ToArray()[7];
        Console.WriteLine($"rnn: db[7] {dB:F10} (central {fdB:F10}); tape {rnn.TapeBytes:N0} B");
        ok &= Relative(dB, fdB) < 1e-6;
        Console.WriteLine(ok ? "gradients agree" : "GRADIENTS DISAGREE");
        return ok ? 0 : 1;
    }

    private static void Ratio(string name, double[] top, double[] bottom)
    {
        var perRound = top.Zip(bottom, (t, b) => t / b).Order().ToArray();
        Console.WriteLine($"  {name,-58} {Median(top) / Median(bottom),6:F2}; {Median(perRound),6:F2} [{perRound[0]:F2}–{perRound[^1]:F2}]");
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";

    private static double Relative(double a, double b) => Math.Abs(a - b) / Math.Max(Math.Max(Math.Abs(a), Math.Abs(b)), 1e-300);

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
