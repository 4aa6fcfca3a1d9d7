using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BackpropGen;

// The helpers generated backward passes call: adjoints of broadcasting, reductions and Pick, and the masks that
// route gradients through Max, Maximum, Minimum, Relu and Abs. Public because generated code lives in user assemblies.
public sealed partial class Tensor
{
    /// <summary>
    /// Sums a gradient back to the shape of an operand that was broadcast (NumPy's "unbroadcast"): over the leading
    /// axes <paramref name="shape"/> lacks and over the axes where it has size 1, so that the result has exactly
    /// <paramref name="shape"/>. Used by generated backward passes, as the seed's <c>dbeta = np.sum(dout, axis=0)</c>.
    /// </summary>
    /// <returns><paramref name="g"/> itself (no copy) when it already has <paramref name="shape"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="shape"/> does not broadcast to <paramref name="g"/>'s shape; the message names both.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor SumTo(Tensor g, TensorShape shape)
    {
        ArgumentNullException.ThrowIfNull(g);
        if (g.Shape == shape)
        {
            return g;
        }

        if (!Broadcasting.BroadcastsTo(shape, g.Shape))
        {
            throw new ArgumentException(
                $"Cannot sum a gradient of shape {g.Shape} to shape {shape}: {shape} does not broadcast to {g.Shape}.", nameof(shape));
        }

        var result = g;
        int leading = g.Rank - shape.Rank;
        if (leading > 0)
        {
            // All leading axes at once, as the rows of one matrix, summed with whole-row vectorized adds.
            int rows = 1;
            for (int axis = 0; axis < leading; axis++)
            {
                rows *= g.Shape[axis];
            }

            var matrix = Reshape(g, new TensorShape([rows, .. g.Shape.Dims[leading..]]));
            result = AxisReduction.Reduce<SumReduction>(matrix, axis: 0, keepDims: false);
        }

        for (int axis = 0; axis < shape.Rank; axis++)
        {
            if (shape[axis] == 1 && result.Shape[axis] != 1)
            {
                result = AxisReduction.Reduce<SumReduction>(result, axis, keepDims: true);
            }
        }

        return result;
    }

    /// <summary>
    /// Repeats <paramref name="g"/> to exactly <paramref name="shape"/> by NumPy broadcasting, as <c>np.broadcast_to</c>
    /// (but a tensor of its own). Lets a generated backward keep the gradient of a reduction's input in the reduced
    /// shape while it only meets broadcasting operations, and expand it once, where a full-shape gradient is due.
    /// </summary>
    /// <returns><paramref name="g"/> itself (no copy) when it already has <paramref name="shape"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="g"/>'s shape does not broadcast to <paramref name="shape"/>; the message names both.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor BroadcastTo(Tensor g, TensorShape shape)
    {
        ArgumentNullException.ThrowIfNull(g);
        if (g.Shape == shape)
        {
            return g;
        }

        if (!Broadcasting.BroadcastsTo(g.Shape, shape))
        {
            throw new ArgumentException($"Cannot broadcast a gradient of shape {g.Shape} to shape {shape}.", nameof(shape));
        }

        var result = NewBuffer(shape.ElementCount);
        if (result.Length == 0)
        {
            return new Tensor(result, shape);
        }

        if (Broadcasting.IsTrailingRun(g.Shape, shape))
        {
            // A row repeated: one block copy per row.
            for (int start = 0; start < result.Length; start += g.Length)
            {
                g._data.AsSpan().CopyTo(result.AsSpan(start, g.Length));
            }

            return new Tensor(result, shape);
        }

        // Any other broadcast: adding -0.0 leaves every value exactly as it is (-0.0 and NaN included).
        return Broadcasting.Apply<AddOperator>(g, Full(-0.0, shape), nameof(BroadcastTo));
    }

    /// <summary>
    /// <c>SumTo(a * b, shape)</c> without the product tensor: the gradient of the operand of shape <paramref name="shape"/>
    /// in a broadcast product, such as the seed's <c>dgamma = np.sum(dgammax * xhat, axis=0)</c>. When <paramref name="a"/>
    /// and <paramref name="b"/> have one shape and <paramref name="shape"/> is its trailing dimensions (a row, <c>[D]</c>
    /// or <c>[1, D]</c> of <c>[N, D]</c>), the products are summed row by row as they are made, so nothing of the
    /// product's size is allocated; any other shapes give exactly <c>SumTo(a * b, shape)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes of <paramref name="a"/> and <paramref name="b"/> do not broadcast, or <paramref name="shape"/> does not broadcast to their product's; the message names the shapes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor SumProductTo(Tensor a, Tensor b, TensorShape shape)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Shape != b.Shape || shape == a.Shape || shape.Rank > a.Rank || shape.ElementCount == 0 || !Broadcasting.IsTrailingRun(shape, a.Shape))
        {
            return SumTo(a * b, shape);
        }

        int rowLength = shape.ElementCount;
        int rows = a.Length / rowLength;
        var result = new double[rowLength];
        if (rows > 0)
        {
            ReadOnlySpan<double> x = a._data, y = b._data;
            TensorPrimitives.Multiply(x[..rowLength], y[..rowLength], result);
            for (int row = 1; row < rows; row++)
            {
                MultiplyAddRow(x.Slice(row * rowLength, rowLength), y.Slice(row * rowLength, rowLength), result);
            }
        }

        return new Tensor(result, shape);
    }

    /// <summary><c>sum[i] += x[i] * y[i]</c>, vectorized; the product is rounded before the addition, as in <c>SumTo(a * b, …)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MultiplyAddRow(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> sum)
    {
        ref double rx = ref MemoryMarshal.GetReference(x);
        ref double ry = ref MemoryMarshal.GetReference(y);
        ref double rs = ref MemoryMarshal.GetReference(sum);
        int length = sum.Length;
        if (x.Length < length || y.Length < length)
        {
            throw new ArgumentException("The rows must be as long as the sum.");
        }

        int i = 0;
        for (; i <= length - Vector<double>.Count; i += Vector<double>.Count)
        {
            nuint at = (nuint)i;
            (Vector.LoadUnsafe(ref rs, at) + (Vector.LoadUnsafe(ref rx, at) * Vector.LoadUnsafe(ref ry, at))).StoreUnsafe(ref rs, at);
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref rs, i) += Unsafe.Add(ref rx, i) * Unsafe.Add(ref ry, i);
        }
    }

    /// <summary>
    /// The adjoint of a reduction along <paramref name="axis"/>: repeats <paramref name="g"/> along that axis to
    /// exactly <paramref name="shape"/>, the shape of the reduction's input. Used by generated backward passes of
    /// <see cref="Sum(Tensor, int, bool)"/>, <see cref="Mean(Tensor, int, bool)"/> and <see cref="Max(Tensor, int, bool)"/>.
    /// </summary>
    /// <param name="g">The gradient of the reduction's output: <paramref name="shape"/> with the axis removed, or kept with size 1.</param>
    /// <param name="axis">The reduced axis; negative counts from the end.</param>
    /// <param name="shape">The shape of the reduction's input.</param>
    /// <exception cref="ArgumentException">The axis is out of range, or <paramref name="g"/> does not fit; the message names both shapes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor ExpandAlong(Tensor g, int axis, TensorShape shape)
    {
        ArgumentNullException.ThrowIfNull(g);
        int normalized = shape.NormalizeAxis(axis);
        if (g.Shape != shape.ReducedAlong(normalized, keepDims: false) && g.Shape != shape.ReducedAlong(normalized, keepDims: true))
        {
            throw new ArgumentException(
                $"Cannot expand a gradient of shape {g.Shape} along axis {axis} to shape {shape}: expected shape " +
                $"{shape.ReducedAlong(normalized, keepDims: false)} or {shape.ReducedAlong(normalized, keepDims: true)}.",
                nameof(g));
        }

        var layout = AxisLayout.Of(shape, normalized);
        ReadOnlySpan<double> source = g.AsSpan();
        var result = NewBuffer(shape.ElementCount);
        for (int o = 0; o < layout.Outer; o++)
        {
            if (layout.Inner == 1)
            {
                result.AsSpan(layout.SlabStart(o, 0), layout.Size).Fill(source[o]);
                continue;
            }

            var slab = source.Slice(o * layout.Inner, layout.Inner);
            for (int j = 0; j < layout.Size; j++)
            {
                slab.CopyTo(result.AsSpan(layout.SlabStart(o, j), layout.Inner));
            }
        }

        return new Tensor(result, shape);
    }

    /// <summary>
    /// 1.0 at the first position of the maximum along <paramref name="axis"/>, 0.0 elsewhere, in <paramref name="x"/>'s
    /// shape: the gradient of <see cref="Max(Tensor, int, bool)"/> goes to one maximum, as PyTorch's <c>max(dim)</c>.
    /// Used by generated backward passes.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="axis"/> is out of range; the message names it and the shape.</exception>
    public static Tensor MaxMask(Tensor x, int axis) => ExtremeMask<GreaterThan>(x, axis);

    /// <summary>
    /// 1.0 at the first position (in row-major order) of the maximum of all elements, 0.0 elsewhere, in
    /// <paramref name="x"/>'s shape: the gradient of <see cref="Max(Tensor)"/>. Used by generated backward passes.
    /// </summary>
    public static Tensor MaxMask(Tensor x) => ExtremeMaskOfAll<GreaterThan>(x);

    /// <summary>
    /// 1.0 at the first position of the minimum along <paramref name="axis"/>, 0.0 elsewhere, in <paramref name="x"/>'s
    /// shape: the gradient of <see cref="Min(Tensor, int, bool)"/> goes to one minimum, as PyTorch's <c>min(dim)</c>.
    /// Used by generated backward passes.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="axis"/> is out of range; the message names it and the shape.</exception>
    public static Tensor MinMask(Tensor x, int axis) => ExtremeMask<LessThan>(x, axis);

    /// <summary>
    /// 1.0 at the first position (in row-major order) of the minimum of all elements, 0.0 elsewhere, in
    /// <paramref name="x"/>'s shape: the gradient of <see cref="Min(Tensor)"/>. Used by generated backward passes.
    /// </summary>
    public static Tensor MinMask(Tensor x) => ExtremeMaskOfAll<LessThan>(x);

    /// <summary>The mask of the first extreme of all elements: that of the only axis of <paramref name="x"/> seen flat.</summary>
    private static Tensor ExtremeMaskOfAll<TBeats>(Tensor x)
        where TBeats : IComparison
    {
        ArgumentNullException.ThrowIfNull(x);
        return Reshape(ExtremeMask<TBeats>(Reshape(x, x.Length), axis: 0), x.Shape);
    }

    /// <summary>1.0 at the first position along the axis of the element that <typeparamref name="TBeats"/> every other (NaN beats numbers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Tensor ExtremeMask<TBeats>(Tensor x, int axis)
        where TBeats : IComparison
    {
        ArgumentNullException.ThrowIfNull(x);
        var layout = AxisLayout.Of(x.Shape, x.Shape.NormalizeAxis(axis));
        ReadOnlySpan<double> source = x.AsSpan();
        var result = new double[source.Length];
        if (layout.Size == 0)
        {
            return new Tensor(result, x.Shape);
        }

        // Slab by slab rather than column by column: the best so far of every column, updated by one contiguous slab at a time.
        var best = new double[layout.Inner];
        var bestIndex = new int[layout.Inner];
        for (int o = 0; o < layout.Outer; o++)
        {
            source.Slice(layout.SlabStart(o, 0), layout.Inner).CopyTo(best);
            Array.Clear(bestIndex);
            for (int j = 1; j < layout.Size; j++)
            {
                var slab = source.Slice(layout.SlabStart(o, j), layout.Inner);
                for (int k = 0; k < slab.Length; k++)
                {
                    // Strictly, so a tie keeps the first; NaN beats numbers, as it does in Max and Min.
                    if (TBeats.Holds(slab[k], best[k]) || (double.IsNaN(slab[k]) && !double.IsNaN(best[k])))
                    {
                        best[k] = slab[k];
                        bestIndex[k] = j;
                    }
                }
            }

            for (int k = 0; k < layout.Inner; k++)
            {
                result[layout.SlabStart(o, bestIndex[k]) + k] = 1.0;
            }
        }

        return new Tensor(result, x.Shape);
    }

    /// <summary>
    /// The adjoint of an element read <c>x[i, j]</c> in a straight-line backward: zeros of <paramref name="shape"/> with
    /// <paramref name="g"/> at <paramref name="index"/>. (A backward with loops adds into a <see cref="GradientBuffer"/>
    /// instead.) Used by generated backward passes.
    /// </summary>
    /// <exception cref="ArgumentException">The index does not have one coordinate per dimension.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A coordinate is outside its dimension.</exception>
    public static Tensor ElementGradient(double g, TensorShape shape, params int[] index)
    {
        var data = new double[shape.ElementCount];
        data[OffsetOf(shape, index)] = g;
        return new Tensor(data, shape);
    }

    /// <summary>
    /// The adjoint of <see cref="Pick"/>: zeros of <paramref name="shape"/> (<c>[N, C]</c>) with <c>g[i]</c> added at
    /// <c>[i, index[i]]</c>. Used by generated backward passes.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="shape"/> is not 2-D, <paramref name="g"/> is not <c>[N]</c>, or an index is out of range.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor Unpick(Tensor g, int[] index, TensorShape shape)
    {
        ArgumentNullException.ThrowIfNull(g);
        CheckPickIndex(shape, index, nameof(Unpick));
        if (g.Shape != new TensorShape(index.Length))
        {
            throw new ArgumentException(
                $"Unpick needs a gradient of shape [{index.Length}] for shape {shape}, but got shape {g.Shape}.", nameof(g));
        }

        int columns = shape[1];
        var result = new double[shape.ElementCount];
        for (int i = 0; i < index.Length; i++)
        {
            result[(i * columns) + index[i]] += g._data[i];
        }

        return new Tensor(result, shape);
    }

    /// <summary>
    /// The adjoint of <see cref="Slice"/>: zeros of <paramref name="shape"/> (the sliced tensor's) with <paramref name="g"/>
    /// in the place the slice was taken from, <paramref name="start"/> on along <paramref name="axis"/>. Used by generated
    /// backward passes.
    /// </summary>
    /// <exception cref="ArgumentException">The axis is out of range, or <paramref name="g"/> is no slice of <paramref name="shape"/> from <paramref name="start"/>; the message names both shapes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor Unslice(Tensor g, int axis, int start, TensorShape shape)
    {
        var (layout, from, run) = UnslicePlacement(g, axis, start, shape);
        var result = new double[shape.ElementCount];
        for (int o = 0; o < layout.Outer && run > 0; o++)
        {
            g._data.AsSpan(o * run, run).CopyTo(result.AsSpan(layout.SlabStart(o, from), run));
        }

        return new Tensor(result, shape);
    }

    /// <summary>Adds <c>Unslice(g, axis, start, shape)</c> into <paramref name="result"/>, the elements of a tensor of <paramref name="shape"/>; checked as <see cref="Unslice"/> checks it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void AddUnsliced(Span<double> result, Tensor g, int axis, int start, TensorShape shape)
    {
        var (layout, from, run) = UnslicePlacement(g, axis, start, shape);
        for (int o = 0; o < layout.Outer && run > 0; o++)
        {
            var slab = result.Slice(layout.SlabStart(o, from), run);
            TensorPrimitives.Add(slab, g._data.AsSpan(o * run, run), slab);
        }
    }

    /// <summary>
    /// Where <see cref="Unslice"/> puts <paramref name="g"/> in <paramref name="shape"/>: <paramref name="shape"/> seen
    /// around the axis, the start along it and the run of each slab; checked as <see cref="Unslice"/> checks it.
    /// </summary>
    private static (AxisLayout Layout, int From, int Run) UnslicePlacement(Tensor g, int axis, int start, TensorShape shape)
    {
        ArgumentNullException.ThrowIfNull(g);
        int normalized = shape.NormalizeAxis(axis);
        int length = g.Rank == shape.Rank ? g.Shape[normalized] : -1;
        if (length < 0 || g.Shape != WithDimension(shape, normalized, length))
        {
            throw new ArgumentException(
                $"Unslice needs a gradient of shape {shape} but for axis {axis}, but got shape {g.Shape}.", nameof(g));
        }

        int from = SliceStart(nameof(Unslice), shape, axis, normalized, start, length);
        var layout = AxisLayout.Of(shape, normalized);
        return (layout, from, length * layout.Inner);
    }

    /// <summary>
    /// The adjoint of <see cref="Take"/>: zeros of <paramref name="shape"/> (the tensor taken from) with each slab of
    /// <paramref name="g"/> added at its index along <paramref name="axis"/>, so that an index taken twice gets the sum of
    /// both gradients (NumPy's <c>np.add.at</c>). Used by generated backward passes.
    /// </summary>
    /// <exception cref="ArgumentException">The axis or an index is out of range, or <paramref name="g"/> does not have one slab per index; the message names both shapes.</exception>
    public static Tensor Untake(Tensor g, int[] indices, int axis, TensorShape shape)
    {
        var result = new double[shape.ElementCount];
        AddTaken(result, g, indices, axis, shape);
        return new Tensor(result, shape);
    }

    /// <summary>Adds <c>Untake(g, indices, axis, shape)</c> into <paramref name="result"/>, the elements of a tensor of <paramref name="shape"/>; checked as <see cref="Untake"/> checks it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void AddTaken(Span<double> result, Tensor g, int[] indices, int axis, TensorShape shape)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(indices);
        int normalized = shape.NormalizeAxis(axis);
        var taken = TakeIndices(nameof(Untake), shape, indices, axis, normalized);
        if (g.Shape != WithDimension(shape, normalized, taken.Length))
        {
            throw new ArgumentException(
                $"Untake needs a gradient of shape {WithDimension(shape, normalized, taken.Length)} for {taken.Length} indices of shape {shape}, but got shape {g.Shape}.",
                nameof(g));
        }

        var layout = AxisLayout.Of(shape, normalized);
        for (int o = 0; o < layout.Outer; o++)
        {
            for (int k = 0; k < taken.Length; k++)
            {
                var slab = result.Slice(layout.SlabStart(o, taken[k]), layout.Inner);
                TensorPrimitives.Add(slab, g._data.AsSpan(((o * taken.Length) + k) * layout.Inner, layout.Inner), slab);
            }
        }
    }

    /// <summary>
    /// The adjoint of <see cref="Stack"/> for part <paramref name="index"/>: <paramref name="g"/>'s slab at
    /// <paramref name="index"/> along <paramref name="axis"/> (an axis of <paramref name="g"/>, as Stack's), the axis
    /// removed. Used by generated backward passes.
    /// </summary>
    /// <exception cref="ArgumentException">The axis or the index is out of range; the message names the shape.</exception>
    public static Tensor Unstack(Tensor g, int axis, int index)
    {
        ArgumentNullException.ThrowIfNull(g);
        int normalized = g.Shape.NormalizeAxis(axis);
        if ((uint)index >= (uint)g.Shape[normalized])
        {
            throw new ArgumentException(
                $"Unstack index {index} is out of range for axis {axis} of shape {g.Shape}; expected 0 to {g.Shape[normalized] - 1}.", nameof(index));
        }

        return Reshape(Slice(g, normalized, index, 1), g.Shape.ReducedAlong(normalized, keepDims: false));
    }

    /// <summary>
    /// The adjoint of <see cref="Transpose(Tensor, int[])"/>: <paramref name="g"/> with its axes put back, by the inverse
    /// of the permutation <paramref name="axes"/>. Used by generated backward passes.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="axes"/> is not a permutation of <paramref name="g"/>'s axes; the message names it and the shape.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor Untranspose(Tensor g, params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(g);
        var permutation = Permutation(nameof(Untranspose), g.Shape, axes);
        var inverse = new int[permutation.Length];
        for (int i = 0; i < permutation.Length; i++)
        {
            inverse[permutation[i]] = i;
        }

        return Permuted(g, inverse);
    }

    /// <summary>1.0 where <c>a &gt; b</c> and 0.0 elsewhere, broadcasting: a gradient mask. Used by generated backward passes.</summary>
    public static Tensor Greater(Tensor a, Tensor b) => Broadcasting.Apply<MaskOperator<GreaterThan>>(a, b, nameof(Greater));

    /// <summary>1.0 where <c>a &gt; b</c> and 0.0 elsewhere: a gradient mask (for Relu, <c>Greater(x, 0.0)</c>).</summary>
    public static Tensor Greater(Tensor a, double b) => Broadcasting.Apply<MaskOperator<GreaterThan>>(a, b);

    /// <summary>1.0 where <c>a &lt; b</c> and 0.0 elsewhere, broadcasting: a gradient mask. Used by generated backward passes.</summary>
    public static Tensor Less(Tensor a, Tensor b) => Broadcasting.Apply<MaskOperator<LessThan>>(a, b, nameof(Less));

    /// <summary>1.0 where <c>a &lt; b</c> and 0.0 elsewhere: a gradient mask.</summary>
    public static Tensor Less(Tensor a, double b) => Broadcasting.Apply<MaskOperator<LessThan>>(a, b);

    /// <summary>1.0 where <c>a &gt;= b</c> and 0.0 elsewhere, broadcasting: a gradient mask. Used by generated backward passes.</summary>
    public static Tensor GreaterOrEqual(Tensor a, Tensor b) => Broadcasting.Apply<MaskOperator<GreaterThanOrEqual>>(a, b, nameof(GreaterOrEqual));

    /// <summary>1.0 where <c>a &gt;= b</c> and 0.0 elsewhere: a gradient mask.</summary>
    public static Tensor GreaterOrEqual(Tensor a, double b) => Broadcasting.Apply<MaskOperator<GreaterThanOrEqual>>(a, b);

    /// <summary>1.0 where <c>a &lt;= b</c> and 0.0 elsewhere, broadcasting: a gradient mask. Used by generated backward passes.</summary>
    public static Tensor LessOrEqual(Tensor a, Tensor b) => Broadcasting.Apply<MaskOperator<LessThanOrEqual>>(a, b, nameof(LessOrEqual));

    /// <summary>1.0 where <c>a &lt;= b</c> and 0.0 elsewhere: a gradient mask.</summary>
    public static Tensor LessOrEqual(Tensor a, double b) => Broadcasting.Apply<MaskOperator<LessThanOrEqual>>(a, b);

    /// <summary>1.0 where <c>a == b</c> and 0.0 elsewhere: a gradient mask (for Where, <c>Equal(condition, 0.0)</c>).</summary>
    public static Tensor Equal(Tensor a, double b) => Broadcasting.Apply<MaskOperator<EqualTo>>(a, b);

    /// <summary>1.0 where <c>a != b</c> (also where <paramref name="a"/> is NaN) and 0.0 elsewhere: a gradient mask (for Where, <c>NotEqual(condition, 0.0)</c>).</summary>
    public static Tensor NotEqual(Tensor a, double b) => Broadcasting.Apply<MaskOperator<NotEqualTo>>(a, b);

    /// <summary>
    /// 1.0 where <c>min &lt;= x &lt;= max</c> and 0.0 elsewhere (also where any is NaN): the gradient mask of
    /// <see cref="Clip"/>, which passes the gradient at the bounds, as PyTorch's <c>clamp</c>. Used by generated backward passes.
    /// </summary>
    public static Tensor Within(Tensor x, double min, double max) => Map(x, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (values, destination) =>
    {
        for (int i = 0; i < values.Length; i++)
        {
            destination[i] = values[i] >= min && values[i] <= max ? 1.0 : 0.0;
        }
    });

    /// <summary>1.0 where <c>a &gt; b</c>, else 0.0: the gradient mask of <see cref="Math.Max(double, double)"/>'s <paramref name="a"/>. Used by generated backward passes.</summary>
    public static double Greater(double a, double b) => MaskOperator<GreaterThan>.Invoke(a, b);

    /// <summary>1.0 where <c>a &lt; b</c>, else 0.0: the gradient mask of <see cref="Math.Min(double, double)"/>'s <paramref name="a"/>. Used by generated backward passes.</summary>
    public static double Less(double a, double b) => MaskOperator<LessThan>.Invoke(a, b);

    /// <summary>1.0 where <c>a &gt;= b</c>, else 0.0: the gradient mask of <see cref="Math.Min(double, double)"/>'s <paramref name="b"/>. Used by generated backward passes.</summary>
    public static double GreaterOrEqual(double a, double b) => MaskOperator<GreaterThanOrEqual>.Invoke(a, b);

    /// <summary>1.0 where <c>a &lt;= b</c>, else 0.0: the gradient mask of <see cref="Math.Max(double, double)"/>'s <paramref name="b"/>. Used by generated backward passes.</summary>
    public static double LessOrEqual(double a, double b) => MaskOperator<LessThanOrEqual>.Invoke(a, b);

    /// <summary>
    /// The elementwise sign: 1.0 for positive, -1.0 for negative, 0.0 for zero (NaN stays NaN); the derivative of
    /// <see cref="Abs"/> with 0 at 0. Used by generated backward passes.
    /// </summary>
    public static Tensor Sign(Tensor x) => Map(x, [MethodImpl(MethodImplOptions.AggressiveOptimization)] static (values, destination) =>
    {
        for (int i = 0; i < values.Length; i++)
        {
            double v = values[i];
            destination[i] = v > 0.0 ? 1.0 : v < 0.0 ? -1.0 : v == 0.0 ? 0.0 : double.NaN;
        }
    });
}
