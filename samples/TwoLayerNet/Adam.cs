using System;
using BackpropGen;

namespace TwoLayerNetSample;

/// <summary>
/// The Adam optimizer (Kingma and Ba, 2015): per-element steps scaled by running averages of the gradient and of its
/// square, with the usual bias correction for their zero start.
/// </summary>
public sealed class Adam(double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
{
    private Parameters? _firstMoment;
    private Parameters? _secondMoment;
    private int _step;

    /// <summary>The parameters after one step against <paramref name="gradients"/>.</summary>
    public Parameters Step(Parameters parameters, Parameters gradients)
    {
        _step++;
        _firstMoment = Parameters.Map(_firstMoment ?? Parameters.ZerosLike(parameters), gradients,
            (m, g) => beta1 * m + (1 - beta1) * g);
        _secondMoment = Parameters.Map(_secondMoment ?? Parameters.ZerosLike(parameters), gradients,
            (v, g) => beta2 * v + (1 - beta2) * Tensor.Square(g));
        double firstCorrection = 1 - Math.Pow(beta1, _step), secondCorrection = 1 - Math.Pow(beta2, _step);
        return Parameters.Map(parameters, _firstMoment, _secondMoment,
            (p, m, v) => p - learningRate * (m / firstCorrection) / (Tensor.Sqrt(v / secondCorrection) + epsilon));
    }
}
