using System;
using System.Collections.Generic;
using BackpropGen;

namespace Samples.Training;

/// <summary>
/// The Adam optimizer (Kingma and Ba, 2015) over a list of parameter tensors: per-element steps scaled by running
/// averages of the gradient and of its square, with the usual bias correction for their zero start.
/// </summary>
public sealed class Adam(double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
{
    private Tensor[]? _firstMoment;
    private Tensor[]? _secondMoment;
    private int _step;

    /// <summary>The learning rate of the next steps; a schedule may lower it as training goes.</summary>
    public double LearningRate { get; set; } = learningRate;

    /// <summary>The parameters after one step against <paramref name="gradients"/> (one per parameter, of its shape).</summary>
    public Tensor[] Step(IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> gradients)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(gradients);
        if (parameters.Count != gradients.Count)
        {
            throw new ArgumentException($"{parameters.Count} parameters but {gradients.Count} gradients.", nameof(gradients));
        }

        _step++;
        _firstMoment ??= ZerosLike(parameters);
        _secondMoment ??= ZerosLike(parameters);
        double firstCorrection = 1 - Math.Pow(beta1, _step), secondCorrection = 1 - Math.Pow(beta2, _step);
        var updated = new Tensor[parameters.Count];
        for (int i = 0; i < parameters.Count; i++)
        {
            var g = gradients[i];
            _firstMoment[i] = beta1 * _firstMoment[i] + (1 - beta1) * g;
            _secondMoment[i] = beta2 * _secondMoment[i] + (1 - beta2) * Tensor.Square(g);
            updated[i] = parameters[i] - LearningRate * (_firstMoment[i] / firstCorrection)
                / (Tensor.Sqrt(_secondMoment[i] / secondCorrection) + epsilon);
        }

        return updated;
    }

    private static Tensor[] ZerosLike(IReadOnlyList<Tensor> parameters)
    {
        var zeros = new Tensor[parameters.Count];
        for (int i = 0; i < zeros.Length; i++)
        {
            zeros[i] = Tensor.Zeros(parameters[i].Shape);
        }

        return zeros;
    }
}
