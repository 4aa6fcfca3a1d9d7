using BackpropGen;
using static BackpropGen.Tensor;

namespace BackpropGen.Benchmarks;

/// <summary>
/// An Elman RNN over time, as a user writes it: <c>h = Tanh(Dot(x_t, Wx) + Dot(h, Wh) + b)</c> for every step, the loss
/// the sum of the last state. Timed against libtorch's autograd on the same loop by <c>tests/peers/vs-torch-rnn</c>,
/// which compiles this file as it is.
/// </summary>
public static partial class RnnLayer
{
    [Differentiable]
    public static double Rnn(Tensor h, Tensor wx, Tensor wh, Tensor b, Tensor[] xs)
    {
        for (int t = 0; t < xs.Length; t++)
        {
            h = Tanh(Dot(xs[t], wx) + Dot(h, wh) + b);
        }

        double loss = Sum(h);
        return loss;
    }
}
