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

    /// <summary>
    /// An <see cref="ArgumentException"/> for a failure in the lines a generated forward runs before its first step
    /// (<paramref name="lines"/>, quoted): they read the inputs' shapes, so an input of the wrong rank fails there.
    /// </summary>
    public static ArgumentException BeforeSteps(string method, ArgumentException inner, string lines)
    {
        ArgumentNullException.ThrowIfNull(inner);
        return new ArgumentException($"{method}, before step 1, in '{lines}': {inner.Message}", inner);
    }

    /// <summary>Throws when a generated forward is given a null tensor, naming the method and the parameter.</summary>
    public static void CheckArgument(string method, Tensor? value, string parameter)
    {
        if (value is null)
        {
            throw new ArgumentNullException(parameter, $"{method}: parameter '{parameter}' is null; pass a tensor.");
        }
    }

    /// <summary>
    /// Throws when a generated backward is given a gradient <paramref name="dout"/> that is null or not of the shape of the
    /// forward's result (<paramref name="resultShape"/>): one of another shape would broadcast through the steps into a
    /// gradient of the right shape and the wrong values.
    /// </summary>
    public static void CheckGradient(string method, Tensor? dout, TensorShape resultShape)
    {
        if (dout is null)
        {
            throw new ArgumentNullException(nameof(dout), $"{method}: dout is null; pass the gradient of the result, of shape {resultShape}.");
        }

        if (!dout.Shape.Equals(resultShape))
        {
            throw new ArgumentException(
                $"{method}: dout has shape {dout.Shape}, but the forward's result has shape {resultShape}; pass the gradient of the result, of its shape.",
                nameof(dout));
        }
    }

    /// <summary>
    /// <paramref name="gradient"/>, the gradient a hand-written backward (<paramref name="backward"/>: a
    /// <c>[CustomDerivative]</c>'s or a <c>[DerivativeOf]</c>'s) returned for its parameter <paramref name="parameter"/>,
    /// once checked to be of that argument's shape: one of another shape would broadcast into the caller's gradients and
    /// give wrong values rather than an error. Generated code calls it.
    /// </summary>
    public static Tensor Returned(string backward, string parameter, Tensor? gradient, TensorShape argumentShape)
    {
        if (gradient is null)
        {
            throw new ArgumentException($"{backward} returned null as the gradient of '{parameter}'; return a tensor of its shape, {argumentShape}.", parameter);
        }

        if (!gradient.Shape.Equals(argumentShape))
        {
            throw new ArgumentException(
                $"{backward} returned a gradient of shape {gradient.Shape} for '{parameter}', whose argument has shape {argumentShape}; a backward returns each gradient in its parameter's shape.",
                parameter);
        }

        return gradient;
    }
}
