using System;

namespace BackpropGen;

/// <summary>
/// Names the step of a generated forward or backward in which an operation rejected its arguments, so that a shape
/// error reads <c>BatchNormForward, step 7: xhat = xmu * ivar: Multiply: shapes [8, 5] and [4] do not broadcast</c>.
/// Generated code calls it; it is public only for that.
/// </summary>
public static class StepFailure
{
    /// <summary>
    /// An <see cref="ArgumentException"/> that says which method and step failed and wraps <paramref name="inner"/>.
    /// <paramref name="steps"/> quotes the method's steps 1, 2, ….
    /// </summary>
    public static ArgumentException At(string method, int step, ArgumentException inner, params string[] steps)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(steps);
        var where = step >= 1 && step <= steps.Length ? $"step {step}: {steps[step - 1]}" : $"step {step}";
        return new ArgumentException($"{method}, {where}: {inner.Message}", inner);
    }
}
