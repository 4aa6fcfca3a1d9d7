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

        foreach (var check in ConvolutionalChecks())
        {
            yield return check;
        }

        foreach (var check in RecurrentChecks())
        {
            yield return check;
        }
    }

    /// <summary>Assignment 2's convolutional layers, on [N, C, H, W] inputs.</summary>
    private static IEnumerable<LayerCheck> ConvolutionalChecks()
    {
        var x = Tensor.RandomNormal(seed: 20, 2, 3, 6, 6);
        var w = Tensor.RandomNormal(seed: 21, 4, 3, 3, 3) * 0.5;
        var b = Tensor.RandomNormal(seed: 22, 4);

        {
            // Stride 2 with padding 1: 6 × 6 → 3 × 3, the last window reaching into the padding.
            var dout = Tensor.RandomNormal(seed: 23, 2, 4, 3, 3);
            var (_, cache) = Layers.ConvForward(x, w, b, 2, 1);
            var (dx, dw, db) = Layers.ConvBackward(dout, cache);
            yield return Check("Conv", "dx", GradCheck.Numerical(v => Layers.Conv(v, w, b, 2, 1), x, dout), dx);
            yield return Check("Conv", "dw", GradCheck.Numerical(v => Layers.Conv(x, v, b, 2, 1), w, dout), dw);
            yield return Check("Conv", "db", GradCheck.Numerical(v => Layers.Conv(x, w, v, 2, 1), b, dout), db);
        }

        {
            var dout = Tensor.RandomNormal(seed: 24, 2, 3, 3, 3);
            var (_, cache) = Layers.MaxPoolForward(x, 2, 2);
            yield return Check("MaxPool", "dx", GradCheck.Numerical(v => Layers.MaxPool(v, 2, 2), x, dout), Layers.MaxPoolBackward(dout, cache));
        }

        {
            var dout = Tensor.RandomNormal(seed: 25, 2, 4, 3, 3);
            var (_, cache) = Layers.ConvReluPoolForward(x, w, b, 1, 1, 2);
            var (dx, dw, db) = Layers.ConvReluPoolBackward(dout, cache);
            yield return Check("ConvReluPool", "dx", GradCheck.Numerical(v => Layers.ConvReluPool(v, w, b, 1, 1, 2), x, dout), dx);
            yield return Check("ConvReluPool", "dw", GradCheck.Numerical(v => Layers.ConvReluPool(x, v, b, 1, 1, 2), w, dout), dw);
            yield return Check("ConvReluPool", "db", GradCheck.Numerical(v => Layers.ConvReluPool(x, w, v, 1, 1, 2), b, dout), db);
        }

        {
            // Not square and not centred, so that a transpose or a normalisation over the wrong axes shows.
            var input = Tensor.RandomNormal(seed: 26, 2, 3, 4, 5) * 2.0 + 1.0;
            var gamma = Tensor.RandomNormal(seed: 27, 3);
            var beta = Tensor.RandomNormal(seed: 28, 3);
            var dout = Tensor.RandomNormal(seed: 29, 2, 3, 4, 5);
            var (_, cache) = Layers.SpatialBatchNormForward(input, gamma, beta, Eps);
            var (dx, dgamma, dbeta) = Layers.SpatialBatchNormBackward(dout, cache);
            yield return Check("SpatialBatchNorm", "dx", GradCheck.Numerical(v => Layers.SpatialBatchNorm(v, gamma, beta, Eps), input, dout), dx);
            yield return Check("SpatialBatchNorm", "dgamma", GradCheck.Numerical(v => Layers.SpatialBatchNorm(input, v, beta, Eps), gamma, dout), dgamma);
            yield return Check("SpatialBatchNorm", "dbeta", GradCheck.Numerical(v => Layers.SpatialBatchNorm(input, gamma, v, Eps), beta, dout), dbeta);
        }
    }

    /// <summary>Assignment 3's recurrent layers: N = 3 sequences of T = 4 steps, inputs of D = 4, hidden states of H = 5.</summary>
    private static IEnumerable<LayerCheck> RecurrentChecks()
    {
        const int n = 3, t = 4, d = 4, h = 5;
        var x = Tensor.RandomNormal(seed: 30, n, d);
        var xs = Tensor.RandomNormal(seed: 31, n, t, d);
        var prevH = Tensor.RandomNormal(seed: 32, n, h);
        var prevC = Tensor.RandomNormal(seed: 33, n, h);

        {
            var wx = Tensor.RandomNormal(seed: 34, d, h) * 0.4;
            var wh = Tensor.RandomNormal(seed: 35, h, h) * 0.4;
            var b = Tensor.RandomNormal(seed: 36, h) * 0.1;

            var dout = Tensor.RandomNormal(seed: 37, n, h);
            var (_, stepCache) = Layers.RnnStepForward(x, prevH, wx, wh, b);
            var (dx, dprevH, dwx, dwh, db) = Layers.RnnStepBackward(dout, stepCache);
            yield return Check("RnnStep", "dx", GradCheck.Numerical(v => Layers.RnnStep(v, prevH, wx, wh, b), x, dout), dx);
            yield return Check("RnnStep", "dprevH", GradCheck.Numerical(v => Layers.RnnStep(x, v, wx, wh, b), prevH, dout), dprevH);
            yield return Check("RnnStep", "dwx", GradCheck.Numerical(v => Layers.RnnStep(x, prevH, v, wh, b), wx, dout), dwx);
            yield return Check("RnnStep", "dwh", GradCheck.Numerical(v => Layers.RnnStep(x, prevH, wx, v, b), wh, dout), dwh);
            yield return Check("RnnStep", "db", GradCheck.Numerical(v => Layers.RnnStep(x, prevH, wx, wh, v), b, dout), db);

            var douts = Tensor.RandomNormal(seed: 38, n, t, h);
            var (_, cache) = Layers.RnnForward(xs, prevH, wx, wh, b);
            var (dxs, dh0, dwxs, dwhs, dbs) = Layers.RnnBackward(douts, cache);
            yield return Check("Rnn", "dx", GradCheck.Numerical(v => Layers.Rnn(v, prevH, wx, wh, b), xs, douts), dxs);
            yield return Check("Rnn", "dh0", GradCheck.Numerical(v => Layers.Rnn(xs, v, wx, wh, b), prevH, douts), dh0);
            yield return Check("Rnn", "dwx", GradCheck.Numerical(v => Layers.Rnn(xs, prevH, v, wh, b), wx, douts), dwxs);
            yield return Check("Rnn", "dwh", GradCheck.Numerical(v => Layers.Rnn(xs, prevH, wx, v, b), wh, douts), dwhs);
            yield return Check("Rnn", "db", GradCheck.Numerical(v => Layers.Rnn(xs, prevH, wx, wh, v), b, douts), dbs);
        }

        {
            var wx = Tensor.RandomNormal(seed: 39, d, 4 * h) * 0.4;
            var wh = Tensor.RandomNormal(seed: 40, h, 4 * h) * 0.4;
            var b = Tensor.RandomNormal(seed: 41, 4 * h) * 0.1;

            // The step's result is next_h and next_c side by side: dout has a part for each.
            var dout = Tensor.RandomNormal(seed: 42, n, 2 * h);
            var (_, stepCache) = Layers.LstmStepForward(x, prevH, prevC, wx, wh, b);
            var (dx, dprevH, dprevC, dwx, dwh, db) = Layers.LstmStepBackward(dout, stepCache);
            yield return Check("LstmStep", "dx", GradCheck.Numerical(v => Layers.LstmStep(v, prevH, prevC, wx, wh, b), x, dout), dx);
            yield return Check("LstmStep", "dprevH", GradCheck.Numerical(v => Layers.LstmStep(x, v, prevC, wx, wh, b), prevH, dout), dprevH);
            yield return Check("LstmStep", "dprevC", GradCheck.Numerical(v => Layers.LstmStep(x, prevH, v, wx, wh, b), prevC, dout), dprevC);
            yield return Check("LstmStep", "dwx", GradCheck.Numerical(v => Layers.LstmStep(x, prevH, prevC, v, wh, b), wx, dout), dwx);
            yield return Check("LstmStep", "dwh", GradCheck.Numerical(v => Layers.LstmStep(x, prevH, prevC, wx, v, b), wh, dout), dwh);
            yield return Check("LstmStep", "db", GradCheck.Numerical(v => Layers.LstmStep(x, prevH, prevC, wx, wh, v), b, dout), db);

            var douts = Tensor.RandomNormal(seed: 43, n, t, h);
            var (_, cache) = Layers.LstmForward(xs, prevH, wx, wh, b);
            var (dxs, dh0, dwxs, dwhs, dbs) = Layers.LstmBackward(douts, cache);
            yield return Check("Lstm", "dx", GradCheck.Numerical(v => Layers.Lstm(v, prevH, wx, wh, b), xs, douts), dxs);
            yield return Check("Lstm", "dh0", GradCheck.Numerical(v => Layers.Lstm(xs, v, wx, wh, b), prevH, douts), dh0);
            yield return Check("Lstm", "dwx", GradCheck.Numerical(v => Layers.Lstm(xs, prevH, v, wh, b), wx, douts), dwxs);
            yield return Check("Lstm", "dwh", GradCheck.Numerical(v => Layers.Lstm(xs, prevH, wx, v, b), wh, douts), dwhs);
            yield return Check("Lstm", "db", GradCheck.Numerical(v => Layers.Lstm(xs, prevH, wx, wh, v), b, douts), dbs);
        }

        {
            var wx = Tensor.RandomNormal(seed: 50, d, 4 * h) * 0.4;
            var wh = Tensor.RandomNormal(seed: 51, h, 4 * h) * 0.4;
            var b = Tensor.RandomNormal(seed: 52, 4 * h) * 0.1;

            // Both halves of every step's state are read, so that the cell's own gradient path is checked too.
            var douts = Tensor.RandomNormal(seed: 53, n, t, 2 * h);
            var (_, cache) = Layers.LstmStatesForward(xs, prevH, prevC, wx, wh, b);
            var (dxs, dh0, dc0, dwxs, dwhs, dbs) = Layers.LstmStatesBackward(douts, cache);
            yield return Check("LstmStates", "dx", GradCheck.Numerical(v => Layers.LstmStates(v, prevH, prevC, wx, wh, b), xs, douts), dxs);
            yield return Check("LstmStates", "dh0", GradCheck.Numerical(v => Layers.LstmStates(xs, v, prevC, wx, wh, b), prevH, douts), dh0);
            yield return Check("LstmStates", "dc0", GradCheck.Numerical(v => Layers.LstmStates(xs, prevH, v, wx, wh, b), prevC, douts), dc0);
            yield return Check("LstmStates", "dwx", GradCheck.Numerical(v => Layers.LstmStates(xs, prevH, prevC, v, wh, b), wx, douts), dwxs);
            yield return Check("LstmStates", "dwh", GradCheck.Numerical(v => Layers.LstmStates(xs, prevH, prevC, wx, v, b), wh, douts), dwhs);
            yield return Check("LstmStates", "db", GradCheck.Numerical(v => Layers.LstmStates(xs, prevH, prevC, wx, wh, v), b, douts), dbs);
        }

        {
            // Word 1 occurs three times and word 2 never: their rows of dw are a sum of three and 0.
            int[,] words = { { 0, 3, 1 }, { 1, 1, 4 } };
            var w = Tensor.RandomNormal(seed: 44, 5, d);
            var dout = Tensor.RandomNormal(seed: 45, 2, 3, d);
            var (_, cache) = Layers.WordEmbeddingForward(words, w);
            yield return Check("WordEmbedding", "dw", GradCheck.Numerical(v => Layers.WordEmbedding(words, v), w, dout), Layers.WordEmbeddingBackward(dout, cache));
        }

        {
            var w = Tensor.RandomNormal(seed: 46, d, 6);
            var b = Tensor.RandomNormal(seed: 47, 6);
            var dout = Tensor.RandomNormal(seed: 48, n, t, 6);
            var (_, cache) = Layers.TemporalAffineForward(xs, w, b);
            var (dx, dw, db) = Layers.TemporalAffineBackward(dout, cache);
            yield return Check("TemporalAffine", "dx", GradCheck.Numerical(v => Layers.TemporalAffine(v, w, b), xs, dout), dx);
            yield return Check("TemporalAffine", "dw", GradCheck.Numerical(v => Layers.TemporalAffine(xs, v, b), w, dout), dw);
            yield return Check("TemporalAffine", "db", GradCheck.Numerical(v => Layers.TemporalAffine(xs, w, v), b, dout), db);
        }

        {
            var scores = Tensor.RandomNormal(seed: 49, n, t, 6);
            int[,] y = { { 0, 5, 2, 2 }, { 1, 3, 4, 0 }, { 5, 5, 1, 3 } };
            // The last steps of two sequences are padding: their scores get no gradient.
            var mask = Tensor.FromArray(new double[] { 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0 }, n, t);
            var (_, cache) = Layers.TemporalSoftmaxLossForward(scores, y, mask);
            yield return Check("TemporalSoftmaxLoss", "dx", GradCheck.Numerical(v => Layers.TemporalSoftmaxLoss(v, y, mask), scores), Layers.TemporalSoftmaxLossBackward(1.0, cache));
        }
    }

    private static LayerCheck Check(string layer, string gradient, Tensor numerical, Tensor generated) =>
        new(layer, gradient, GradCheck.RelativeError(numerical, generated));
}
