using System;
using System.Text.Json.Nodes;

namespace BackpropGen.GradBench;

/// <summary>
/// One function of an eval applied to one input: the input was read before (untimed, as GradBench's C++ tools build
/// their inputs in a <c>prepare</c> step), <see cref="Run"/> is what each <c>evaluate</c> timing measures, and
/// <see cref="Output"/> turns the last run's result into the protocol's JSON (untimed).
/// </summary>
public abstract class Evaluation
{
    /// <summary>Computes the function once, keeping its result.</summary>
    public abstract void Run();

    /// <summary>The last run's result as the eval expects it.</summary>
    public abstract JsonNode? Output();

    /// <summary>An evaluation that computes a <typeparamref name="T"/> and writes it with <paramref name="toJson"/>.</summary>
    public static Evaluation Of<T>(Func<T> compute, Func<T, JsonNode?> toJson) => new Computed<T>(compute, toJson);

    private sealed class Computed<T>(Func<T> compute, Func<T, JsonNode?> toJson) : Evaluation
    {
        private T? result;
        private bool ran;

        public override void Run()
        {
            result = compute();
            ran = true;
        }

        public override JsonNode? Output() =>
            ran ? toJson(result!) : throw new InvalidOperationException("the function has not run yet");
    }
}
