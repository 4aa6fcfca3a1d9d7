using System;
using System.Collections.Generic;
using BackpropGen;

namespace Samples.Training;

/// <summary>Generated gradients against central differences, one line each, held to one bar.</summary>
public static class GradientReport
{
    /// <summary>The bar of docs/spec.md §4: generated gradients agree with central differences below this relative error.</summary>
    public const double Bar = 1e-7;

    /// <summary>Prints <paramref name="title"/> and a line per gradient; true when every relative error is under <see cref="Bar"/>.</summary>
    public static bool Print(string title, IEnumerable<(string Name, Tensor Generated, Tensor Numerical)> gradients)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        Console.WriteLine($"{title} (bar {Bar:E0}):");
        var passed = true;
        foreach (var (name, generated, numerical) in gradients)
        {
            var error = GradCheck.RelativeError(generated, numerical);
            passed &= error < Bar;
            Console.WriteLine($"  d{name,-10} relative error {error:E2}   {(error < Bar ? "ok" : "FAILED")}");
        }

        return passed;
    }
}
