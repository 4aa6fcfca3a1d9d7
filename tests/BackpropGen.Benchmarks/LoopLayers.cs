using System;
using BackpropGen;

namespace BackpropGen.Benchmarks;

/// <summary>
/// Loops as a user writes them (issue #13), the benchmark's own copies of the test suite's <c>LoopLayers</c>: the
/// generator adds their <c>…Forward</c>/<c>…Backward</c> here, the code under measurement.
/// </summary>
public static partial class LoopLayers
{
    /// <summary>A European call priced by Monte Carlo: paths × time steps of a log-normal walk, then the discounted mean payoff.</summary>
    [Differentiable]
    public static double EuropeanCall(double s0, double vol, [NoGrad] double rate, [NoGrad] double strike, double[] z, int paths, int steps)
    {
        double dt = 1.0 / steps;
        double drift = (rate - 0.5 * vol * vol) * dt;
        double diffusion = vol * Math.Sqrt(dt);
        double payoff = 0.0;
        for (int p = 0; p < paths; p++)
        {
            double logS = Math.Log(s0);
            for (int k = 0; k < steps; k++)
            {
                logS = logS + drift + diffusion * z[p * steps + k];
            }

            payoff += Math.Max(Math.Exp(logS) - strike, 0.0);
        }

        double price = Math.Exp(-rate) * payoff / paths;
        return price;
    }

    /// <summary>Classic fourth-order Runge–Kutta on dy/dt = -k y + sin(y), n steps over [0, 1].</summary>
    [Differentiable]
    public static double Rk4(double y, double k, int n)
    {
        double h = 1.0 / n;
        for (int i = 0; i < n; i++)
        {
            double k1 = -k * y + Math.Sin(y);
            double y2 = y + 0.5 * h * k1;
            double k2 = -k * y2 + Math.Sin(y2);
            double y3 = y + 0.5 * h * k2;
            double k3 = -k * y3 + Math.Sin(y3);
            double y4 = y + h * k3;
            double k4 = -k * y4 + Math.Sin(y4);
            y += h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
        }

        return y;
    }
}
