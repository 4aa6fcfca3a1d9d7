using System.Linq;
using BackpropGen;
using static BackpropGen.Tensor;

namespace Samples.Cs231n;

/// <summary>
/// The layers and losses of CS231n's assignments, each written as numbered steps. BackpropGen writes every
/// <c>…Forward</c>, <c>…Backward</c> and <c>…Cache</c>; nothing below is differentiated by hand.
/// </summary>
public static partial class Layers
{
    /// <summary>A fully connected layer: x is [N, D], w is [D, M], b is [M].</summary>
    [Differentiable]
    public static Tensor Affine(Tensor x, Tensor w, Tensor b)
    {
        // step 1: every example times the weights
        var xw = Dot(x, w);
        // step 2: the bias, broadcast over the examples
        var @out = xw + b;
        return @out;
    }

    [Differentiable]
    public static Tensor ReLU(Tensor x)
    {
        // step 1: the subgradient at 0 is 0
        var @out = Relu(x);
        return @out;
    }

    [Differentiable]
    public static Tensor SigmoidActivation(Tensor x)
    {
        // step 1
        var @out = Sigmoid(x);
        return @out;
    }

    [Differentiable]
    public static Tensor TanhActivation(Tensor x)
    {
        // step 1
        var @out = Tanh(x);
        return @out;
    }

    /// <summary>The seed's BatchNorm: normalise every feature over the batch (axis 0), then scale and shift.</summary>
    [Differentiable]
    public static Tensor BatchNorm(Tensor x, Tensor gamma, Tensor beta, [NoGrad] double eps)
    {
        int N = x.Shape[0];
        // step 1: calculate mean
        var mu = 1.0 / N * Sum(x, axis: 0);
        // step 2: subtract mean vector of every training example
        var xmu = x - mu;
        // step 3: following the lower branch - calculation denominator
        var sq = Square(xmu);
        // step 4: calculate variance
        var @var = 1.0 / N * Sum(sq, axis: 0);
        // step 5: add eps for numerical stability, then sqrt
        var sqrtvar = Sqrt(@var + eps);
        // step 6: invert sqrtvar
        var ivar = 1.0 / sqrtvar;
        // step 7: execute normalization
        var xhat = xmu * ivar;
        // step 8: the two transformation steps
        var gammax = gamma * xhat;
        // step 9
        var @out = gammax + beta;
        return @out;
    }

    /// <summary>LayerNorm: normalise every example over its features (axis 1, kept as a column), then scale and shift.</summary>
    [Differentiable]
    public static Tensor LayerNorm(Tensor x, Tensor gamma, Tensor beta, [NoGrad] double eps)
    {
        // step 1: the mean of every example, as a column
        var mu = Mean(x, axis: 1, keepDims: true);
        // step 2
        var xmu = x - mu;
        // step 3: the variance of every example
        var variance = Mean(Square(xmu), axis: 1, keepDims: true);
        // step 4
        var std = Sqrt(variance + eps);
        // step 5
        var xhat = xmu / std;
        // step 6
        var @out = gamma * xhat + beta;
        return @out;
    }

    /// <summary>Inverted dropout: <paramref name="mask"/> holds 1 for the units kept (with probability p), 0 elsewhere.</summary>
    [Differentiable]
    public static Tensor Dropout(Tensor x, [NoGrad] Tensor mask, [NoGrad] double p)
    {
        // step 1: drop, and scale the kept units so that the expected value is unchanged
        var @out = x * mask / p;
        return @out;
    }

    /// <summary>The mean cross-entropy of a softmax over the scores [N, C], for the labels y.</summary>
    [Differentiable]
    public static double SoftmaxLoss(Tensor scores, int[] y)
    {
        int N = scores.Shape[0];
        // step 1: shift every row so that its largest score is 0, for numerical stability
        var shifted = scores - Max(scores, axis: 1, keepDims: true);
        // step 2
        var exps = Exp(shifted);
        // step 3: the normaliser of every row
        var sums = Sum(exps, axis: 1, keepDims: true);
        // step 4
        var logProbs = shifted - Log(sums);
        // step 5: the log-probability of the right class
        var correct = Pick(logProbs, y);
        // step 6
        var loss = -Sum(correct) / N;
        return loss;
    }

    /// <summary>The multiclass SVM (hinge) loss with margin <paramref name="delta"/>, averaged over the examples.</summary>
    [Differentiable]
    public static double SvmLoss(Tensor scores, int[] y, [NoGrad] double delta)
    {
        int N = scores.Shape[0];
        // step 1: the score of the right class of every example
        var correct = Pick(scores, y);
        // step 2: as a column, to broadcast over the classes
        var correctColumn = Reshape(correct, N, 1);
        // step 3: hinge; the subgradient at the kink is 0
        var margins = Maximum(scores - correctColumn + delta, 0.0);
        // step 4: the right class always contributes exactly delta: take it out
        var loss = (Sum(margins) - N * delta) / N;
        return loss;
    }

    /// <summary>affine → ReLU → affine → softmax loss, by composition: each call keeps its layer's cache.</summary>
    [Differentiable]
    public static double TwoLayerNetLoss([NoGrad] Tensor x, int[] y, Tensor w1, Tensor b1, Tensor w2, Tensor b2)
    {
        // step 1
        var hidden = Affine(x, w1, b1);
        // step 2
        var activations = ReLU(hidden);
        // step 3
        var scores = Affine(activations, w2, b2);
        // step 4
        var loss = SoftmaxLoss(scores, y);
        return loss;
    }

    /// <summary>
    /// A convolution with a bias per filter (CS231n's <c>conv_forward</c>): x is [N, C, H, W], w is [F, C, HH, WW], b is
    /// [F]; the result is [N, F, H', W'].
    /// </summary>
    [Differentiable]
    public static Tensor Conv(Tensor x, Tensor w, Tensor b, int stride, int pad)
    {
        int F = w.Shape[0];
        // step 1: every filter over every padded window
        var conv = Conv2D(x, w, stride, pad);
        // step 2: b is [F]; as [F, 1, 1] it broadcasts over the examples and the positions
        var bias = Reshape(b, F, 1, 1);
        // step 3
        var @out = conv + bias;
        return @out;
    }

    /// <summary>Max pooling over size × size windows, stride apart (CS231n's <c>max_pool_forward</c>).</summary>
    [Differentiable]
    public static Tensor MaxPool(Tensor x, int size, int stride)
    {
        // step 1
        var @out = MaxPool2D(x, size, stride);
        return @out;
    }

    /// <summary>conv → ReLU → pool × pool max pool, pool apart (CS231n's <c>conv_relu_pool_forward</c>), by composition.</summary>
    [Differentiable]
    public static Tensor ConvReluPool(Tensor x, Tensor w, Tensor b, int stride, int pad, int pool)
    {
        // step 1
        var conv = Conv(x, w, b, stride, pad);
        // step 2
        var activated = ReLU(conv);
        // step 3
        var @out = MaxPool(activated, pool, pool);
        return @out;
    }

    /// <summary>
    /// Spatial batch normalization (CS231n's <c>spatial_batchnorm_forward</c>): x is [N, C, H, W], normalised per channel
    /// over N, H and W; gamma and beta are [C]. Every position of every example is a row of the ordinary BatchNorm.
    /// </summary>
    [Differentiable]
    public static Tensor SpatialBatchNorm(Tensor x, Tensor gamma, Tensor beta, [NoGrad] double eps)
    {
        int N = x.Shape[0], C = x.Shape[1], H = x.Shape[2], W = x.Shape[3];
        // step 1: channels last, so that each row below is one position of one example
        var channelsLast = Transpose(x, 0, 2, 3, 1);
        // step 2
        var rows = Reshape(channelsLast, N * H * W, C);
        // step 3: BatchNorm normalises each column, here a channel, over the rows
        var normalized = BatchNorm(rows, gamma, beta, eps);
        // step 4
        var unflattened = Reshape(normalized, N, H, W, C);
        // step 5: channels back in second place
        var @out = Transpose(unflattened, 0, 3, 1, 2);
        return @out;
    }

    /// <summary>One step of a vanilla RNN (CS231n's <c>rnn_step_forward</c>): x is [N, D], prevH [N, H], wx [D, H], wh [H, H], b [H].</summary>
    [Differentiable]
    public static Tensor RnnStep(Tensor x, Tensor prevH, Tensor wx, Tensor wh, Tensor b)
    {
        // step 1
        var a = Dot(prevH, wh) + Dot(x, wx) + b;
        // step 2
        var nextH = Tanh(a);
        return nextH;
    }

    /// <summary>A vanilla RNN over a sequence x [N, T, D] from h0 [N, H] (CS231n's <c>rnn_forward</c>): every hidden state, [N, T, H].</summary>
    [Differentiable]
    public static Tensor Rnn(Tensor x, Tensor h0, Tensor wx, Tensor wh, Tensor b)
    {
        int N = x.Shape[0], T = x.Shape[1], D = x.Shape[2], H = h0.Shape[1];
        var h = h0;
        // The hidden states so far, [N, t, H]: each step's is joined on at the end.
        var hs = Zeros(N, 0, H);
        for (int t = 0; t < T; t++)
        {
            var slot = Slice(x, 1, t, 1);
            var xt = Reshape(slot, N, D);
            h = RnnStep(xt, h, wx, wh, b);
            var column = Reshape(h, N, 1, H);
            hs = Concat(1, hs, column);
        }

        return hs;
    }

    /// <summary>
    /// One step of an LSTM (CS231n's <c>lstm_step_forward</c>): x is [N, D], prevH and prevC [N, H], wx [D, 4H], wh [H, 4H],
    /// b [4H]. A method returns one tensor, so this one returns next_h and next_c side by side, [N, 2H].
    /// </summary>
    [Differentiable]
    public static Tensor LstmStep(Tensor x, Tensor prevH, Tensor prevC, Tensor wx, Tensor wh, Tensor b)
    {
        int H = prevH.Shape[1];
        // step 1: all four gates' activations in one product, [N, 4H]
        var a = Dot(x, wx) + Dot(prevH, wh) + b;
        // step 2: input, forget and output gates, and the candidate cell, H columns each
        var i = Sigmoid(Slice(a, 1, 0, H));
        var f = Sigmoid(Slice(a, 1, H, H));
        var o = Sigmoid(Slice(a, 1, 2 * H, H));
        var g = Tanh(Slice(a, 1, 3 * H, H));
        // step 3
        var nextC = f * prevC + i * g;
        // step 4: a step of its own, so that the backward reads it rather than computing it again
        var tanhC = Tanh(nextC);
        // step 5
        var nextH = o * tanhC;
        // step 6
        var state = Concat(1, nextH, nextC);
        return state;
    }

    /// <summary>An LSTM over a sequence x [N, T, D] from h0 [N, H], the cell starting at 0 (CS231n's <c>lstm_forward</c>): every hidden state, [N, T, H].</summary>
    [Differentiable]
    public static Tensor Lstm(Tensor x, Tensor h0, Tensor wx, Tensor wh, Tensor b)
    {
        int N = x.Shape[0], H = h0.Shape[1];
        var c0 = Zeros(N, H);
        // step 1
        var states = LstmStates(x, h0, c0, wx, wh, b);
        // step 2: the hidden halves of the states
        var hs = Slice(states, 2, 0, H);
        return hs;
    }

    /// <summary>
    /// An LSTM over a sequence x [N, T, D] from the state h0, c0 [N, H]: every step's state, next_h and next_c side by
    /// side as <see cref="LstmStep"/> returns them, [N, T, 2H]. Truncated backpropagation through time starts each chunk
    /// of a long sequence from the state that the chunk before ended in, the last step's.
    /// </summary>
    [Differentiable]
    public static Tensor LstmStates(Tensor x, Tensor h0, Tensor c0, Tensor wx, Tensor wh, Tensor b)
    {
        int N = x.Shape[0], T = x.Shape[1], D = x.Shape[2], H = h0.Shape[1];
        var h = h0;
        var c = c0;
        // The states so far, [N, t, 2H]: each step's is joined on at the end.
        var states = Zeros(N, 0, 2 * H);
        for (int t = 0; t < T; t++)
        {
            var slot = Slice(x, 1, t, 1);
            var xt = Reshape(slot, N, D);
            var state = LstmStep(xt, h, c, wx, wh, b);
            h = Slice(state, 1, 0, H);
            c = Slice(state, 1, H, H);
            var column = Reshape(state, N, 1, 2 * H);
            states = Concat(1, states, column);
        }

        return states;
    }

    /// <summary>Word embeddings (CS231n's <c>word_embedding_forward</c>): x [N, T] holds word indices into the rows of w [V, D]; the result is [N, T, D].</summary>
    [Differentiable]
    public static Tensor WordEmbedding(int[,] x, Tensor w)
    {
        int N = x.GetLength(0), T = x.GetLength(1), D = w.Shape[1];
        // Row by row, the order Reshape reads [N, T] in.
        int[] words = x.Cast<int>().ToArray();
        // step 1: a word that occurs twice gets the sum of both gradients
        var rows = Take(w, words, 0);
        // step 2
        var @out = Reshape(rows, N, T, D);
        return @out;
    }

    /// <summary>An affine layer at every time step (CS231n's <c>temporal_affine_forward</c>): x [N, T, D] · w [D, M] + b [M] → [N, T, M].</summary>
    [Differentiable]
    public static Tensor TemporalAffine(Tensor x, Tensor w, Tensor b)
    {
        int N = x.Shape[0], T = x.Shape[1], D = x.Shape[2], M = w.Shape[1];
        // step 1: every time step of every example is a row
        var rows = Reshape(x, N * T, D);
        // step 2: CS231n's affine layer, above
        var scores = Affine(rows, w, b);
        // step 3
        var @out = Reshape(scores, N, T, M);
        return @out;
    }

    /// <summary>
    /// The softmax loss at every time step (CS231n's <c>temporal_softmax_loss</c>): x [N, T, V] are scores, y [N, T] the
    /// right words, and <paramref name="mask"/> [N, T] 1 where a step counts (0 at padding); the sum is averaged over N.
    /// </summary>
    [Differentiable]
    public static double TemporalSoftmaxLoss(Tensor x, int[,] y, [NoGrad] Tensor mask)
    {
        int N = x.Shape[0], T = x.Shape[1], V = x.Shape[2];
        // Row by row, the order Reshape reads [N, T] in; neither has a gradient, so neither is a step.
        int[] labels = y.Cast<int>().ToArray();
        var counts = Reshape(mask, N * T);
        // step 1: every time step of every example is a row of scores
        var rows = Reshape(x, N * T, V);
        // step 2
        var logProbs = LogSoftmax(rows, axis: 1);
        // step 3: the log-probability of the right word at every step
        var correct = Pick(logProbs, labels);
        // step 4: only the steps that count
        var counted = counts * correct;
        // step 5: averaged over the examples, not the steps
        var loss = -Sum(counted) / N;
        return loss;
    }
}
