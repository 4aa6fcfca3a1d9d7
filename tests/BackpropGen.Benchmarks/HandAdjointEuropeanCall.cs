using System;

namespace BackpropGen.Benchmarks;

/// <summary>
/// The Monte Carlo European call's delta and vega by a hand-written adjoint: a forward pass that prices the call and
/// stores each path's final log price (all its reverse pass needs: the walk is linear in <c>logS</c>), then a reverse
/// pass written by hand. Two reverse passes: <see cref="Backward"/> reverses the time steps as the forward ran them
/// (the textbook adjoint, the algorithm the generator emits); <see cref="BackwardFolded"/> has the forward also keep each
/// path's sum of its normals, so that the reverse pass never reads <c>z</c> again (what a quant who knows the walk is
/// linear would write).
/// </summary>
public static class HandAdjointEuropeanCall
{
    /// <summary>What the reverse passes read: each path's final log price, and (for the folded pass) its sum of normals.</summary>
    public sealed record Tape(double S0, double Vol, double Rate, double Strike, double[] Z, int Paths, int Steps, double[] LogS, double[]? ZSums)
    {
        /// <summary>The bytes of the per-path records.</summary>
        public long Bytes => 8L * (LogS.Length + (ZSums?.Length ?? 0));
    }

    /// <summary>Prices the call and records each path's final log price (and, with <paramref name="sums"/>, its sum of normals).</summary>
    public static (double Price, Tape Tape) Forward(double s0, double vol, double rate, double strike, double[] z, int paths, int steps, bool sums = false)
    {
        double dt = 1.0 / steps;
        double drift = (rate - (0.5 * vol * vol)) * dt;
        double diffusion = vol * Math.Sqrt(dt);
        var logSs = new double[paths];
        double[]? zSums = sums ? new double[paths] : null;
        double payoff = 0.0;
        for (int p = 0; p < paths; p++)
        {
            double logS = Math.Log(s0);
            var row = z.AsSpan(p * steps, steps);
            if (zSums is null)
            {
                for (int k = 0; k < row.Length; k++)
                {
                    logS = logS + drift + (diffusion * row[k]);
                }
            }
            else
            {
                double zSum = 0.0;
                for (int k = 0; k < row.Length; k++)
                {
                    logS = logS + drift + (diffusion * row[k]);
                    zSum += row[k];
                }

                zSums[p] = zSum;
            }

            logSs[p] = logS;
            payoff += Math.Max(Math.Exp(logS) - strike, 0.0);
        }

        return (Math.Exp(-rate) * payoff / paths, new Tape(s0, vol, rate, strike, z, paths, steps, logSs, zSums));
    }

    /// <summary>The reverse pass over every path and every time step, last first: (delta, vega).</summary>
    public static (double Delta, double Vega) Backward(double dprice, Tape tape)
    {
        int steps = tape.Steps;
        double dt = 1.0 / steps;
        double dpayoff = Math.Exp(-tape.Rate) * dprice / tape.Paths;
        double ds0 = 0.0, ddrift = 0.0, ddiffusion = 0.0;
        for (int p = tape.Paths - 1; p >= 0; p--)
        {
            double logS = tape.LogS[p];
            double s = Math.Exp(logS);
            double dlogS = s > tape.Strike ? s * dpayoff : 0.0;
            var row = tape.Z.AsSpan(p * steps, steps);
            for (int k = steps - 1; k >= 0; k--)
            {
                ddrift += dlogS;
                ddiffusion += row[k] * dlogS;
            }

            ds0 += dlogS / tape.S0;
        }

        return (ds0, VegaOf(tape.Vol, dt, ddrift, ddiffusion));
    }

    /// <summary>The reverse pass with the time steps folded: each path's steps contribute <c>steps · dlogS</c> and <c>zSum · dlogS</c>.</summary>
    public static (double Delta, double Vega) BackwardFolded(double dprice, Tape tape)
    {
        var zSums = tape.ZSums ?? throw new ArgumentException("The folded reverse pass needs a forward run with sums: true.", nameof(tape));
        double dt = 1.0 / tape.Steps;
        double dpayoff = Math.Exp(-tape.Rate) * dprice / tape.Paths;
        double ds0 = 0.0, dlogSSum = 0.0, ddiffusion = 0.0;
        for (int p = tape.Paths - 1; p >= 0; p--)
        {
            double s = Math.Exp(tape.LogS[p]);
            double dlogS = s > tape.Strike ? s * dpayoff : 0.0;
            dlogSSum += dlogS;
            ddiffusion += zSums[p] * dlogS;
            ds0 += dlogS / tape.S0;
        }

        return (ds0, VegaOf(tape.Vol, dt, tape.Steps * dlogSSum, ddiffusion));
    }

    /// <summary>drift = (rate − vol²/2)·dt and diffusion = vol·√dt, reversed.</summary>
    private static double VegaOf(double vol, double dt, double ddrift, double ddiffusion) => (Math.Sqrt(dt) * ddiffusion) - (vol * dt * ddrift);
}
