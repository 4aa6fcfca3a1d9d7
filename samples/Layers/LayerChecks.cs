using System.Collections.Generic;
using BackpropGen;

namespace Samples.Cs231n;

/// <summary>One generated gradient of one layer, against central differences.</summary>
public sealed record LayerCheck(string Layer, string Gradient, double RelativeError);

/// <summary>
/// Gradient checks of every layer in <see cref="Layers"/>: the sample prints them and the tests assert them, so both
/// check the same thing.
/// </summary>
public static class LayerChecks
{
    /// <summary>SPEC.md §4: every generated backward agrees with central differences below this relative error.</summary>
    public const double Bar = 1e-7;

    private const int N = 5, D = 4, M = 3, C = 4;
    private const double Eps = 1e-5;

    public static IEnumerable<LayerCheck> All()
    {
        var x = Tensor.RandomNormal(seed: 1, N, D) * 2.0 + 0.5;
        var w = Tensor.RandomNormal(seed: 2, D, M);
        var b = Tensor.RandomNormal(seed: 3, M);
        var gamma = Tensor.RandomNormal(seed: 4, D);
        var beta = Tensor.RandomNormal(seed: 5, D);
        var dout = Tensor.RandomNormal(seed: 6, N, D);
        var doutM = Tensor.RandomNormal(seed: 7, N, M);
        // Moderate scores: with very peaked softmaxes, central differences themselves lose the digits being checked.
        var scores = Tensor.RandomNormal(seed: 8, N, C);
        int[] y = { 0, 3, 1, 1, 2 };

        {
            var (_, cache) = Layers.AffineForward(x, w, b);
            var (dx, dw, db) = Layers.AffineBackward(doutM, cache);
            yield return Check("Affine", "dx", GradCheck.Numerical(v => Layers.Affine(v, w, b), x, doutM), dx);
            yield return Check("Affine", "dw", GradCheck.Numerical(v => Layers.Affine(x, v, b), w, doutM), dw);
            yield return Check("Affine", "db", GradCheck.Numerical(v => Layers.Affine(x, w, v), b, doutM), db);
        }

        {
            var (_, cache) = Layers.ReLUForward(x);
            yield return Check("ReLU", "dx", GradCheck.Numerical(Layers.ReLU, x, dout), Layers.ReLUBackward(dout, cache));
        }

        {
            var (_, cache) = Layers.SigmoidActivationForward(x);
            yield return Check("Sigmoid", "dx", GradCheck.Numerical(Layers.SigmoidActivation, x, dout), Layers.SigmoidActivationBackward(dout, cache));
        }

        {
            var (_, cache) = Layers.TanhActivationForward(x);
            yield return Check("Tanh", "dx", GradCheck.Numerical(Layers.TanhActivation, x, dout), Layers.TanhActivationBackward(dout, cache));
        }

        {
            var (_, cache) = Layers.BatchNormForward(x, gamma, beta, Eps);
            var (dx, dgamma, dbeta) = Layers.BatchNormBackward(dout, cache);
            yield return Check("BatchNorm", "dx", GradCheck.Numerical(v => Layers.BatchNorm(v, gamma, beta, Eps), x, dout), dx);
            yield return Check("BatchNorm", "dgamma", GradCheck.Numerical(v => Layers.BatchNorm(x, v, beta, Eps), gamma, dout), dgamma);
            yield return Check("BatchNorm", "dbeta", GradCheck.Numerical(v => Layers.BatchNorm(x, gamma, v, Eps), beta, dout), dbeta);
        }

        {
            var (_, cache) = Layers.LayerNormForward(x, gamma, beta, Eps);
            var (dx, dgamma, dbeta) = Layers.LayerNormBackward(dout, cache);
            yield return Check("LayerNorm", "dx", GradCheck.Numerical(v => Layers.LayerNorm(v, gamma, beta, Eps), x, dout), dx);
            yield return Check("LayerNorm", "dgamma", GradCheck.Numerical(v => Layers.LayerNorm(x, v, beta, Eps), gamma, dout), dgamma);
            yield return Check("LayerNorm", "dbeta", GradCheck.Numerical(v => Layers.LayerNorm(x, gamma, v, Eps), beta, dout), dbeta);
        }

        {
            const double p = 0.5;
            var mask = Tensor.Greater(Tensor.RandomNormal(seed: 9, N, D), 0.0);
            var (_, cache) = Layers.DropoutForward(x, mask, p);
            yield return Check("Dropout", "dx", GradCheck.Numerical(v => Layers.Dropout(v, mask, p), x, dout), Layers.DropoutBackward(dout, cache));
        }

        {
            var (_, cache) = Layers.SoftmaxLossForward(scores, y);
            yield return Check("SoftmaxLoss", "dscores", GradCheck.Numerical(v => Layers.SoftmaxLoss(v, y), scores), Layers.SoftmaxLossBackward(1.0, cache));
        }

        {
            const double delta = 1.0;
            var (_, cache) = Layers.SvmLossForward(scores, y, delta);
            yield return Check("SvmLoss", "dscores", GradCheck.Numerical(v => Layers.SvmLoss(v, y, delta), scores), Layers.SvmLossBackward(1.0, cache));
        }

        {
            var w1 = Tensor.RandomNormal(seed: 10, D, 6) * 0.5;
            var b1 = Tensor.RandomNormal(seed: 11, 6) * 0.1;
            var w2 = Tensor.RandomNormal(seed: 12, 6, C) * 0.5;
            var b2 = Tensor.RandomNormal(seed: 13, C) * 0.1;
            var (_, cache) = Layers.TwoLayerNetLossForward(x, y, w1, b1, w2, b2);
            var (dw1, db1, dw2, db2) = Layers.TwoLayerNetLossBackward(1.0, cache);
            yield return Check("TwoLayerNetLoss", "dw1", GradCheck.Numerical(v => Layers.TwoLayerNetLoss(x, y, v, b1, w2, b2), w1), dw1);
            yield return Check("TwoLayerNetLoss", "db1", GradCheck.Numerical(v => Layers.TwoLayerNetLoss(x, y, w1, v, w2, b2), b1), db1);
            yield return Check("TwoLayerNetLoss", "dw2", GradCheck.Numerical(v => Layers.TwoLayerNetLoss(x, y, w1, b1, v, b2), w2), dw2);
            yield return Check("TwoLayerNetLoss", "db2", GradCheck.Numerical(v => Layers.TwoLayerNetLoss(x, y, w1, b1, w2, v), b2), db2);
        }
    }

    private static LayerCheck Check(string layer, string gradient, Tensor numerical, Tensor generated) =>
        new(layer, gradient, GradCheck.RelativeError(numerical, generated));
}
