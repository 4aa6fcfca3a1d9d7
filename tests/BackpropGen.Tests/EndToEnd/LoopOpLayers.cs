using BackpropGen;
using static BackpropGen.Tensor;

namespace BackpropGen.Tests.EndToEnd;

/// <summary>
/// The operations that take parts of tensors, move their axes, normalise or multiply batches, each inside a loop body
/// whose value is carried to the next iteration: the backward must restore the right value of every iteration.
/// </summary>
public static partial class LoopOpLayers
{
    /// <summary>Slice and Concat: the columns rolled by one and scaled, n times (a roll undone the wrong way shows).</summary>
    [Differentiable]
    public static Tensor Rolled(Tensor x, Tensor w, int n)
    {
        int d = x.Shape[1];
        var h = x;
        for (int i = 0; i < n; i++)
        {
            var first = Slice(h, 1, 0, 1);
            var rest = Slice(h, 1, 1, d - 1);
            h = Tanh(Concat(1, rest, first) * w);
        }

        return h;
    }

    /// <summary>Stack: the state and its update stacked along a new last axis, then mixed by two weights.</summary>
    [Differentiable]
    public static Tensor Mixed(Tensor x, Tensor w, Tensor mix, int n)
    {
        var h = x;
        for (int i = 0; i < n; i++)
        {
            var both = Stack(-1, h, Tanh(Dot(h, w)));
            h = Sum(both * mix, axis: 2);
        }

        return h;
    }

    /// <summary>Take: an RNN over token ids, the rows of the table looked up at each step (a token repeats across steps).</summary>
    [Differentiable]
    public static double TokenRnn(Tensor table, Tensor w, int[][] tokens)
    {
        var h = Zeros(tokens[0].Length, w.Shape[1]);
        double loss = 0.0;
        for (int t = 0; t < tokens.Length; t++)
        {
            var embedded = Take(table, tokens[t], 0);
            h = Tanh(embedded + Dot(h, w));
            loss += Mean(Square(h));
        }

        return loss;
    }

    /// <summary>Transpose by axes: a cube's axes rotated each iteration (three rotations are the identity, one is not its own inverse).</summary>
    [Differentiable]
    public static Tensor Rotated(Tensor x, Tensor scale, int n)
    {
        var h = x;
        for (int i = 0; i < n; i++)
        {
            var moved = Transpose(h, 1, 2, 0);
            h = Tanh(moved * scale) + x;
        }

        return h;
    }

    /// <summary>Softmax and LogSoftmax in a while loop: attention that refines a query, and a cross-entropy at every round.</summary>
    [Differentiable]
    public static double Attending(Tensor q, Tensor k, Tensor v, int[] labels, int rounds)
    {
        var h = q;
        double loss = 0.0;
        int round = 0;
        while (round < rounds)
        {
            var weights = Softmax(Dot(h, Transpose(k)), axis: 1);
            h = h + Dot(weights, v);
            var logp = LogSoftmax(Dot(h, Transpose(k)), axis: -1);
            loss -= Mean(Pick(logp, labels));
            round++;
        }

        return loss;
    }

    /// <summary>MatMul: a batch of states [B, N, D] through one weight [D, D] broadcast over the batch, with a residual.</summary>
    [Differentiable]
    public static Tensor Batched(Tensor x, Tensor w, int n)
    {
        var h = x;
        for (int i = 0; i < n; i++)
        {
            h = Tanh(MatMul(h, w)) + h;
        }

        return h;
    }

    /// <summary>Conv2D: a residual stack of one 3×3 convolution applied depth times (padding keeps the shape).</summary>
    [Differentiable]
    public static Tensor ConvStack(Tensor x, Tensor w, int depth)
    {
        var h = x;
        for (int i = 0; i < depth; i++)
        {
            var conv = Conv2D(h, w, stride: 1, padding: 1);
            h = h + Tanh(conv);
        }

        return h;
    }

    /// <summary>
    /// MaxPool2D writing over the state: scaled, then pooled with overlapping windows (one smaller a side each time). Only
    /// the argmax of each iteration is taped for the pool: nothing else reads the scaled state, which is not taped.
    /// </summary>
    [Differentiable]
    public static Tensor PooledStack(Tensor x, Tensor scale, int n)
    {
        var h = x;
        for (int i = 0; i < n; i++)
        {
            var scaled = h * scale;
            h = MaxPool2D(scaled, size: 2, stride: 1);
        }

        return h;
    }

    /// <summary>
    /// MaxPool2D in one arm of a branch in a loop (its argmax recorded at the arm's end, when that arm ran) and in the
    /// returned expression.
    /// </summary>
    [Differentiable]
    public static Tensor PooledOnEvenRounds(Tensor x, Tensor scale, int n)
    {
        var h = x;
        for (int i = 0; i < n; i++)
        {
            if (i % 2 == 0)
            {
                var pooled = MaxPool2D(h * scale, size: 2, stride: 1);
                h = Tanh(pooled);
            }
            else
            {
                h = h * scale;
            }
        }

        return MaxPool2D(h, 2, 1);
    }

    /// <summary>
    /// MaxPool2D at the method's level of a body with a loop (its argmax kept in the cache), in the loop's body (taped),
    /// and nested in a sum (found again in the backward).
    /// </summary>
    [Differentiable]
    public static double PooledLoss(Tensor x, Tensor w, int n)
    {
        var pooled = MaxPool2D(x * w, 2, 2);
        double loss = 0.0;
        for (int i = 0; i < n; i++)
        {
            var corner = MaxPool2D(pooled * (i + 1.0), 2, 1);
            loss += Sum(Square(corner)) + Sum(MaxPool2D(Tanh(pooled), 3, 1));
        }

        return loss;
    }

    /// <summary>A called method with a max pool inside a loop: its cache, which keeps the argmax, taped for each iteration.</summary>
    [Differentiable]
    public static Tensor PooledConvs(Tensor x, Tensor w, Tensor b, int n)
    {
        var h = x;
        for (int i = 0; i < n; i++)
        {
            h = ConvolutionLayers.ConvReluPool(h, w, b);
        }

        return h;
    }
}
