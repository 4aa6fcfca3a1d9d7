using System;
using System.Collections.Generic;
using System.Linq;
using BackpropGen;

namespace TwoLayerNetSample;

/// <summary>
/// Start-up checks: every layer's generated backward and the generated backward of the network that composes them,
/// against central differences on small random inputs; and that composed backward against the layers chained by hand.
/// </summary>
public static class GradientChecks
{
    /// <summary>The bar of SPEC §4: generated gradients agree with central differences to below this relative error.</summary>
    public const double Bar = 1e-7;

    /// <summary>The bar for the generated composition against the hand chain of the same generated layers (SPEC §4's seed bar).</summary>
    public const double ChainBar = 1e-12;

    /// <summary>Runs the checks and prints one line per gradient; true when all are under <see cref="Bar"/>.</summary>
    public static bool Run()
    {
        var results = new List<(string Layer, string Gradient, double Error)>();
        var compositionErrors = new List<(string Gradient, double Error)>();
        void Check(string layer, string gradient, Tensor generated, Tensor numerical) =>
            results.Add((layer, gradient, GradCheck.RelativeError(generated, numerical)));

        const int N = 6, D = 4, H = 5;
        var x = Tensor.RandomNormal(seed: 10, N, D);

        var w = Tensor.RandomNormal(seed: 11, D, H);
        var b = Tensor.RandomNormal(seed: 12, H);
        var doutHidden = Tensor.RandomNormal(seed: 13, N, H);
        var (_, affine) = Layers.AffineForward(x, w, b);
        var (dx, dw, db) = Layers.AffineBackward(doutHidden, affine);
        Check("Affine", "dx", dx, GradCheck.Numerical(v => Layers.Affine(v, w, b), x, doutHidden));
        Check("Affine", "dw", dw, GradCheck.Numerical(v => Layers.Affine(x, v, b), w, doutHidden));
        Check("Affine", "db", db, GradCheck.Numerical(v => Layers.Affine(x, w, v), b, doutHidden));

        var hidden = Tensor.RandomNormal(seed: 14, N, H) * 2.0 + 1.0;
        var gamma = Tensor.RandomNormal(seed: 15, H);
        var beta = Tensor.RandomNormal(seed: 16, H);
        var (_, batchNorm) = Layers.BatchNormForward(hidden, gamma, beta, Network.BatchNormEps);
        var (dhidden, dgamma, dbeta) = Layers.BatchNormBackward(doutHidden, batchNorm);
        Check("BatchNorm", "dx", dhidden, GradCheck.Numerical(v => Layers.BatchNorm(v, gamma, beta, Network.BatchNormEps), hidden, doutHidden));
        Check("BatchNorm", "dgamma", dgamma, GradCheck.Numerical(v => Layers.BatchNorm(hidden, v, beta, Network.BatchNormEps), gamma, doutHidden));
        Check("BatchNorm", "dbeta", dbeta, GradCheck.Numerical(v => Layers.BatchNorm(hidden, gamma, v, Network.BatchNormEps), beta, doutHidden));

        // Normal draws land within the step h = 1e-5 of ReLU's kink with negligible probability.
        var (_, relu) = Layers.ReluForward(hidden);
        Check("Relu", "dx", Layers.ReluBackward(doutHidden, relu), GradCheck.Numerical(v => Layers.Relu(v), hidden, doutHidden));

        const int C = 3;
        // Scores of unit scale: much larger ones make some softmax probabilities so small that the central difference
        // of a loss near 1 resolves their gradient (~1e-5) only to ~1e-7 relative, whatever the backward computes.
        var scores = Tensor.RandomNormal(seed: 17, N, C);
        int[] labels = [0, 2, 1, 1, 0, 2];
        var (_, softmaxLoss) = Layers.SoftmaxLossForward(scores, labels);
        Check("SoftmaxLoss", "dscores", Layers.SoftmaxLossBackward(1.0, softmaxLoss), GradCheck.Numerical(v => Layers.SoftmaxLoss(v, labels), scores));

        // The whole chain, with non-trivial gamma and beta so that their gradients are exercised too.
        var p = Parameters.Initial(inputs: D, hidden: H, classes: C, seed: 18) with { Gamma = gamma, Beta = beta };
        var (_, gradients) = Network.LossAndGradients(p, x, labels);
        Check("Loss", "dW1", gradients.W1, GradCheck.Numerical(v => Network.Loss(p with { W1 = v }, x, labels), p.W1));
        Check("Loss", "db1", gradients.B1, GradCheck.Numerical(v => Network.Loss(p with { B1 = v }, x, labels), p.B1));
        Check("Loss", "dgamma", gradients.Gamma, GradCheck.Numerical(v => Network.Loss(p with { Gamma = v }, x, labels), p.Gamma));
        Check("Loss", "dbeta", gradients.Beta, GradCheck.Numerical(v => Network.Loss(p with { Beta = v }, x, labels), p.Beta));
        Check("Loss", "dW2", gradients.W2, GradCheck.Numerical(v => Network.Loss(p with { W2 = v }, x, labels), p.W2));
        Check("Loss", "db2", gradients.B2, GradCheck.Numerical(v => Network.Loss(p with { B2 = v }, x, labels), p.B2));

        // The generated composition against the same layers chained by hand: the same arithmetic, so a far tighter bar.
        var (_, chained) = Network.ChainedLossAndGradients(p, x, labels);
        foreach (var ((name, composed), (_, byHand)) in gradients.Named().Zip(chained.Named()))
        {
            compositionErrors.Add(("d" + name, GradCheck.RelativeError(composed, byHand)));
        }

        Console.WriteLine($"Gradient checks: generated backward against central differences (bar {Bar:E0})");
        var passed = true;
        foreach (var (layer, gradient, error) in results)
        {
            var ok = error < Bar;
            passed &= ok;
            Console.WriteLine($"  {layer,-12} {gradient,-8} relative error {error:E2}   {(ok ? "ok" : "FAILED")}");
        }


        Console.WriteLine($"Generated LossBackward against the layers' backwards chained by hand (bar {ChainBar:E0})");
        foreach (var (gradient, error) in compositionErrors)
        {
            var ok = error < ChainBar;
            passed &= ok;
            Console.WriteLine($"  {"Loss",-12} {gradient,-8} relative error {error:E2}   {(ok ? "ok" : "FAILED")}");
        }

        return passed;
    }
}
