using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading.Tasks;

namespace BackpropGen.Kernels;

/// <summary>
/// The shapes of a 2-D pooling of x <c>[N, C, H, W]</c> by <c>size × size</c> windows <c>stride</c> apart, without
/// padding: out <c>[N, C, H', W']</c> with <c>H' = (H - size) / stride + 1</c> (rounded down) and likewise W'.
/// </summary>
internal sealed record PoolingLayout(int Images, int Channels, int Height, int Width, int Size, int Stride)
{
    /// <summary>H': the output's rows.</summary>
    public int OutputHeight => ((Height - Size) / Stride) + 1;

    /// <summary>W': the output's columns.</summary>
    public int OutputWidth => ((Width - Size) / Stride) + 1;

    /// <summary>N·C: the planes pooled one by one.</summary>
    public int Planes => Images * Channels;

    /// <summary>The input's shape.</summary>
    public TensorShape InputShape => new(Images, Channels, Height, Width);

    /// <summary>The output's shape.</summary>
    public TensorShape OutputShape => new(Images, Channels, OutputHeight, OutputWidth);

    /// <summary>Checks the shape, window and stride of a pooling (<paramref name="operation"/> names it in the message).</summary>
    /// <exception cref="ArgumentException">The shape is not 4-D, the size or stride is less than 1, or the window is larger than the input; the message names the shape.</exception>
    public static PoolingLayout Of(string operation, TensorShape x, int size, int stride)
    {
        string Refusal(string reason) => $"Cannot take {operation} of x {x} with size {size} and stride {stride}: {reason}.";
        if (x.Rank != 4)
        {
            throw new ArgumentException(Refusal("x must be [N, C, H, W]"));
        }

        if (size <= 0 || stride <= 0)
        {
            throw new ArgumentException(Refusal("the size and the stride must be at least 1"));
        }

        if (size > x[2] || size > x[3])
        {
            throw new ArgumentException(Refusal($"the window {size}×{size} is larger than the input's {x[2]}×{x[3]}"));
        }

        return new PoolingLayout(x[0], x[1], x[2], x[3], size, stride);
    }
}

/// <summary>
/// Max and average pooling and their backwards. The max pool records, for each output, the flat index in x of the
/// element it took, so that its backward scatters dout through those indices (adding where windows overlap) and never
/// needs a mask of x's size.
/// </summary>
/// <remarks>
/// Planes are independent and written by one thread each, so they are shared out over the threads once there are
/// enough elements; the 2 × 2, stride 2 window of most networks has its own loop, the others a general one.
/// </remarks>
internal static class Pooling
{
    /// <summary>From this many input elements on the planes are shared out over the threads.</summary>
    private const int ParallelElements = 1 << 18;

    /// <summary>
    /// out[o] = the largest value of window o and indices[o] its flat index in x: the first of the largest in row-major
    /// window order, or the window's first NaN if it has one (a NaN propagates, as in PyTorch).
    /// </summary>
    public static void MaxForward(PoolingLayout layout, double[] x, double[] output, int[] indices)
    {
        ForEachPlane(layout, plane => MaxPlane(layout, x, plane, output, indices));
    }

    /// <summary>out[o] = the mean of window o.</summary>
    public static void AverageForward(PoolingLayout layout, double[] x, double[] output) =>
        ForEachWindow(layout, new AverageOfWindow(x, output, layout.Size, layout.Width));

    /// <summary>dx (zeroed by the caller) += each dout value spread evenly over its window.</summary>
    public static void AverageBackward(PoolingLayout layout, double[] dout, double[] dx) =>
        ForEachWindow(layout, new SpreadOverWindow(dout, dx, layout.Size, layout.Width));

    /// <summary>
    /// dx (zeroed by the caller) += dout[o] at indices[o], for indices a max pool recorded: the caller has checked that
    /// each output's index lies in its own plane, so planes are still independent.
    /// </summary>
    public static void MaxBackward(int planes, int planeLength, int planeOutputs, double[] dout, int[] indices, double[] dx)
    {
        ForEachPlane(planes, planeLength, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (plane) =>
        {
            for (int o = plane * planeOutputs, end = o + planeOutputs; o < end; o++)
            {
                dx[indices[o]] += dout[o];
            }
        });
    }

    private static void MaxPlane(PoolingLayout layout, double[] x, int plane, double[] output, int[] indices)
    {
        int size = layout.Size, stride = layout.Stride, width = layout.Width, outputHeight = layout.OutputHeight, outputWidth = layout.OutputWidth;
        int planeStart = plane * layout.Height * width, outputStart = plane * outputHeight * outputWidth;
        if (size == 2 && stride == 2)
        {
            MaxPlaneTwoByTwo(x, planeStart, width, outputHeight, outputWidth, output, indices, outputStart);
            return;
        }

        ForWindowsOfPlane(layout, plane, new MaxOfWindow(x, output, indices, size, width));
    }

    // The four candidates in row-major window order, as the general loop takes them, so both give the same index.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxPlaneTwoByTwo(double[] x, int planeStart, int width, int outputHeight, int outputWidth, double[] output, int[] indices, int outputStart)
    {
        for (int oh = 0; oh < outputHeight; oh++)
        {
            int top = planeStart + (2 * oh * width);
            int destination = outputStart + (oh * outputWidth);
            int ow = Avx2.IsSupported ? MaxRowTwoByTwoAvx2(x, top, width, outputWidth, output, indices, destination) : 0;
            for (; ow < outputWidth; ow++)
            {
                int at = top + (2 * ow);
                int best = Larger(x, Larger(x, Larger(x, at, at + 1), at + width), at + width + 1);
                output[destination + ow] = x[best];
                indices[destination + ow] = best;
            }
        }
    }

    /// <summary>
    /// Four outputs at a time of one output row of the 2 × 2, stride 2 pool, without a branch per comparison (a
    /// comparison of random values mispredicts half the time): returns the first output left to do.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int MaxRowTwoByTwoAvx2(double[] x, int top, int width, int outputWidth, double[] output, int[] indices, int destination)
    {
        // Reads up to x[top + width + 2·outputWidth - 1], which is in the plane since 2·outputWidth ≤ width.
        if (top + width + (2 * outputWidth) > x.Length || destination + outputWidth > output.Length || destination + outputWidth > indices.Length)
        {
            throw new ArgumentException("The pooling's arrays are too small for its layout.");
        }

        ref double source = ref MemoryMarshal.GetArrayDataReference(x);
        var right = Vector256.Create(1.0);
        var below = Vector256.Create((double)width);
        var belowRight = Vector256.Create(width + 1.0);
        int ow = 0;
        for (; ow + 4 <= outputWidth; ow += 4)
        {
            int at = top + (2 * ow);
            var topLeftHalf = Vector256.LoadUnsafe(ref source, (nuint)at);
            var topRightHalf = Vector256.LoadUnsafe(ref source, (nuint)(at + 4));
            var bottomLeftHalf = Vector256.LoadUnsafe(ref source, (nuint)(at + width));
            var bottomRightHalf = Vector256.LoadUnsafe(ref source, (nuint)(at + width + 4));

            // Even and odd columns; each holds outputs 0, 2, 1, 3 of the four, in that order.
            var best = Avx.Shuffle(topLeftHalf, topRightHalf, 0b0000);
            var offset = Vector256<double>.Zero;
            TakeLarger(ref best, ref offset, Avx.Shuffle(topLeftHalf, topRightHalf, 0b1111), right);
            TakeLarger(ref best, ref offset, Avx.Shuffle(bottomLeftHalf, bottomRightHalf, 0b0000), below);
            TakeLarger(ref best, ref offset, Avx.Shuffle(bottomLeftHalf, bottomRightHalf, 0b1111), belowRight);
            best = Avx2.Permute4x64(best, 0b11_01_10_00);
            offset = Avx2.Permute4x64(offset, 0b11_01_10_00);

            best.StoreUnsafe(ref output[destination + ow]);
            for (int j = 0; j < 4; j++)
            {
                indices[destination + ow + j] = at + (2 * j) + (int)offset.GetElement(j);
            }
        }

        return ow;
    }

    /// <summary>
    /// Where <paramref name="candidate"/> is larger than <paramref name="best"/>, or a NaN where best is not, takes it and
    /// its offset in the window: <see cref="Larger"/>, four lanes at once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TakeLarger(ref Vector256<double> best, ref Vector256<double> offset, Vector256<double> candidate, Vector256<double> candidateOffset)
    {
        var take = Vector256.AndNot(Vector256.Equals(best, best), Vector256.LessThanOrEqual(candidate, best));
        best = Vector256.ConditionalSelect(take, candidate, best);
        offset = Vector256.ConditionalSelect(take, candidateOffset, offset);
    }

    /// <summary>
    /// The index of the larger of x[best] (found first) and x[candidate]: the first on a tie, a NaN over a number. Written
    /// without a short-circuit so that it compiles to a conditional move.
    /// </summary>
    private static int Larger(double[] x, int best, int candidate)
    {
        double current = x[best], value = x[candidate];

        // current is a number and value is not at most it: value is larger, or a NaN.
        bool takes = !(value <= current) & !double.IsNaN(current);
        return takes ? candidate : best;
    }

    /// <summary>What is done with each window: its first element's index in x, and its output's index.</summary>
    private interface IWindowAction
    {
        void Apply(int windowStart, int output);
    }

    private readonly struct MaxOfWindow(double[] x, double[] output, int[] indices, int size, int width) : IWindowAction
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Apply(int windowStart, int o)
        {
            int best = windowStart;
            for (int kh = 0; kh < size; kh++)
            {
                for (int kw = 0, at = windowStart + (kh * width); kw < size; kw++, at++)
                {
                    best = Larger(x, best, at);
                }
            }

            output[o] = x[best];
            indices[o] = best;
        }
    }

    private readonly struct AverageOfWindow(double[] x, double[] output, int size, int width) : IWindowAction
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Apply(int windowStart, int o)
        {
            double sum = 0;
            for (int kh = 0; kh < size; kh++)
            {
                foreach (double value in x.AsSpan(windowStart + (kh * width), size))
                {
                    sum += value;
                }
            }

            output[o] = sum / (size * size);
        }
    }

    private readonly struct SpreadOverWindow(double[] dout, double[] dx, int size, int width) : IWindowAction
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Apply(int windowStart, int o)
        {
            double share = dout[o] / (size * size);
            for (int kh = 0; kh < size; kh++)
            {
                var row = dx.AsSpan(windowStart + (kh * width), size);
                for (int kw = 0; kw < row.Length; kw++)
                {
                    row[kw] += share;
                }
            }
        }
    }

    private static void ForEachWindow<TAction>(PoolingLayout layout, TAction action)
        where TAction : struct, IWindowAction =>
        ForEachPlane(layout, plane => ForWindowsOfPlane(layout, plane, action));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForWindowsOfPlane<TAction>(PoolingLayout layout, int plane, TAction action)
        where TAction : struct, IWindowAction
    {
        int stride = layout.Stride, width = layout.Width, outputHeight = layout.OutputHeight, outputWidth = layout.OutputWidth;
        int planeStart = plane * layout.Height * width, outputStart = plane * outputHeight * outputWidth;
        for (int oh = 0; oh < outputHeight; oh++)
        {
            for (int ow = 0; ow < outputWidth; ow++)
            {
                action.Apply(planeStart + (oh * stride * width) + (ow * stride), outputStart + (oh * outputWidth) + ow);
            }
        }
    }

    private static void ForEachPlane(PoolingLayout layout, Action<int> body) => ForEachPlane(layout.Planes, layout.Height * layout.Width, body);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForEachPlane(int planes, int planeLength, Action<int> body)
    {
        if ((long)planes * planeLength >= ParallelElements && Environment.ProcessorCount > 1)
        {
            Parallel.For(0, planes, body);
            return;
        }

        for (int plane = 0; plane < planes; plane++)
        {
            body(plane);
        }
    }
}
