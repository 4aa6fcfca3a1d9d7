using System;
using System.Buffers;
using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Threading.Tasks;

namespace BackpropGen.Kernels;

/// <summary>
/// The matrix product <c>C = op(A) · op(B)</c> of row-major double matrices, where <c>op</c> reads an operand as stored
/// or transposed, in the manner of BLIS (Van Zee and van de Geijn, "BLIS: A Framework for Rapidly Instantiating BLAS
/// Functionality", 2015): op(B) is packed a <see cref="DepthBlock"/> × <see cref="ColumnBlock"/> block at a time into
/// micro-panels NR columns wide, op(A) an MC × <see cref="DepthBlock"/> block at a time into micro-panels MR rows tall,
/// and a register-blocked micro-kernel (<see cref="IMicroKernel"/>) multiplies one micro-panel of each.
/// </summary>
/// <remarks>
/// Loop order, outermost first: columns of C by <see cref="ColumnBlock"/> (the packed B block stays in L3), depth by
/// <see cref="DepthBlock"/> (one NR micro-panel of B, <see cref="DepthBlock"/> × NR doubles = 16 KiB for NR = 8, stays in
/// L1), rows of C by MC = 4 · MR (the packed A block, 48 KiB for MR = 6, and the strip of C it updates stay in L2),
/// then the micro-panels of B, then those of A. Threads take C's row blocks one at a time, so each packs its A blocks
/// into its own core's L2 and all share the packed B (or, when C has too few rows to share out evenly, they take its
/// column panels). Nothing splits the depth: every element of C is summed over it in the same order, whichever thread
/// computes it, so the result is bit-identical for any number of threads. A product of at most
/// <see cref="InPlaceRows"/> rows reads a B stored as is in place instead of packing it (the kernel's arithmetic and so
/// its bits are the same either way).
/// </remarks>
internal static class Gemm
{
    /// <summary>KC: the depth of a packed block (BLIS's Haswell and Zen value for doubles).</summary>
    internal const int DepthBlock = 256;

    /// <summary>NC: the columns of a packed B block, a multiple of every kernel's NR.</summary>
    internal const int ColumnBlock = 4096;

    /// <summary>
    /// MC / MR: micro-panels of A per packed A block, which is also the work item when threads share C's rows. On the
    /// project's machine (AVX2, 6 × 8 tiles, 1024³) 4 (24 rows) ran about 5 % faster than 16 on one thread and 5–15 %
    /// on two, handed out dynamically; 2, 3, 6 and 8 fell between.
    /// </summary>
    private const int PanelsPerRowBlock = 4;

    /// <summary>NR-column micro-panels of the packed B block per work item when threads share C's columns.</summary>
    private const int PanelsPerColumnItem = 16;

    /// <summary>
    /// Below this many multiply-adds (m·n·k) the product is a plain triple loop: packing and dispatch cost more than they
    /// save (2 × 3 · 3 × 2 runs at the old Dot's speed this way).
    /// </summary>
    internal const long DirectThreshold = 8 * 8 * 8;

    /// <summary>
    /// At most this many rows (or columns) of C: the product streams the other operand once rather than packing it,
    /// since packing would copy about as many elements as the product multiplies.
    /// </summary>
    internal const int FewRows = 4;

    /// <summary>
    /// At most this many rows of C, the packed product reads a B stored as is (not transposed) in place rather than
    /// packing it: with few rows, packing B would copy a large part of what the product reads, for few reuses. On the
    /// project's machine (2 threads, [m, 1024] · [1024, 1024], interleaved, busy) reading in place took 0.4 of the packed
    /// time at 8 rows, 0.8 at 64 and 0.7 at 96, and 0.8–1.1 at 128; at 256 to 1024 rows it took 1.04–1.31 times as long.
    /// </summary>
    internal const int InPlaceRows = 96;

    /// <summary>Columns of C per block of <see cref="MultiplyFewRows"/>: <see cref="FewRows"/> rows of them fill half a 32 KiB L1.</summary>
    private const int FewRowsColumnBlock = 512;

    /// <summary>
    /// From this many multiply-adds on (64 · 256 · 256, an RNN step's products; about 0.1 ms on one core) a product is
    /// split over the cores. On the project's 2-core machine, products called back to back (the pool's threads awake)
    /// took 0.65–0.71 of the one-thread time at 64 · 256 · 256 and 0.67–0.88 at 256³, and no gain at half those sizes
    /// (0.95–1.03); a single product after 20 ms idle, its threads asleep, took 1.10 at 64 · 256 · 256, 1.2–1.46 at
    /// 128³ and below, and 0.83 at 256³.
    /// </summary>
    internal const long ParallelThreshold = 64L * 256 * 256;

    /// <summary>The widest micro-kernel this machine runs in hardware.</summary>
    internal static MicroKernelWidth Widest { get; } =
        Vector512.IsHardwareAccelerated ? MicroKernelWidth.Vector512
        : Vector256.IsHardwareAccelerated ? MicroKernelWidth.Vector256
        : Vector128.IsHardwareAccelerated ? MicroKernelWidth.Vector128
        : MicroKernelWidth.Scalar;

    /// <summary>The number of threads <see cref="Multiply(bool, bool, int, int, int, double[], double[], double[])"/> uses for a product of this size.</summary>
    internal static int ThreadsFor(int m, int n, int k) => ThreadsForWork((long)m * n * k);

    /// <summary>The number of threads worth using for this many multiply-adds, in one product or a batch of them.</summary>
    internal static int ThreadsForWork(long multiplyAdds) => multiplyAdds >= ParallelThreshold ? Environment.ProcessorCount : 1;

    /// <summary>
    /// Writes <c>op(A) · op(B)</c>, <c>[m, n]</c>, into the first <c>m · n</c> elements of <paramref name="c"/>, with the
    /// widest kernel and as many threads as the size warrants. <paramref name="a"/> holds <c>[m, k]</c>, or <c>[k, m]</c>
    /// when <paramref name="transposeA"/>; <paramref name="b"/> holds <c>[k, n]</c>, or <c>[n, k]</c> when
    /// <paramref name="transposeB"/>. Every element of the result is written, so <paramref name="c"/> may be uninitialized.
    /// </summary>
    internal static void Multiply(bool transposeA, bool transposeB, int m, int n, int k, double[] a, double[] b, double[] c) =>
        Multiply(transposeA, transposeB, m, n, k, a, b, c, ThreadsFor(m, n, k), Widest);

    /// <summary>
    /// The same with the number of threads and the kernel chosen by the caller (tests compare thread counts and
    /// kernels): at most <paramref name="threads"/> threads take part, even in a small product.
    /// </summary>
    internal static void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k, double[] a, double[] b, double[] c, int threads, MicroKernelWidth kernel) =>
        Multiply(transposeA, transposeB, m, n, k, a, 0, b, 0, c, 0, accumulate: false, threads, kernel);

    /// <summary>
    /// The general form: the operands begin at <paramref name="aOffset"/> and <paramref name="bOffset"/> of their arrays
    /// and the result at <paramref name="cOffset"/> (one matrix of a batch, one image's patches), and with
    /// <paramref name="accumulate"/> the product is added to what <paramref name="c"/> holds instead of written over it
    /// (a sum of products, as a filter's gradient over the images, without a temporary per term).
    /// </summary>
    internal static void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k, double[] a, int aOffset, double[] b, int bOffset, double[] c, int cOffset,
        bool accumulate, int threads, MicroKernelWidth kernel)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(aOffset);
        ArgumentOutOfRangeException.ThrowIfNegative(bOffset);
        ArgumentOutOfRangeException.ThrowIfNegative(cOffset);

        // The micro-kernels write through unchecked references, so the operands' sizes are checked once here.
        if (a.Length - (long)aOffset < (long)m * k || b.Length - (long)bOffset < (long)k * n || c.Length - (long)cOffset < (long)m * n)
        {
            throw new ArgumentException(
                $"The arrays hold {a.Length}, {b.Length} and {c.Length} elements, too few for a [{m}, {k}] · [{k}, {n}] product from offsets {aOffset}, {bOffset} and {cOffset}.");
        }

        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            if (!accumulate)
            {
                c.AsSpan(cOffset, m * n).Clear();
            }

            return;
        }

        // Element (i, p) of op(A) is at Offset + i * RowStride + p * DepthStride; element (p, j) of op(B) at
        // Offset + p * DepthStride + j * RowStride.
        var left = new Operand(a, aOffset, RowStride: transposeA ? 1 : k, DepthStride: transposeA ? m : 1);
        var right = new Operand(b, bOffset, RowStride: transposeB ? k : 1, DepthStride: transposeB ? 1 : n);
        var result = new Destination(c, cOffset, accumulate);
        if ((long)m * n * k < DirectThreshold)
        {
            MultiplyDirectly(left, right, m, n, k, result);
            return;
        }

        // C's transpose is op(B)ᵀ · op(A)ᵀ, and an Operand reads A by (row, depth) and B by (column, depth) alike, so
        // a product with few columns is one with few rows written down C's columns.
        if (m <= FewRows && m <= n)
        {
            MultiplyFewRows(left, right, m, n, k, result, rowStride: n, columnStride: 1);
            return;
        }

        if (n <= FewRows)
        {
            MultiplyFewRows(right, left, n, m, k, result, rowStride: 1, columnStride: n);
            return;
        }

        switch (kernel)
        {
            case MicroKernelWidth.Vector512:
                MultiplyPacked<Vector512Kernel>(left, right, m, n, k, result, threads);
                break;
            case MicroKernelWidth.Vector256:
                MultiplyPacked<Vector256Kernel>(left, right, m, n, k, result, threads);
                break;
            case MicroKernelWidth.Vector128:
                MultiplyPacked<Vector128Kernel>(left, right, m, n, k, result, threads);
                break;
            default:
                MultiplyPacked<ScalarKernel>(left, right, m, n, k, result, threads);
                break;
        }
    }

    /// <summary>
    /// One operand as the product reads it: for A, <c>RowStride</c> steps along a row index of C and
    /// <c>DepthStride</c> along the summed index; for B, <c>RowStride</c> steps along a column index of C.
    /// </summary>
    private readonly record struct Operand(double[] Data, int Offset, int RowStride, int DepthStride)
    {
        public double this[int outer, int depth] => Data[Offset + (outer * RowStride) + (depth * DepthStride)];

        /// <summary>The run of <paramref name="length"/> elements from element (<paramref name="outer"/>, <paramref name="depth"/>) on.</summary>
        public Span<double> Run(int outer, int depth, int length) => Data.AsSpan(Offset + (outer * RowStride) + (depth * DepthStride), length);
    }

    /// <summary>Where C lies in its array, and whether the product is added to it or written over it.</summary>
    private readonly record struct Destination(double[] Data, int Offset, bool Accumulate)
    {
        /// <summary>Stores <paramref name="value"/> at element <paramref name="index"/> of C, or adds it there.</summary>
        public void Store(int index, double value)
        {
            ref double element = ref Data[Offset + index];
            element = Accumulate ? element + value : value;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyDirectly(Operand left, Operand right, int m, int n, int k, Destination c)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    sum += left[i, p] * right[j, p];
                }

                c.Store((i * n) + j, sum);
            }
        }
    }

    /// <summary>
    /// The product with <paramref name="rowCount"/> ≤ <see cref="FewRows"/> rows, element (i, j) written at
    /// <c>i * rowStride + j * columnStride</c> of <paramref name="c"/>; on one thread, since it is bound by reading the
    /// other operand once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyFewRows(Operand rows, Operand columns, int rowCount, int columnCount, int k, Destination c, int rowStride, int columnStride)
    {
        if (columns.DepthStride == 1)
        {
            // Each column's run of depths lies side by side: every element is one dot product of that run with a row's.
            double[] gathered = ArrayPool<double>.Shared.Rent(k);
            try
            {
                for (int i = 0; i < rowCount; i++)
                {
                    ReadOnlySpan<double> row = rows.DepthStride == 1 ? rows.Run(i, 0, k) : Gather(rows, i, k, gathered);
                    for (int j = 0; j < columnCount; j++)
                    {
                        c.Store((i * rowStride) + (j * columnStride), TensorPrimitives.Dot(row, columns.Run(j, 0, k)));
                    }
                }
            }
            finally
            {
                ArrayPool<double>.Shared.Return(gathered);
            }

            return;
        }

        // At each depth the columns' values lie side by side (RowStride 1): each row of C accumulates those runs, scaled
        // by the row's value, over the depth; blocks of FewRowsColumnBlock columns keep the accumulating rows in L1.
        Debug.Assert(columns.RowStride == 1, "An operand is stored with either its rows or its depth contiguous.");
        double[] sums = ArrayPool<double>.Shared.Rent(rowCount * Math.Min(FewRowsColumnBlock, columnCount));
        try
        {
            for (int column = 0; column < columnCount; column += FewRowsColumnBlock)
            {
                int width = Math.Min(FewRowsColumnBlock, columnCount - column);
                var block = sums.AsSpan(0, rowCount * width);
                block.Clear();
                for (int p = 0; p < k; p++)
                {
                    var run = columns.Run(column, p, width);
                    for (int i = 0; i < rowCount; i++)
                    {
                        var sum = block.Slice(i * width, width);
                        TensorPrimitives.MultiplyAdd(run, rows[i, p], sum, sum);
                    }
                }

                for (int i = 0; i < rowCount; i++)
                {
                    var sum = block.Slice(i * width, width);
                    for (int j = 0; j < width; j++)
                    {
                        c.Store((i * rowStride) + ((column + j) * columnStride), sum[j]);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(sums);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ReadOnlySpan<double> Gather(Operand rows, int row, int k, double[] buffer)
    {
        for (int p = 0; p < k; p++)
        {
            buffer[p] = rows[row, p];
        }

        return buffer.AsSpan(0, k);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyPacked<TKernel>(Operand left, Operand right, int m, int n, int k, Destination c, int threads)
        where TKernel : struct, IMicroKernel
    {
        int mr = TKernel.Rows, nr = TKernel.Columns;
        bool readsBInPlace = m <= InPlaceRows && right.RowStride == 1;
        int rowGroups = (m + mr - 1) / mr;
        int rowItems = (rowGroups + PanelsPerRowBlock - 1) / PanelsPerRowBlock;
        int widestBlock = RoundUp(Math.Min(n, ColumnBlock), nr);
        int widestColumnItems = ((widestBlock / nr) + PanelsPerColumnItem - 1) / PanelsPerColumnItem;
        bool splitColumns = ThreadSplit.SplitsColumns(rowItems, widestColumnItems, threads);
        double[] packedB = ArrayPool<double>.Shared.Rent(Math.Min(k, DepthBlock) * widestBlock);
        try
        {
            for (int column = 0; column < n; column += ColumnBlock)
            {
                int columns = Math.Min(ColumnBlock, n - column);
                int panels = (columns + nr - 1) / nr;
                for (int depthStart = 0; depthStart < k; depthStart += DepthBlock)
                {
                    int depth = Math.Min(DepthBlock, k - depthStart);
                    var pass = new Pass(
                        left, right, m, n, c, packedB, column, columns, depthStart, depth, accumulate: c.Accumulate || depthStart > 0, readsBInPlace);
                    if (threads == 1 || readsBInPlace)
                    {
                        // Read in place, B leaves at most its one partial panel to pack: not worth a barrier.
                        pass.PackB<TKernel>(0, panels);
                    }

                    if (threads == 1)
                    {
                        pass.MultiplyBlock<TKernel>(0, rowGroups, 0, panels);
                        continue;
                    }

                    // Two barriers: all of the B block is packed before any thread reads it. Packing is even work, shared
                    // out evenly; the products are handed out an item at a time, so that a thread the machine slows
                    // down (a busy host, a core taken away) takes fewer of them instead of holding up the rest.
                    var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
                    if (!readsBInPlace)
                    {
                        int packers = Math.Min(threads, panels);
                        Parallel.For(0, packers, options, t => pass.PackB<TKernel>(Share(panels, t, packers), Share(panels, t + 1, packers)));
                    }

                    if (splitColumns)
                    {
                        int columnItems = (panels + PanelsPerColumnItem - 1) / PanelsPerColumnItem;
                        Parallel.For(0, columnItems, options, item => pass.MultiplyBlock<TKernel>(
                            0, rowGroups, item * PanelsPerColumnItem, Math.Min((item + 1) * PanelsPerColumnItem, panels)));
                    }
                    else
                    {
                        Parallel.For(0, rowItems, options, item => pass.MultiplyBlock<TKernel>(
                            item * PanelsPerRowBlock, Math.Min((item + 1) * PanelsPerRowBlock, rowGroups), 0, panels));
                    }
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(packedB);
        }
    }

    /// <summary>Where part <paramref name="part"/> of <paramref name="parts"/> equal shares of <paramref name="count"/> items begins.</summary>
    private static int Share(int count, int part, int parts) => (int)((long)count * part / parts);

    /// <summary>Whether threads share a product's tiles by NR-column panels of C rather than by its MR-row groups.</summary>
    internal static class ThreadSplit
    {
        /// <summary>
        /// Rows, unless the row items dealt to the threads leave more than an eighth of their time idle and column items
        /// leave less: splitting columns makes every thread pack all of A, which rows do not.
        /// </summary>
        public static bool SplitsColumns(int rowItems, int columnItems, int threads)
        {
            double rowsIdle = IdleFraction(rowItems, threads);
            return rowsIdle > 1.0 / 8 && IdleFraction(columnItems, threads) < rowsIdle;
        }

        // With count equal items dealt to threads, the busiest takes ⌈count / threads⌉; the rest of that time, summed, is idle.
        private static double IdleFraction(int count, int threads)
        {
            int busiest = (count + threads - 1) / threads;
            return 1 - (count / ((double)busiest * threads));
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>
    /// One depth block of one column block of the product: the B block packed once (or, when
    /// <paramref name="readsBInPlace"/>, only its partial last panel), then every row block against it.
    /// </summary>
    private sealed class Pass(
        Operand left, Operand right, int m, int n, Destination c, double[] packedB, int column, int columns, int depthStart, int depth, bool accumulate,
        bool readsBInPlace)
    {
        /// <summary>
        /// Packs the B block's NR-column micro-panels [<paramref name="firstPanel"/>, <paramref name="endPanel"/>), those
        /// of them that are not read in place.
        /// </summary>
        public void PackB<TKernel>(int firstPanel, int endPanel)
            where TKernel : struct, IMicroKernel
        {
            int nr = TKernel.Columns;
            if (readsBInPlace)
            {
                // Only a panel narrower than NR is packed: read in place, the kernel would read past the block's last column.
                firstPanel = Math.Max(firstPanel, columns / nr);
            }

            int first = firstPanel * nr, end = Math.Min(columns, endPanel * nr);
            PackPanels(right, column + first, Math.Max(0, end - first), depthStart, depth, nr, packedB.AsSpan(first * depth));
        }

        /// <summary>
        /// Multiplies the rows of MR-row groups [<paramref name="firstGroup"/>, <paramref name="endGroup"/>) by the packed
        /// B block's micro-panels [<paramref name="firstPanel"/>, <paramref name="endPanel"/>).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void MultiplyBlock<TKernel>(int firstGroup, int endGroup, int firstPanel, int endPanel)
            where TKernel : struct, IMicroKernel
        {
            int mr = TKernel.Rows, nr = TKernel.Columns, rowBlock = mr * PanelsPerRowBlock;
            int rowEnd = Math.Min(endGroup * mr, m);
            double[] packedA = ArrayPool<double>.Shared.Rent(rowBlock * depth);
            try
            {
                Span<double> edgeTile = stackalloc double[mr * nr];
                for (int rowStart = firstGroup * mr; rowStart < rowEnd; rowStart += rowBlock)
                {
                    int rows = Math.Min(rowBlock, rowEnd - rowStart);
                    PackPanels(left, rowStart, rows, depthStart, depth, mr, packedA);
                    for (int j = firstPanel * nr, columnEnd = Math.Min(columns, endPanel * nr); j < columnEnd; j += nr)
                    {
                        int tileColumns = Math.Min(nr, columns - j);

                        // In place, a micro-panel is NR side-by-side values per depth step, one row of B apart.
                        bool inPlace = readsBInPlace && tileColumns == nr;
                        ref double bPanel = ref inPlace ? ref right.Data[right.Offset + (depthStart * right.DepthStride) + column + j] : ref packedB[j * depth];
                        nint bDepthStride = inPlace ? right.DepthStride : nr;
                        for (int i = 0; i < rows; i += mr)
                        {
                            ref double aPanel = ref packedA[i * depth];
                            int tileRows = Math.Min(mr, rows - i);
                            int offset = c.Offset + ((rowStart + i) * n) + column + j;
                            if (tileRows == mr && tileColumns == nr)
                            {
                                TKernel.Multiply(depth, ref aPanel, ref bPanel, bDepthStride, ref c.Data[offset], n, accumulate);
                            }
                            else
                            {
                                // The kernel writes a whole tile, so a tile at the matrix's edge goes through a scratch
                                // tile: computed by the same kernel and stored or added the same way as a whole one,
                                // so its bits do not depend on being at an edge.
                                TKernel.Multiply(depth, ref aPanel, ref bPanel, bDepthStride, ref MemoryMarshal.GetReference(edgeTile), nr, accumulate: false);
                                StoreEdgeTile(edgeTile, nr, tileRows, tileColumns, c.Data.AsSpan(offset), n, accumulate);
                            }
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<double>.Shared.Return(packedA);
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static void StoreEdgeTile(ReadOnlySpan<double> tile, int tileStride, int rows, int columns, Span<double> destination, int rowStride, bool accumulate)
        {
            for (int r = 0; r < rows; r++)
            {
                var source = tile.Slice(r * tileStride, columns);
                var row = destination.Slice(r * rowStride, columns);
                for (int j = 0; j < columns; j++)
                {
                    row[j] = accumulate ? source[j] + row[j] : source[j];
                }
            }
        }
    }

    /// <summary>
    /// Packs <paramref name="count"/> rows of op(A) (or columns of op(B)) from <paramref name="start"/>, depths
    /// [<paramref name="depthStart"/>, + <paramref name="depth"/>), into micro-panels <paramref name="width"/> wide: panel
    /// q holds, depth step by depth step, the <paramref name="width"/> values of its rows, zeros past the last one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackPanels(Operand source, int start, int count, int depthStart, int depth, int width, Span<double> packed)
    {
        for (int panelStart = 0; panelStart < count; panelStart += width)
        {
            int used = Math.Min(width, count - panelStart);
            var panel = packed.Slice(panelStart * depth, width * depth);
            int first = start + panelStart;
            if (source.RowStride == 1)
            {
                // A panel's values at one depth lie side by side in the source (a transposed A, a B as stored).
                for (int p = 0; p < depth; p++)
                {
                    source.Run(first, depthStart + p, used).CopyTo(panel.Slice(p * width, used));
                }
            }
            else
            {
                Debug.Assert(source.DepthStride == 1, "An operand is stored with either its rows or its depth contiguous.");

                // Each row's run of depths lies side by side in the source (an A as stored, a transposed B): read runs, write strided.
                for (int r = 0; r < used; r++)
                {
                    var run = source.Run(first + r, depthStart, depth);
                    for (int p = 0; p < depth; p++)
                    {
                        panel[(p * width) + r] = run[p];
                    }
                }
            }

            // The padding only reaches tile rows and columns that are never stored; zeros rather than whatever a rented
            // buffer held keep denormals and NaNs, which can slow the arithmetic, out of the kernel.
            if (used < width)
            {
                for (int p = 0; p < depth; p++)
                {
                    panel.Slice((p * width) + used, width - used).Clear();
                }
            }
        }
    }
}
