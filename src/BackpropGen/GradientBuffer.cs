using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace BackpropGen;

/// <summary>
/// The gradient of a tensor whose elements a backward reads one by one (<c>x[i, j]</c> in a loop): each read adds its
/// gradient in place, <c>dxElements[i, j] += g;</c>, and the backward takes the sum as a tensor once the reads are done,
/// rather than one tensor of the whole shape per read. Generated code calls it; it is public only for that.
/// </summary>
public sealed class GradientBuffer
{
    // Made at the first read after the buffer starts (or starts again): the flush hands its array to the tensor it
    // returns, so a buffer flushed once, as most are, allocates one array rather than two.
    private double[]? _data;

    private GradientBuffer(TensorShape shape) => Shape = shape;

    private double[] Data => _data ??= new double[Shape.ElementCount];

    /// <summary>The shape of the tensor whose gradient this is.</summary>
    public TensorShape Shape { get; }

    /// <summary>A buffer of zeros of <paramref name="shape"/>.</summary>
    public static GradientBuffer Zeros(TensorShape shape) => new(shape);

    /// <summary>The gradient of the element at <paramref name="index"/> so far.</summary>
    /// <exception cref="ArgumentException">The index does not have one coordinate per dimension.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A coordinate is outside its dimension.</exception>
    public double this[params int[] index]
    {
        get => Data[Tensor.OffsetOf(Shape, index)];
        set => Data[Tensor.OffsetOf(Shape, index)] = value;
    }

    // As the tensor's: one to four coordinates without the array the params form allocates on every access.

    /// <summary>The gradient of element <paramref name="i"/> of a vector so far.</summary>
    public double this[int i]
    {
        get => Data[Tensor.OffsetOf(Shape, i)];
        set => Data[Tensor.OffsetOf(Shape, i)] = value;
    }

    /// <summary>The gradient of element <c>[i, j]</c> of a matrix so far.</summary>
    public double this[int i, int j]
    {
        get => Data[Tensor.OffsetOf(Shape, i, j)];
        set => Data[Tensor.OffsetOf(Shape, i, j)] = value;
    }

    /// <summary>The gradient of element <c>[i, j, k]</c> of a tensor of rank 3 so far.</summary>
    public double this[int i, int j, int k]
    {
        get => Data[Tensor.OffsetOf(Shape, i, j, k)];
        set => Data[Tensor.OffsetOf(Shape, i, j, k)] = value;
    }

    /// <summary>The gradient of element <c>[i, j, k, l]</c> of a tensor of rank 4 so far.</summary>
    public double this[int i, int j, int k, int l]
    {
        get => Data[Tensor.OffsetOf(Shape, i, j, k, l)];
        set => Data[Tensor.OffsetOf(Shape, i, j, k, l)] = value;
    }

    /// <summary>
    /// Adds a whole gradient in place: a backward's sum of the gradients a loop adds to a parameter (<c>dw += …</c> in
    /// every reversed step) grows in one array, not in a new tensor per step. <paramref name="gradient"/> has the
    /// buffer's shape or broadcasts to it.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="gradient"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradient"/>'s shape does not broadcast to the buffer's; the message names both.</exception>
    public void Add(Tensor gradient)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        var whole = Tensor.BroadcastTo(gradient, Shape);
        TensorPrimitives.Add(Data, whole.AsSpan(), Data);
    }

    /// <summary>
    /// Adds <c>aᵀ · b</c> (<c>Tensor.DotTransposeA(a, b)</c>) in place, the product written straight into the sum: a
    /// weight's gradient summed over a loop's steps without a product tensor a step.
    /// </summary>
    /// <exception cref="ArgumentException">The operands are not matrices <c>[K, M]</c> and <c>[K, N]</c>, or the product does not broadcast to the buffer's shape; the message names the shapes.</exception>
    public void AddDotTransposeA(Tensor a, Tensor b) => AddProduct(nameof(AddDotTransposeA), a, transposeA: true, b, transposeB: false);

    /// <summary>Adds <c>a · bᵀ</c> (<c>Tensor.DotTransposeB(a, b)</c>) in place, as <see cref="AddDotTransposeA"/> does.</summary>
    /// <exception cref="ArgumentException">The operands are not matrices <c>[M, K]</c> and <c>[N, K]</c>, or the product does not broadcast to the buffer's shape; the message names the shapes.</exception>
    public void AddDotTransposeB(Tensor a, Tensor b) => AddProduct(nameof(AddDotTransposeB), a, transposeA: false, b, transposeB: true);

    /// <summary>
    /// Adds <c>Tensor.Unslice(g, axis, start, shape)</c> in place: <paramref name="g"/> into the part of the sum that
    /// <c>Slice(…, axis, start, …)</c> took it from, without a tensor of the whole shape of zeros around it (an LSTM's
    /// weights, sliced by layer in a loop, get each layer's gradient this way every step).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="g"/> does not fit <paramref name="shape"/> but for the axis, the slice does not fit it, or <paramref name="shape"/> does not broadcast to the buffer's; the message names the shapes.</exception>
    public void AddUnsliced(Tensor g, int axis, int start, TensorShape shape)
    {
        if (shape != Shape)
        {
            // A slice of a shape that broadcasts to the buffer's: made, then added.
            Add(Tensor.Unslice(g, axis, start, shape));
            return;
        }

        Tensor.AddUnsliced(Data, g, axis, start, shape);
    }

    /// <summary>
    /// Adds <c>Tensor.Untake(g, indices, axis, shape)</c> in place: each slab of <paramref name="g"/> into the slab of the
    /// sum at its index, without a tensor of the whole shape around them (an embedding table's gradient, a few rows of
    /// it a step, summed over a sequence).
    /// </summary>
    /// <exception cref="ArgumentException">The axis or an index is out of range, <paramref name="g"/> does not have one slab per index, or <paramref name="shape"/> does not broadcast to the buffer's; the message names the shapes.</exception>
    public void AddUntaken(Tensor g, int[] indices, int axis, TensorShape shape)
    {
        if (shape != Shape)
        {
            // Taken from a shape that broadcasts to the buffer's: made, then added.
            Add(Tensor.Untake(g, indices, axis, shape));
            return;
        }

        Tensor.AddTaken(Data, g, indices, axis, shape);
    }

    /// <summary>
    /// Adds <c>Tensor.SumProductTo(a, b, shape)</c> in place: the products summed straight into the sum when
    /// <paramref name="a"/> and <paramref name="b"/> have one shape and the buffer's is it or its trailing row (a
    /// gradient <c>dx += SumProductTo(g, y, x.Shape)</c> added every step, no product tensor a step).
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast as <c>SumProductTo</c> needs; the message names them.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddSumProductTo(Tensor a, Tensor b, TensorShape shape)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Shape != b.Shape || !SumsRowsOf(a.Shape, shape))
        {
            Add(Tensor.SumProductTo(a, b, shape));
            return;
        }

        // The product rounded before each addition, as SumProductTo rounds it; the rows added into the sum one by one.
        var data = Data.AsSpan();
        ReadOnlySpan<double> x = a.AsSpan(), y = b.AsSpan();
        for (int at = 0; at < x.Length; at += data.Length)
        {
            Tensor.MultiplyAddRow(x.Slice(at, data.Length), y.Slice(at, data.Length), data);
        }
    }

    /// <summary>
    /// Adds <c>Tensor.SumTo(g, shape)</c> in place: the rows of <paramref name="g"/> added straight into the sum when the
    /// buffer's shape is <paramref name="shape"/> and its trailing row (a bias's gradient, <c>db += SumTo(g, b.Shape)</c>
    /// every step, without the row tensor a step); <paramref name="g"/> itself when it has the buffer's shape.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="shape"/> does not broadcast to <paramref name="g"/>'s, or not to the buffer's; the message names the shapes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddSumTo(Tensor g, TensorShape shape)
    {
        ArgumentNullException.ThrowIfNull(g);
        if (!SumsRowsOf(g.Shape, shape))
        {
            Add(Tensor.SumTo(g, shape));
            return;
        }

        var data = Data.AsSpan();
        var rows = g.AsSpan();
        for (int at = 0; at < rows.Length; at += data.Length)
        {
            TensorPrimitives.Add(data, rows.Slice(at, data.Length), data);
        }
    }

    /// <summary>
    /// Whether a sum of an operand of shape <paramref name="operand"/> to <paramref name="shape"/> goes into this buffer
    /// row by row: <paramref name="shape"/> is the buffer's, not empty, and a trailing run of the operand's (a row of
    /// it, or the whole of it), so each of the operand's runs of the buffer's length adds to the whole buffer.
    /// </summary>
    private bool SumsRowsOf(TensorShape operand, TensorShape shape) =>
        shape == Shape && shape.Rank <= operand.Rank && shape.ElementCount > 0 && Broadcasting.IsTrailingRun(shape, operand);

    /// <summary>Adds <c>Tensor.Full(value, shape)</c> in place: <paramref name="value"/> to every element, when <paramref name="shape"/> is the buffer's.</summary>
    /// <exception cref="ArgumentException"><paramref name="shape"/> does not broadcast to the buffer's; the message names both.</exception>
    public void AddFull(double value, TensorShape shape)
    {
        if (shape != Shape)
        {
            Add(Tensor.Full(value, shape));
            return;
        }

        TensorPrimitives.Add(Data, value, Data);
    }

    private void AddProduct(string operation, Tensor a, bool transposeA, Tensor b, bool transposeB)
    {
        var (m, k, n) = Tensor.ProductDimensions(operation, a, transposeA, b, transposeB);
        if (Shape != new TensorShape(m, n))
        {
            // A product that broadcasts to the buffer (a row added to every row): made, then added.
            Add(transposeA ? Tensor.DotTransposeA(a, b) : Tensor.DotTransposeB(a, b));
            return;
        }

        Kernels.Gemm.Multiply(transposeA, transposeB, m, n, k, a.Elements, 0, b.Elements, 0, Data, 0, accumulate: true, Kernels.Gemm.ThreadsFor(m, n, k), Kernels.Gemm.Widest);
    }

    /// <summary>The gradient added so far as a tensor; the buffer starts again from zeros.</summary>
    public Tensor Flush()
    {
        var gradient = new Tensor(Data, Shape);
        _data = null;
        return gradient;
    }
}
