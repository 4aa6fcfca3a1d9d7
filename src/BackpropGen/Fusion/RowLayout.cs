using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace BackpropGen;

/// <summary>
/// A full shape F seen as a matrix <c>[Rows, Width]</c>: its last dimension is a row, all the others count rows. A fused
/// backward pass walks the rows once, reading each operand's row (<see cref="TryRead"/>), accumulating each reduced
/// gradient (<see cref="TrySink"/>) and writing each full gradient (<see cref="Output"/>) as it goes. When an operand or
/// gradient does not fit one of the row patterns the Try methods return false, and the pass falls back to the step-by-step
/// backward.
/// </summary>
public sealed class RowLayout
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private RowLayout(TensorShape full)
    {
        Full = full;
        Width = full.Rank == 0 ? 1 : full[full.Rank - 1];

        // Counted without the last dimension, so that a shape [N, 0] still has N (empty) rows.
        int rows = 1;
        for (int axis = 0; axis < full.Rank - 1; axis++)
        {
            rows *= full[axis];
        }

        Rows = rows;

        // Up to MaxBlocks blocks of whole rows, their number following from the shape alone, so that sums over blocks
        // add up in the same order whatever the number of threads. Layouts below ParallelElements are one block.
        long elements = (long)rows * Width;
        int wanted = elements < ParallelElements ? 1 : (int)Math.Min(MaxBlocks, elements / ParallelElements * 2);
        RowsPerBlock = Math.Max(1, (rows + wanted - 1) / wanted);
        Blocks = Math.Max(1, (rows + RowsPerBlock - 1) / RowsPerBlock);
    }

    /// <summary>Below this many elements a pass runs on one thread: starting threads costs more than it saves.</summary>
    private const long ParallelElements = 1 << 17;

    /// <summary>
    /// The most blocks a pass is cut into: enough to share the rows out among the cores, few enough that each sum's
    /// per-block accumulators (one row each) stay small.
    /// </summary>
    private const int MaxBlocks = 16;

    /// <summary>Whether the full shape has any element (no axis of size 0).</summary>
    public bool HasElements => (long)Rows * Width > 0;

    /// <summary>The full shape F the rows make up.</summary>
    public TensorShape Full { get; }

    /// <summary>The number of rows: the product of all dimensions but the last (1 for rank 0 and 1).</summary>
    public int Rows { get; }

    /// <summary>The length of a row: the last dimension (1 for rank 0).</summary>
    public int Width { get; }

    /// <summary>The number of blocks of rows that <see cref="ForEachBlock"/> runs: 1 for small layouts.</summary>
    public int Blocks { get; }

    /// <summary>The rows in each block (the last may have fewer).</summary>
    public int RowsPerBlock { get; }

    /// <summary>
    /// Runs <paramref name="body"/>(first, end, block) for each block of rows [first, end), in parallel when there is more
    /// than one. Each block reads, adds and writes through its own block number, so that blocks do not share buffers.
    /// </summary>
    /// <param name="body">The pass over the rows of one block.</param>
    public void ForEachBlock(Action<int, int, int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (Blocks == 1)
        {
            body(0, Rows, 0);
            return;
        }

        System.Threading.Tasks.Parallel.For(0, Blocks, block => body(block * RowsPerBlock, Math.Min(Rows, (block + 1) * RowsPerBlock), block));
    }

    /// <summary>The row view of <paramref name="full"/>.</summary>
    /// <param name="full">The full shape: the shape of the values the pass computes elementwise.</param>
    public static RowLayout Of(TensorShape full) => new(full);

    /// <summary>
    /// Whether a factor of shape <paramref name="factor"/> is constant along every axis that
    /// <c>Tensor.SumTo(…, <paramref name="target"/>)</c> sums over, so that it can be taken out of the sum: it broadcasts
    /// to <paramref name="target"/> (no more dimensions, each 1 or the same as <paramref name="target"/>'s, aligned right).
    /// </summary>
    /// <param name="factor">The shape of the factor.</param>
    /// <param name="target">The shape the sum goes to.</param>
    public static bool IsConstantAcrossSum(TensorShape factor, TensorShape target) => Broadcasting.BroadcastsTo(factor, target);

    /// <summary>
    /// Whether <see cref="Tensor.ExpandAlong"/> of a gradient of shape <paramref name="reduced"/> along
    /// <paramref name="axis"/> to <paramref name="shape"/> is the same as broadcasting it there, so that a fused pass can
    /// read the gradient as broadcast: when the axis was kept with size 1, or is the first axis (NumPy broadcasting adds
    /// leading axes). Anything else, including a gradient that does not fit, is left to the step-by-step form.
    /// </summary>
    /// <param name="reduced">The shape of the reduction's gradient.</param>
    /// <param name="axis">The reduced axis; negative counts from the end.</param>
    /// <param name="shape">The shape of the reduction's input.</param>
    public static bool ExpandsAsBroadcast(TensorShape reduced, int axis, TensorShape shape)
    {
        if (axis < -shape.Rank || axis >= shape.Rank)
        {
            return false;
        }

        int normalized = axis < 0 ? axis + shape.Rank : axis;
        return reduced == shape.ReducedAlong(normalized, keepDims: true)
            || (normalized == 0 && reduced == shape.ReducedAlong(normalized, keepDims: false));
    }

    /// <summary>Whether <paramref name="shape"/> is exactly <see cref="Full"/> (same rank, same dimensions).</summary>
    /// <param name="shape">The shape to check.</param>
    public bool Has(TensorShape shape) => shape == Full;

    /// <summary>
    /// A reader of <paramref name="tensor"/>'s rows as broadcast to <see cref="Full"/>, when its shape is one of the row
    /// patterns: <see cref="Full"/> itself (up to leading 1s), a row (<c>[Width]</c>, <c>[1, Width]</c>), a single element,
    /// or a column (<see cref="Full"/> with the last dimension 1).
    /// </summary>
    /// <param name="tensor">The operand to read.</param>
    /// <param name="reader">The reader, when the method returns true.</param>
    /// <returns>False when the shape fits no pattern: it has more dimensions than <see cref="Full"/>, does not broadcast to it, or broadcasts some other way (<c>[B, C]</c> against <c>[A, B, C]</c>).</returns>
    public bool TryRead(Tensor tensor, [MaybeNullWhen(false)] out RowReader reader)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!TryClassify(tensor.Shape, out var pattern))
        {
            reader = null;
            return false;
        }

        reader = new RowReader(tensor, pattern, Rows, Width, Blocks);
        return true;
    }

    /// <summary>
    /// An accumulator that makes <c>Tensor.SumTo(g, <paramref name="target"/>)</c> of a full-shaped gradient g from its
    /// rows as they are added in, when <paramref name="target"/> is one of the patterns <see cref="TryRead"/> reads.
    /// </summary>
    /// <param name="target">The shape of the reduced gradient.</param>
    /// <param name="sink">The accumulator, when the method returns true.</param>
    /// <returns>False when <paramref name="target"/> fits no row pattern.</returns>
    public bool TrySink(TensorShape target, [MaybeNullWhen(false)] out RowSink sink)
    {
        if (!TryClassify(target, out var pattern))
        {
            sink = null;
            return false;
        }

        sink = new RowSink(target, pattern, Rows, Width, Blocks);
        return true;
    }

    /// <summary>
    /// A reader of <paramref name="tensor"/>'s one value per row, when its shape is a column of <see cref="Full"/>: the
    /// full shape with the last dimension 1 (aligned right, leading 1s allowed), as a reduction along the last axis
    /// that keeps it makes (<c>Mean(x, axis: 1, keepDims: true)</c> of an [N, D] x).
    /// </summary>
    /// <param name="tensor">The operand to read.</param>
    /// <param name="reader">The reader, when the method returns true.</param>
    /// <returns>False when the shape is not a column of <see cref="Full"/>.</returns>
    public bool TryReadColumn(Tensor tensor, [MaybeNullWhen(false)] out ColumnReader reader)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        reader = IsColumn(tensor.Shape) ? new ColumnReader(tensor) : null;
        return reader is not null;
    }

    /// <summary>
    /// A reader of <c>Tensor.ExpandAlong(<paramref name="tensor"/>, <paramref name="axis"/>, <paramref name="shape"/>)</c>
    /// as one value per row, without making it: when <paramref name="shape"/> is <see cref="Full"/>, the axis is its last,
    /// and the tensor is the shape reduced along it, kept or not (the gradient of <c>Sum(e, axis: 1)</c> of an [N, D] e,
    /// of shape [N]).
    /// </summary>
    /// <param name="tensor">The reduction's gradient.</param>
    /// <param name="axis">The reduced axis; negative counts from the end.</param>
    /// <param name="shape">The shape it is expanded to.</param>
    /// <param name="reader">The reader, when the method returns true.</param>
    /// <returns>False when the expansion is not along the last axis of the full shape, or the tensor does not fit it.</returns>
    public bool TryReadColumn(Tensor tensor, int axis, TensorShape shape, [MaybeNullWhen(false)] out ColumnReader reader)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        int rank = shape.Rank;
        bool fits = shape == Full && rank > 0 && (axis == rank - 1 || axis == -1)
            && (tensor.Shape == shape.ReducedAlong(rank - 1, keepDims: false) || tensor.Shape == shape.ReducedAlong(rank - 1, keepDims: true));
        reader = fits ? new ColumnReader(tensor) : null;
        return fits;
    }

    /// <summary>
    /// An accumulator that makes <c>Tensor.SumTo(g, <paramref name="target"/>)</c> of a full-shaped g as the sums of its
    /// rows, when <paramref name="target"/> is a column of <see cref="Full"/> (see <see cref="TryReadColumn(Tensor, out ColumnReader)"/>).
    /// </summary>
    /// <param name="target">The shape of the reduced gradient.</param>
    /// <param name="sink">The accumulator, when the method returns true.</param>
    /// <returns>False when <paramref name="target"/> is not a column of <see cref="Full"/>.</returns>
    public bool TrySinkColumn(TensorShape target, [MaybeNullWhen(false)] out ColumnSink sink)
    {
        sink = IsColumn(target) ? new ColumnSink(target) : null;
        return sink is not null;
    }

    /// <summary>
    /// Whether <paramref name="shape"/>, aligned right to <see cref="Full"/>, has one element per row: the last
    /// dimension 1, every other one <see cref="Full"/>'s. (When the rows are one element wide this is also the full
    /// shape, and when there is one row, a single element: read and summed as a column, each is right.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool IsColumn(TensorShape shape)
    {
        int rank = Full.Rank;
        if (shape.Rank > rank || rank == 0)
        {
            return false;
        }

        for (int axis = 0; axis < rank; axis++)
        {
            int dim = Broadcasting.DimensionAligned(shape, axis, rank);
            if (dim != (axis == rank - 1 ? 1 : Full[axis]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A new full-shaped result, written row by row.</summary>
    public RowOutput Output() => new(Full, Rows, Width);

    /// <summary>
    /// Which row pattern <paramref name="shape"/>, aligned right to <see cref="Full"/>, follows. The checks run from the
    /// most to the least specific, so that a shape that fits several (when Width or Rows is 1) takes the first, and every
    /// one of them reads it correctly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryClassify(TensorShape shape, out RowPattern pattern)
    {
        int rank = Full.Rank;
        if (shape.Rank > rank)
        {
            pattern = default;
            return false;
        }

        bool full = true, row = true, column = true;
        for (int axis = 0; axis < rank; axis++)
        {
            int dim = Broadcasting.DimensionAligned(shape, axis, rank);
            bool last = axis == rank - 1;
            full &= dim == Full[axis];
            row &= last ? dim == Width : dim == 1;
            column &= last ? dim == 1 : dim == Full[axis];
        }

        if (full)
        {
            pattern = RowPattern.Full;
        }
        else if (row)
        {
            pattern = RowPattern.Row;
        }
        else if (shape.ElementCount == 1)
        {
            pattern = RowPattern.Scalar;
        }
        else if (column)
        {
            pattern = RowPattern.Column;
        }
        else
        {
            pattern = default;
            return false;
        }

        return true;
    }
}

/// <summary>How an operand's or a reduced gradient's elements map onto the rows of a <see cref="RowLayout"/>.</summary>
internal enum RowPattern
{
    /// <summary>One row of its own for every row: the full shape.</summary>
    Full,

    /// <summary>One row shared by every row: <c>[Width]</c> up to leading 1s.</summary>
    Row,

    /// <summary>One element shared by every element.</summary>
    Scalar,

    /// <summary>One element per row, shared along it: the full shape with the last dimension 1.</summary>
    Column,
}
