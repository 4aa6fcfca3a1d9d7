using System;
using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace BackpropGen.Kernels;

/// <summary>
/// The shapes of a 2-D convolution (CS231n's <c>conv_forward</c>, PyTorch's <c>conv2d</c> without groups or dilation):
/// x <c>[N, C, H, W]</c>, w <c>[F, C, HH, WW]</c>, out <c>[N, F, H', W']</c> with
/// <c>H' = (H + 2·padding - HH) / stride + 1</c> (rounded down) and likewise W'.
/// </summary>
internal sealed record ConvolutionLayout(int Images, int Channels, int Height, int Width, int Filters, int KernelHeight, int KernelWidth, int Stride, int Padding)
{
    /// <summary>H': the output's rows.</summary>
    public int OutputHeight => ((Height + (2 * Padding) - KernelHeight) / Stride) + 1;

    /// <summary>W': the output's columns.</summary>
    public int OutputWidth => ((Width + (2 * Padding) - KernelWidth) / Stride) + 1;

    /// <summary>P = H'·W': the output positions of one image, the columns of its patch matrix.</summary>
    public int Positions => OutputHeight * OutputWidth;

    /// <summary>C·HH·WW: the values under the kernel at one position, the rows of the patch matrix (and the depth of the forward product).</summary>
    public int PatchLength => Channels * KernelHeight * KernelWidth;

    /// <summary>The input's shape.</summary>
    public TensorShape InputShape => new(Images, Channels, Height, Width);

    /// <summary>The filters' shape.</summary>
    public TensorShape FilterShape => new(Filters, Channels, KernelHeight, KernelWidth);

    /// <summary>The output's shape.</summary>
    public TensorShape OutputShape => new(Images, Filters, OutputHeight, OutputWidth);

    /// <summary>The multiply-adds of one image's product (each of the forward and the two backwards has as many).</summary>
    public long MultiplyAddsPerImage => (long)Filters * Positions * PatchLength;

    /// <summary>
    /// Checks the shapes of <c>Conv2D(x, w, stride, padding)</c> (<paramref name="operation"/> names the method in the
    /// message) and lines them up.
    /// </summary>
    /// <exception cref="ArgumentException">A shape is not 4-D, the channels differ, the stride is not positive, the padding is negative or the kernel is larger than the padded input; the message names the shapes.</exception>
    public static ConvolutionLayout Of(string operation, TensorShape x, TensorShape w, int stride, int padding)
    {
        string Refusal(string reason) => $"Cannot take {operation} of x {x} and w {w} with stride {stride} and padding {padding}: {reason}.";
        if (x.Rank != 4 || w.Rank != 4)
        {
            throw new ArgumentException(Refusal("x must be [N, C, H, W] and w [F, C, HH, WW]"));
        }

        if (x[1] != w[1])
        {
            throw new ArgumentException(Refusal($"x has {x[1]} channels and w {w[1]}"));
        }

        if (stride <= 0)
        {
            throw new ArgumentException(Refusal("the stride must be at least 1"), nameof(stride));
        }

        if (padding < 0)
        {
            throw new ArgumentException(Refusal("the padding must not be negative"), nameof(padding));
        }

        if (w[2] > x[2] + (2 * padding) || w[3] > x[3] + (2 * padding))
        {
            throw new ArgumentException(Refusal($"the kernel {w[2]}×{w[3]} is larger than the padded input {x[2] + (2 * padding)}×{x[3] + (2 * padding)}"));
        }

        return new ConvolutionLayout(x[0], x[1], x[2], x[3], w[0], w[2], w[3], stride, padding);
    }
}

/// <summary>
/// 2-D convolution and its two backwards on <see cref="Gemm"/>, one image at a time through its patch matrix
/// ("im2col": row <c>(c, kh, kw)</c>, column <c>(oh, ow)</c> holds <c>x[c, oh·stride - padding + kh, ow·stride - padding + kw]</c>,
/// 0 in the padding): out[n] = w · patches(x[n]); dx[n] = the patches of <c>wᵀ · dout[n]</c> added back where they came
/// from ("col2im"); dw = Σₙ dout[n] · patches(x[n])ᵀ.
/// </summary>
/// <remarks>
/// The patch matrix of one image (C·HH·WW × H'·W' doubles, 1.2 MB for 16 channels, 3 × 3, 32 × 32) is rented from
/// the pool per worker, never allocated per call, and no patch matrix of the whole batch is made. With at least as many
/// images as threads, each too small a product for threads of its own, the threads take images (for dw, fixed groups of images, each summed into its own partial dw in
/// image order, the partials then added in group order); otherwise images run one by one, each product on all threads.
/// Either way every element is summed in the same order, so the results do not depend on the number of threads.
/// </remarks>
internal static class Convolution
{
    /// <summary>The filter gradient is summed over at most this many groups of images, whatever the number of threads.</summary>
    private const int FilterGradientGroups = 16;

    /// <summary>out = Conv2D(x, w): every element written.</summary>
    public static void Forward(ConvolutionLayout layout, double[] x, double[] w, double[] output, int threads)
    {
        int positions = layout.Positions, patchLength = layout.PatchLength, filters = layout.Filters;
        ForEachImage(layout, threads, (image, productThreads, patches) =>
        {
            Unfold(layout, x, image, patches);
            Gemm.Multiply(
                false, false, filters, positions, patchLength, w, 0, patches, 0, output, image * filters * positions, accumulate: false, productThreads, Gemm.Widest);
        });
    }

    /// <summary>dx of Conv2D given dout: every element written.</summary>
    public static void BackwardInput(ConvolutionLayout layout, double[] dout, double[] w, double[] dx, int threads)
    {
        int positions = layout.Positions, patchLength = layout.PatchLength, filters = layout.Filters;
        int imageLength = layout.Channels * layout.Height * layout.Width;
        ForEachImage(layout, threads, (image, productThreads, patchGradient) =>
        {
            Gemm.Multiply(
                true, false, patchLength, positions, filters, w, 0, dout, image * filters * positions, patchGradient, 0, accumulate: false, productThreads, Gemm.Widest);
            dx.AsSpan(image * imageLength, imageLength).Clear();
            Fold(layout, patchGradient, dx, image);
        });
    }

    /// <summary>dw of Conv2D given dout: every element written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardFilter(ConvolutionLayout layout, double[] dout, double[] x, double[] dw, int threads)
    {
        int positions = layout.Positions, patchLength = layout.PatchLength, filters = layout.Filters, filterLength = filters * patchLength;
        int images = layout.Images;
        if (images == 0)
        {
            dw.AsSpan(0, filterLength).Clear();
            return;
        }

        int groups = Math.Min(images, FilterGradientGroups);
        bool imagesInParallel = SharesImages(layout, groups, threads);
        int productThreads = imagesInParallel ? 1 : threads;

        // Group g sums images [First(g), First(g + 1)) into partial g; partial 0 is dw itself.
        int First(int group) => (int)((long)images * group / groups);
        double[] partials = ArrayPool<double>.Shared.Rent((groups - 1) * filterLength);
        try
        {
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            void SumGroup(int group)
            {
                double[] patches = ArrayPool<double>.Shared.Rent(patchLength * positions);
                try
                {
                    double[] sum = group == 0 ? dw : partials;
                    int sumOffset = group == 0 ? 0 : (group - 1) * filterLength;
                    for (int image = First(group); image < First(group + 1); image++)
                    {
                        Unfold(layout, x, image, patches);
                        Gemm.Multiply(
                            false, true, filters, patchLength, positions, dout, image * filters * positions, patches, 0, sum, sumOffset,
                            accumulate: image > First(group), productThreads, Gemm.Widest);
                    }
                }
                finally
                {
                    ArrayPool<double>.Shared.Return(patches);
                }
            }

            if (imagesInParallel)
            {
                Parallel.For(0, groups, new ParallelOptions { MaxDegreeOfParallelism = threads }, SumGroup);
            }
            else
            {
                for (int group = 0; group < groups; group++)
                {
                    SumGroup(group);
                }
            }

            var total = dw.AsSpan(0, filterLength);
            for (int group = 1; group < groups; group++)
            {
                TensorPrimitives.Add(total, partials.AsSpan((group - 1) * filterLength, filterLength), total);
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(partials);
        }
    }

    /// <summary>The number of threads a convolution of this layout is worth, all three products being of a size.</summary>
    public static int ThreadsFor(ConvolutionLayout layout) => Gemm.ThreadsForWork(layout.MultiplyAddsPerImage * layout.Images);

    /// <summary>
    /// Whether the threads take images (or groups of them) rather than sharing each image's products: when there are
    /// enough to go round and one image's product is too small for threads of its own.
    /// </summary>
    private static bool SharesImages(ConvolutionLayout layout, int items, int threads) =>
        threads > 1 && items >= threads && layout.MultiplyAddsPerImage < Gemm.ParallelThreshold;

    /// <summary>
    /// Runs <paramref name="body"/> for every image with a rented patch-sized workspace: the threads take images when
    /// <see cref="SharesImages"/> says so, else the images run in order, each with all the threads for its products.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForEachImage(ConvolutionLayout layout, int threads, Action<int, int, double[]> body)
    {
        int workspace = layout.PatchLength * layout.Positions;
        if (SharesImages(layout, layout.Images, threads))
        {
            Parallel.For(
                0,
                layout.Images,
                new ParallelOptions { MaxDegreeOfParallelism = threads },
                () => ArrayPool<double>.Shared.Rent(workspace),
                (image, _, patches) =>
                {
                    body(image, 1, patches);
                    return patches;
                },
                patches => ArrayPool<double>.Shared.Return(patches));
            return;
        }

        double[] buffer = ArrayPool<double>.Shared.Rent(workspace);
        try
        {
            for (int image = 0; image < layout.Images; image++)
            {
                body(image, threads, buffer);
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes image <paramref name="image"/>'s patch matrix, <c>[C·HH·WW, H'·W']</c>, into <paramref name="patches"/>.</summary>
    private static void Unfold(ConvolutionLayout layout, double[] x, int image, double[] patches) =>
        ForEachPatchRow(layout, x, image, patches, default(CopyIntoPatches));

    /// <summary>
    /// Adds the patch-shaped <paramref name="patchGradient"/> back into image <paramref name="image"/> of
    /// <paramref name="dx"/>, each value where <see cref="Unfold"/> took it from; the padding's values are dropped.
    /// </summary>
    private static void Fold(ConvolutionLayout layout, double[] patchGradient, double[] dx, int image) =>
        ForEachPatchRow(layout, dx, image, patchGradient, default(AddBackIntoImage));

    /// <summary>
    /// Visits every run of W' values of the patch matrix (its row for kernel tap (c, kh, kw), the columns of output row
    /// oh) with the input row it reads, or without one when that row lies in the padding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForEachPatchRow<TAction>(ConvolutionLayout layout, double[] images, int image, double[] patches, TAction action)
        where TAction : struct, IPatchRowAction
    {
        int outputHeight = layout.OutputHeight, outputWidth = layout.OutputWidth, stride = layout.Stride, padding = layout.Padding;
        int height = layout.Height, width = layout.Width;
        int row = 0;
        for (int channel = 0; channel < layout.Channels; channel++)
        {
            var plane = images.AsSpan(((image * layout.Channels) + channel) * height * width, height * width);
            for (int kh = 0; kh < layout.KernelHeight; kh++)
            {
                for (int kw = 0; kw < layout.KernelWidth; kw++, row++)
                {
                    var (first, end) = InsideColumns(kw, width, outputWidth, stride, padding);
                    for (int oh = 0; oh < outputHeight; oh++)
                    {
                        var patchRow = patches.AsSpan(((row * outputHeight) + oh) * outputWidth, outputWidth);
                        int ih = (oh * stride) - padding + kh;
                        if ((uint)ih >= (uint)height || first >= end)
                        {
                            action.Outside(patchRow);
                        }
                        else
                        {
                            action.Inside(patchRow, plane.Slice(ih * width, width), first, end, (first * stride) - padding + kw, stride);
                        }
                    }
                }
            }
        }
    }

    /// <summary>What <see cref="ForEachPatchRow"/> does with a run of the patch matrix: unfold the image into it, or fold it back.</summary>
    private interface IPatchRowAction
    {
        /// <summary>The run's input row lies in the padding (or none of its columns fall inside the input).</summary>
        void Outside(Span<double> patchRow);

        /// <summary>Columns [first, end) of the run read the input row at columns firstColumn, + stride, ….</summary>
        void Inside(Span<double> patchRow, Span<double> inputRow, int first, int end, int firstColumn, int stride);
    }

    private readonly struct CopyIntoPatches : IPatchRowAction
    {
        public void Outside(Span<double> patchRow) => patchRow.Clear();

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Inside(Span<double> patchRow, Span<double> inputRow, int first, int end, int firstColumn, int stride)
        {
            patchRow[..first].Clear();
            patchRow[end..].Clear();
            if (stride == 1)
            {
                inputRow.Slice(firstColumn, end - first).CopyTo(patchRow[first..end]);
                return;
            }

            for (int ow = first, iw = firstColumn; ow < end; ow++, iw += stride)
            {
                patchRow[ow] = inputRow[iw];
            }
        }
    }

    private readonly struct AddBackIntoImage : IPatchRowAction
    {
        public void Outside(Span<double> patchRow)
        {
            // The padding's gradient has nowhere to go.
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Inside(Span<double> patchRow, Span<double> inputRow, int first, int end, int firstColumn, int stride)
        {
            if (stride == 1)
            {
                var run = inputRow.Slice(firstColumn, end - first);
                TensorPrimitives.Add(run, patchRow[first..end], run);
                return;
            }

            for (int ow = first, iw = firstColumn; ow < end; ow++, iw += stride)
            {
                inputRow[iw] += patchRow[ow];
            }
        }
    }

    /// <summary>The output columns [first, end) whose kernel column <paramref name="kw"/> falls inside the input, not in the padding.</summary>
    private static (int First, int End) InsideColumns(int kw, int width, int outputWidth, int stride, int padding)
    {
        // Column ow reads input column ow·stride - padding + kw, inside when it is in [0, width).
        int first = Math.Max(0, CeilingDivide(padding - kw, stride));
        int end = Math.Min(outputWidth, CeilingDivide(width + padding - kw, stride));
        return (first, Math.Max(first, end));
    }

    private static int CeilingDivide(int value, int divisor) => value <= 0 ? -(-value / divisor) : ((value + divisor - 1) / divisor);
}
