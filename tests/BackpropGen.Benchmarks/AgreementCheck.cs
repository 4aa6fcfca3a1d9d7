using System;
using BackpropGen;

namespace BackpropGen.Benchmarks;

/// <summary>Before anything is timed: every backward measured here computes the same gradients.</summary>
public static class AgreementCheck
{
    private const double Bar = 1e-10;

    public static int Run()
    {
        bool ok = true;
        foreach (var (n, d) in new[] { (64, 64), (33, 7), (1024, 512) })
        {
            var x = (Tensor.RandomNormal(seed: 1, n, d) * 3.0) + 2.0;
            var gamma = Tensor.RandomNormal(seed: 2, d);
            var beta = Tensor.RandomNormal(seed: 3, d);
            var dout = Tensor.RandomNormal(seed: 4, n, d);
            var generated = BatchNormLayer.BatchNormBackward(dout, BatchNormLayer.BatchNormForward(x, gamma, beta, 1e-5).Cache);
            var seedCache = SeedNaiveBackward.Forward(x, gamma, beta, 1e-5).Cache;
            var seed = SeedNaiveBackward.Backward(dout, seedCache);
            var closedForm = HandFusedBackward.CacheOf(seedCache.Xhat, gamma, seedCache.Ivar);
            foreach (bool parallel in new[] { false, true })
            {
                var fused = HandFusedBackward.Backward(dout.ToArray(), closedForm, parallel);
                ok &= Agree($"{n}x{d} hand-fused{(parallel ? " parallel" : "")} dx", seed.dx, Tensor.FromArray(fused.dx, n, d));
                ok &= Agree($"{n}x{d} hand-fused{(parallel ? " parallel" : "")} dgamma", seed.dgamma, Tensor.FromArray(fused.dgamma, d));
                ok &= Agree($"{n}x{d} hand-fused{(parallel ? " parallel" : "")} dbeta", seed.dbeta, Tensor.FromArray(fused.dbeta, d));
            }

            var steps = BatchNormLayer.BatchNormBackwardSteps(dout, BatchNormLayer.BatchNormForward(x, gamma, beta, 1e-5).Cache);
            ok &= Agree($"{n}x{d} generated step by step dx", seed.dx, steps.dx);
            ok &= Agree($"{n}x{d} generated step by step dgamma", seed.dgamma, steps.dgamma);
            ok &= Agree($"{n}x{d} generated step by step dbeta", seed.dbeta, steps.dbeta);

            var fromInput = RecomputingFusedBackward.Backward(dout.ToArray(), RecomputingFusedBackward.CacheOf(x, gamma, 1e-5));
            ok &= Agree($"{n}x{d} recomputed from x dx", seed.dx, Tensor.FromArray(fromInput.dx, n, d));
            ok &= Agree($"{n}x{d} recomputed from x dgamma", seed.dgamma, Tensor.FromArray(fromInput.dgamma, d));
            ok &= Agree($"{n}x{d} recomputed from x dbeta", seed.dbeta, Tensor.FromArray(fromInput.dbeta, d));
            ok &= Agree($"{n}x{d} generated dx", seed.dx, generated.dx);
            ok &= Agree($"{n}x{d} generated dgamma", seed.dgamma, generated.dgamma);
            ok &= Agree($"{n}x{d} generated dbeta", seed.dbeta, generated.dbeta);
        }

        Console.WriteLine(ok ? "agreement check: every backward agrees with the seed's" : "agreement check FAILED");
        return ok ? 0 : 1;
    }

    private static bool Agree(string what, Tensor expected, Tensor actual)
    {
        double error = GradCheck.RelativeError(expected, actual);
        if (error < Bar)
        {
            return true;
        }

        Console.WriteLine($"  {what}: relative error {error:E2} against the seed's naive backward (bar {Bar:E0})");
        return false;
    }
}
