using System;
using BackpropGen;
using static BackpropGen.Tensor;

namespace BackpropGen.Tests.EndToEnd;

/// <summary>Bodies with loops and branches, written as numeric C# is: each is gradient-checked.</summary>
public static partial class LoopLayers
{
    /// <summary>An RNN's cell, called once per time step.</summary>
    [Differentiable]
    public static Tensor Cell(Tensor h, Tensor x, Tensor wh, Tensor wx) => Tanh(Dot(h, wh) + Dot(x, wx));

    /// <summary>An RNN over time: the state is carried from one iteration to the next, the loss summed over the steps.</summary>
    [Differentiable]
    public static double Rnn(Tensor h, Tensor wh, Tensor wx, Tensor[] xs)
    {
        double loss = 0.0;
        for (int t = 0; t < xs.Length; t++)
        {
            h = Cell(h, xs[t], wh, wx);
            var y = Sigmoid(h);
            loss += Mean(y * y);
        }

        return loss;
    }

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

    /// <summary>Newton's method for the square root, stopped by a tolerance: a while loop whose trip count the forward records.</summary>
    [Differentiable]
    public static double NewtonSqrt(double a)
    {
        double r = a;
        double f = r * r - a;
        while (Math.Abs(f) > 1e-12)
        {
            r = r - f / (2.0 * r);
            f = r * r - a;
        }

        return r;
    }

    /// <summary>Branches: one on a value no arm writes (evaluated again in the backward), one on a value its arm writes (recorded).</summary>
    [Differentiable]
    public static double Branches(Tensor x, double a)
    {
        var s = Sum(x);
        double y = a * s;
        if (s > 0)
        {
            y = y * y;
        }
        else
        {
            y = Math.Sin(y) + a;
        }

        if (y > 1.5)
        {
            y = y / 2;
        }

        return y;
    }

    /// <summary>Nested loops over a tensor state, with a local of the outer body and a sum in the inner one.</summary>
    [Differentiable]
    public static double Nested(Tensor x, Tensor w, int outer, int inner)
    {
        var h = x * 0.5;
        double loss = 0.0;
        for (int i = 0; i < outer; i++)
        {
            var g = Tanh(h);
            for (int j = 0; j < inner; j++)
            {
                g = Sigmoid(Dot(g, w));
                loss += Mean(g * x);
            }

            h = h + g;
        }

        loss += Sum(h);
        return loss;
    }

    /// <summary>
    /// A loop that counts by two and a do loop (both record their trip counts), a branch inside a loop, and code without a
    /// gradient in the body: a time that changes every iteration, and a local replayed in the backward.
    /// </summary>
    [Differentiable]
    public static double Stepped(Tensor x, double a, int n)
    {
        double t = 0.0;
        double acc = 0.0;
        for (int i = 0; i < n; i += 2)
        {
            double scale = 1.0 + i;
            t += 0.25;
            if (i % 4 == 0)
            {
                acc += a * t * Mean(x) / scale;
            }
            else
            {
                acc = acc * Math.Cos(a * t);
            }
        }

        int rounds = 0;
        do
        {
            acc = acc * a + Sum(x * x) * 0.01;
            rounds++;
        }
        while (rounds < 3);

        return acc;
    }

    /// <summary>A loop that may run no iteration: then the gradient passes straight through it.</summary>
    [Differentiable]
    public static Tensor MaybeNoIterations(Tensor x, Tensor w, int n)
    {
        var h = x;
        for (int i = 0; i < n; i++)
        {
            h = h * w + x;
        }

        return h * 2.0;
    }

    /// <summary>Choices (<c>c ? a : b</c>) as a declaration's and an assignment's whole right-hand side, one inside a loop.</summary>
    [Differentiable]
    public static double Chosen(Tensor x, double a)
    {
        var s = Sum(x * a);
        var y = s > 0 ? s * s : Math.Sin(s) + a;
        for (int i = 0; i < 3; i++)
        {
            y = y > 1 ? y / 2 : y * a;
        }

        y = a > 1 ? y : y + a;
        return y;
    }

    /// <summary>Newton's method that breaks out of a counted loop once converged: the loop records its trip count.</summary>
    [Differentiable]
    public static double NewtonWithBreak(double a)
    {
        double r = a;
        for (int i = 0; i < 100; i++)
        {
            double f = r * r - a;
            if (Math.Abs(f) < 1e-13)
            {
                break;
            }

            r = r - f / (2.0 * r);
        }

        return r;
    }

    /// <summary>An iteration skipped by <c>continue</c>, and a break on a value the loop computes.</summary>
    [Differentiable]
    public static double Skipping(Tensor x, double a, int n)
    {
        double acc = 0.0;
        for (int i = 0; i < n; i++)
        {
            var m = Mean(x * (a + i));
            if (i % 3 == 1)
            {
                acc = acc * 0.5;
                continue;
            }

            acc += Math.Sin(m) * a;
            if (acc > 2.5)
            {
                break;
            }

            acc = acc * 1.1;
        }

        return acc;
    }

    /// <summary>An arm outside every loop that returns a value of its own local, which its backward reads (Sin's derivative).</summary>
    [Differentiable]
    public static double ReturnFromArm(double x, double a)
    {
        if (x > a)
        {
            double u = x * a;
            return Math.Sin(u) * x;
        }

        double w = x + a;
        return w * w;
    }

    /// <summary>
    /// A local of an arm outside every loop (<c>u</c>, kept as it is at the arm's end in a cache field) and one of an arm
    /// inside a loop (<c>v</c>, once an iteration, on a tape), each read by its arm's backward.
    /// </summary>
    [Differentiable]
    public static double ArmLocals(double x, int n)
    {
        double y = x;
        if (x > 0)
        {
            double u = x * x;
            y = Math.Sin(u) + x;
        }

        for (int i = 0; i < n; i++)
        {
            if (y > 0.5)
            {
                double v = y * 0.9;
                y = Math.Sin(v) + (0.5 * y);
            }
            else
            {
                y = y + 0.3;
            }
        }

        return y;
    }

    /// <summary>Returns inside branches: the result is whichever return ran.</summary>
    [Differentiable]
    public static double Piecewise(Tensor x, double a)
    {
        var s = Mean(x) * a;
        if (a < 0)
        {
            return s * s;
        }

        var t = Math.Abs(s) + a;
        if (t > 1.0)
        {
            return t - 0.5;
        }
        else if (t > 0.8)
        {
            var u = t * 3;
            return u;
        }

        return 0.5 * t * t;
    }

    /// <summary>A foreach over the inputs of each step, without a gradient, and its element read by the steps.</summary>
    [Differentiable]
    public static Tensor OverInputs(Tensor h, Tensor w, Tensor[] xs)
    {
        foreach (var input in xs)
        {
            h = Tanh(Dot(h, w) + input);
        }

        return h;
    }

    /// <summary>A least-squares fit written as a loop over elements: each residual reads one element of x and of y.</summary>
    [Differentiable]
    public static double ElementFit(Tensor x, Tensor y, double a, double b)
    {
        double loss = 0.0;
        for (int i = 0; i < x.Shape[0]; i++)
        {
            double r = y[i] - (a * x[i] + b);
            loss += r * r;
        }

        return loss / x.Shape[0];
    }

    /// <summary>Nested loops over a matrix's elements, each read twice by different indices.</summary>
    [Differentiable]
    public static double ElementPairs(Tensor m)
    {
        double s = 0.0;
        for (int i = 0; i < m.Shape[0]; i++)
        {
            for (int j = 0; j < m.Shape[1]; j++)
            {
                s += Math.Sin(m[i, j]) * m[i, (j + 1) % m.Shape[1]];
            }
        }

        return s;
    }

    /// <summary>
    /// A local of a loop's body read whole and element by element in a loop inside it: the element reads add into a
    /// buffer of the reversed iteration's own, not a tensor per read.
    /// </summary>
    [Differentiable]
    public static double RowEnergy(Tensor x, Tensor w)
    {
        var energy = 0.0;
        for (int i = 0; i < x.Shape[0]; i++)
        {
            var r = Tanh(x * w) * (i + 1.0);
            energy += 0.1 * Sum(r);
            for (int j = 0; j < x.Shape[1]; j++)
            {
                energy += r[i, j] * r[(i + 1) % x.Shape[0], j];
            }
        }

        return energy;
    }

    /// <summary>Element reads in a straight-line body: each gradient is a tensor of zeros but at the element.</summary>
    [Differentiable]
    public static double Corners(Tensor m)
    {
        var s = m[0, 0] * m[2, 3] + Sum(m);
        return s;
    }

    /// <summary>
    /// A counter declared in an arm and counted up by a loop inside it, read by a step: the backward restores it from the
    /// tape rather than replaying its declaration, which would give it its first value.
    /// </summary>
    [Differentiable]
    public static double ArmCounter(Tensor x, double a)
    {
        double y = a;
        if (x.Shape[0] > 1)
        {
            int k = 0;
            while (k < 3)
            {
                y = (y * Math.Cos(a * k)) + (Mean(x) * k);
                k++;
            }
        }

        return y;
    }

    /// <summary>
    /// Locals of one name in scopes side by side, as C# allows: the counters of two loops, a temporary in each arm of a
    /// branch and one more in a later loop. Each is a value of its own (<c>i2</c>, <c>t2</c>, <c>t3</c> in the generated code).
    /// </summary>
    [Differentiable]
    public static double SideBySide(Tensor x, double w)
    {
        var y = w;
        for (int i = 0; i < 4; i++)
        {
            if (i % 2 == 0)
            {
                var t = y * Mean(x);
                y = t + 0.1;
            }
            else
            {
                var t = Math.Tanh(y) * w;
                t = t * 0.5;
                y = t;
            }
        }

        for (int i = 0; i < 2; i++)
        {
            var t = Sum(Tanh(x * y));
            y = y + (t * 0.1);
        }

        return y;
    }

    /// <summary>Newton's method that returns from inside its loop once converged, and a fallback return after it.</summary>
    [Differentiable]
    public static double NewtonReturning(double a, double scale)
    {
        double r = a;
        for (int i = 0; i < 100; i++)
        {
            r = r - ((r * r) - a) / (2.0 * r);
            if (Math.Abs((r * r) - a) < 1e-12)
            {
                return r * scale;
            }
        }

        return r;
    }

    /// <summary>
    /// A search that returns from the inner of two loops: the inner loop is left by the return, the outer by the flag
    /// the return set, and the statements after both are skipped.
    /// </summary>
    [Differentiable]
    public static double FirstAbove(Tensor x, double a, double limit)
    {
        double s = a;
        for (int i = 0; i < 6; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                s = s + (Mean(x) * a * (j + 1));
                if (i * 4 + j >= limit)
                {
                    return s * s;
                }
            }

            s = s * 0.9;
        }

        s = s + 1.0;
        return s;
    }

    /// <summary>
    /// Jumps nested in branches: a break inside an arm that runs on when it does not break, a continue in the other
    /// arm, and statements after the branch that run on every path that did not jump.
    /// </summary>
    [Differentiable]
    public static double NestedJumps(Tensor x, double a, int n)
    {
        double acc = a;
        for (int i = 0; i < n; i++)
        {
            var m = Mean(x) * (i + 1);
            if (i % 2 == 0)
            {
                acc = acc * a;
                if (i > 5)
                {
                    break;
                }

                acc = acc + m;
            }
            else
            {
                if (i % 3 == 0)
                {
                    continue;
                }

                acc = Math.Tanh(acc) + (m * a);
            }

            acc = acc * 0.8;
        }

        return acc;
    }

    /// <summary>A return in a branch nested in a branch, and a loop left by break from a <c>while (true)</c>.</summary>
    [Differentiable]
    public static double DeepReturn(Tensor x, double a)
    {
        var y = Sum(x) * a;
        if (x.Shape[0] > 1)
        {
            if (a > 0.5)
            {
                return y * y;
            }

            int k = 0;
            while (true)
            {
                y = Math.Sin(y) + a;
                k++;
                if (k >= 3)
                {
                    break;
                }
            }
        }

        return y * a;
    }

    /// <summary>
    /// A sequence grown by one step's state per iteration: the backward reads only the shape of its older versions (to
    /// slice the gradient), so the tape records their shapes, not each ever longer tensor.
    /// </summary>
    [Differentiable]
    public static Tensor GrownSequence(Tensor h, int steps)
    {
        var hs = h;
        for (int t = 0; t < steps; t++)
        {
            h = Tanh(h);
            hs = Concat(1, hs, h);
        }

        return hs;
    }
}
