using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace BackpropGen.Kernels;

/// <summary>
/// The innermost step of <see cref="Gemm"/>: one <c>Rows</c> × <c>Columns</c> tile of the product, accumulated in
/// registers over a packed micro-panel of A (<c>Rows</c> values per depth step) and one of B (<c>Columns</c> values per
/// depth step).
/// </summary>
/// <remarks>
/// Every kernel sums each tile element over the depth in order, one multiply-add per step starting from zero, and then
/// stores the sum or adds it to the element once; an element's bits therefore depend only on the kernel and the depth
/// blocking, never on where its tile lies, which is what keeps the product identical whatever the thread partition.
/// Implemented by structs so that <see cref="Gemm"/>'s generic driver is compiled once per kernel with the tile size
/// as constants. The vector kernels are written out once per width rather than once over a generic vector: the
/// interface that would allow it (<c>ISimdVector</c>) is not public in .NET 8, which the runtime targets.
/// </remarks>
internal interface IMicroKernel
{
    /// <summary>MR: the rows of a tile, and the values per depth step in a packed micro-panel of A.</summary>
    static abstract int Rows { get; }

    /// <summary>NR: the columns of a tile, and the values per depth step in a packed micro-panel of B.</summary>
    static abstract int Columns { get; }

    /// <summary>
    /// Computes <c>tile[r, c] = Σ_p a[p * Rows + r] * b[p * bDepthStride + c]</c> over <paramref name="depth"/> steps and
    /// stores it into the tile at <paramref name="tile"/> (rows <paramref name="rowStride"/> apart), or adds it to what
    /// is there when <paramref name="accumulate"/>. The whole tile must lie in the destination. A packed micro-panel of B
    /// has <paramref name="bDepthStride"/> = <c>Columns</c>; a B read in place as stored, its row length.
    /// </summary>
    static abstract void Multiply(int depth, ref double a, ref double b, nint bDepthStride, ref double tile, nint rowStride, bool accumulate);
}

/// <summary>Which micro-kernel a product runs on: a scalar one or one per vector width.</summary>
internal enum MicroKernelWidth
{
    Scalar,
    Vector128,
    Vector256,
    Vector512,
}

/// <summary>8 × 16 on <see cref="Vector512{T}"/>: 16 accumulators, 2 loads of B and a broadcast of A, of 32 registers.</summary>
/// <remarks>Not measured on the project's machine (no AVX-512 there); a wider tile would use more of the 32 registers.</remarks>
internal readonly struct Vector512Kernel : IMicroKernel
{
    public static int Rows => 8;

    public static int Columns => 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(int depth, ref double a, ref double b, nint bDepthStride, ref double tile, nint rowStride, bool accumulate)
    {
        Vector512<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default,
            c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < depth; p++)
        {
            var b0 = Vector512.LoadUnsafe(ref b);
            var b1 = Vector512.LoadUnsafe(ref b, 8);
            var ai = Vector512.Create(a);
            c00 = MultiplyAdd(ai, b0, c00);
            c01 = MultiplyAdd(ai, b1, c01);
            ai = Vector512.Create(Unsafe.Add(ref a, 1));
            c10 = MultiplyAdd(ai, b0, c10);
            c11 = MultiplyAdd(ai, b1, c11);
            ai = Vector512.Create(Unsafe.Add(ref a, 2));
            c20 = MultiplyAdd(ai, b0, c20);
            c21 = MultiplyAdd(ai, b1, c21);
            ai = Vector512.Create(Unsafe.Add(ref a, 3));
            c30 = MultiplyAdd(ai, b0, c30);
            c31 = MultiplyAdd(ai, b1, c31);
            ai = Vector512.Create(Unsafe.Add(ref a, 4));
            c40 = MultiplyAdd(ai, b0, c40);
            c41 = MultiplyAdd(ai, b1, c41);
            ai = Vector512.Create(Unsafe.Add(ref a, 5));
            c50 = MultiplyAdd(ai, b0, c50);
            c51 = MultiplyAdd(ai, b1, c51);
            ai = Vector512.Create(Unsafe.Add(ref a, 6));
            c60 = MultiplyAdd(ai, b0, c60);
            c61 = MultiplyAdd(ai, b1, c61);
            ai = Vector512.Create(Unsafe.Add(ref a, 7));
            c70 = MultiplyAdd(ai, b0, c70);
            c71 = MultiplyAdd(ai, b1, c71);
            a = ref Unsafe.Add(ref a, 8);
            b = ref Unsafe.Add(ref b, bDepthStride);
        }

        StoreRow(ref tile, c00, c01, accumulate);
        StoreRow(ref Unsafe.Add(ref tile, rowStride), c10, c11, accumulate);
        StoreRow(ref Unsafe.Add(ref tile, 2 * rowStride), c20, c21, accumulate);
        StoreRow(ref Unsafe.Add(ref tile, 3 * rowStride), c30, c31, accumulate);
        StoreRow(ref Unsafe.Add(ref tile, 4 * rowStride), c40, c41, accumulate);
        StoreRow(ref Unsafe.Add(ref tile, 5 * rowStride), c50, c51, accumulate);
        StoreRow(ref Unsafe.Add(ref tile, 6 * rowStride), c60, c61, accumulate);
        StoreRow(ref Unsafe.Add(ref tile, 7 * rowStride), c70, c71, accumulate);
    }

    // Fused where the hardware fuses; a multiply and an add elsewhere (only reached when the kernel is forced, in tests).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> MultiplyAdd(Vector512<double> left, Vector512<double> right, Vector512<double> addend) =>
        Avx512F.IsSupported ? Avx512F.FusedMultiplyAdd(left, right, addend) : (left * right) + addend;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(ref double row, Vector512<double> left, Vector512<double> right, bool accumulate)
    {
        if (accumulate)
        {
            left += Vector512.LoadUnsafe(ref row);
            right += Vector512.LoadUnsafe(ref row, 8);
        }

        left.StoreUnsafe(ref row);
        right.StoreUnsafe(ref row, 8);
    }
}

/// <summary>
/// 6 × 8 on <see cref="Vector256{T}"/>: 12 accumulators, 2 loads of B and a broadcast of A, of AVX2's 16 registers
/// (BLIS's Haswell/Zen double-precision shape).
/// </summary>
internal readonly struct Vector256Kernel : IMicroKernel
{
    public static int Rows => 6;

    public static int Columns => 8;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(int depth, ref double a, ref double b, nint bDepthStride, ref double tile, nint rowStride, bool accumulate)
    {
        Vector256<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < depth; p++)
        {
            var b0 = Vector256.LoadUnsafe(ref b);
            var b1 = Vector256.LoadUnsafe(ref b, 4);
            var ai = Vector256.Create(a);
            c00 = MultiplyAdd(ai, b0, c00);
            c01 = MultiplyAdd(ai, b1, c01);
            ai = Vector256.Create(Unsafe.Add(ref a, 1));
            c10 = MultiplyAdd(ai, b0, c10);
            c11 = MultiplyAdd(ai, b1, c11);
            ai = Vector256.Create(Unsafe.Add(ref a, 2));
            c20 = MultiplyAdd(ai, b0, c20);
            c21 = MultiplyAdd(ai, b1, c21);
            ai = Vector256.Create(Unsafe.Add(ref a, 3));
            c30 = MultiplyAdd(ai, b0, c30);
            c31 = MultiplyAdd(ai, b1, c31);
            ai = Vector256.Create(Unsafe.Add(ref a, 4));
            c40 = MultiplyAdd(ai, b0, c40);
            c41 = MultiplyAdd(ai, b1, c41);
            ai = Vector256.Create(Unsafe.Add(ref a, 5));
            c50 = MultiplyAdd(ai, b0, c50);
            c51 = MultiplyAdd(ai, b1, c51);
            a = ref Unsafe.Add(ref a, 6);
            b = ref Unsafe.Add(ref b, bDepthStride);
        }

        StoreRow(ref tile, c00, c01, accumulate);
        StoreRow(ref Unsafe.Add(ref tile, rowStride), c10, c11, accumulate);
        StoreRow(ref Unsafe.Add(ref tile, 2 * rowStride), c20, c21, accumulate);
        StoreRow(ref Unsafe.Add(ref tile, 3 * rowStride), c30, c31, accumulate);
        StoreRow(ref Unsafe.Add(ref tile, 4 * rowStride), c40, c41, accumulate);
        StoreRow(ref Unsafe.Add(ref tile, 5 * rowStride), c50, c51, accumulate);
    }

    // FMA3 on x86; a multiply and an add on AVX-only processors (and wherever Vector256 is emulated).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> MultiplyAdd(Vector256<double> left, Vector256<double> right, Vector256<double> addend) =>
        Fma.IsSupported ? Fma.MultiplyAdd(left, right, addend) : (left * right) + addend;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(ref double row, Vector256<double> left, Vector256<double> right, bool accumulate)
    {
        if (accumulate)
        {
            left += Vector256.LoadUnsafe(ref row);
            right += Vector256.LoadUnsafe(ref row, 4);
        }

        left.StoreUnsafe(ref row);
        right.StoreUnsafe(ref row, 4);
    }
}

/// <summary>6 × 4 on <see cref="Vector128{T}"/>: 12 accumulators of SSE's 16 registers (NEON has 32).</summary>
internal readonly struct Vector128Kernel : IMicroKernel
{
    public static int Rows => 6;

    public static int Columns => 4;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(int depth, ref double a, ref double b, nint bDepthStride, ref double tile, nint rowStride, bool accumulate)
    {
        Vector128<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < depth; p++)
        {
            var b0 = Vector128.LoadUnsafe(ref b);
            var b1 = Vector128.LoadUnsafe(ref b, 2);
            var ai = Vector128.Create(a);
            c00 = MultiplyAdd(ai, b0, c00);
            c01 = MultiplyAdd(ai, b1, c01);
            ai = Vector128.Create(Unsafe.Add(ref a, 1));
            c10 = MultiplyAdd(ai, b0, c10);
            c11 = MultiplyAdd(ai, b1, c11);
            ai = Vector128.Create(Unsafe.Add(ref a, 2));
            c20 = MultiplyAdd(ai, b0, c20);
            c21 = MultiplyAdd(ai, b1, c21);
            ai = Vector128.Create(Unsafe.Add(ref a, 3));
            c30 = MultiplyAdd(ai, b0, c30);
            c31 = MultiplyAdd(ai, b1, c31);
            ai = Vector128.Create(Unsafe.Add(ref a, 4));
            c40 = MultiplyAdd(ai, b0, c40);
            c41 = MultiplyAdd(ai, b1, c41);
            ai = Vector128.Create(Unsafe.Add(ref a, 5));
            c50 = MultiplyAdd(ai, b0, c50);
            c51 = MultiplyAdd(ai, b1, c51);
            a = ref Unsafe.Add(ref a, 6);
            b = ref Unsafe.Add(ref b, bDepthStride);
        }

        StoreRow(ref tile, c00, c01, accumulate);
        StoreRow(ref Unsafe.Add(ref tile, rowStride), c10, c11, accumulate);
        StoreRow(ref Unsafe.Add(ref tile, 2 * rowStride), c20, c21, accumulate);
        StoreRow(ref Unsafe.Add(ref tile, 3 * rowStride), c30, c31, accumulate);
        StoreRow(ref Unsafe.Add(ref tile, 4 * rowStride), c40, c41, accumulate);
        StoreRow(ref Unsafe.Add(ref tile, 5 * rowStride), c50, c51, accumulate);
    }

    // FMA3 on x86, FMLA on Arm64; a multiply and an add on SSE-only processors.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> MultiplyAdd(Vector128<double> left, Vector128<double> right, Vector128<double> addend)
    {
        if (Fma.IsSupported)
        {
            return Fma.MultiplyAdd(left, right, addend);
        }

        if (AdvSimd.Arm64.IsSupported)
        {
            return AdvSimd.Arm64.FusedMultiplyAdd(addend, left, right);
        }

        return (left * right) + addend;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(ref double row, Vector128<double> left, Vector128<double> right, bool accumulate)
    {
        if (accumulate)
        {
            left += Vector128.LoadUnsafe(ref row);
            right += Vector128.LoadUnsafe(ref row, 2);
        }

        left.StoreUnsafe(ref row);
        right.StoreUnsafe(ref row, 2);
    }
}

/// <summary>4 × 4 in scalar registers: the portable fallback where no vector width is hardware accelerated.</summary>
internal readonly struct ScalarKernel : IMicroKernel
{
    public static int Rows => 4;

    public static int Columns => 4;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(int depth, ref double a, ref double b, nint bDepthStride, ref double tile, nint rowStride, bool accumulate)
    {
        double c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0,
            c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0; p < depth; p++)
        {
            double b0 = b, b1 = Unsafe.Add(ref b, 1), b2 = Unsafe.Add(ref b, 2), b3 = Unsafe.Add(ref b, 3);
            double ai = a;
            c00 += ai * b0;
            c01 += ai * b1;
            c02 += ai * b2;
            c03 += ai * b3;
            ai = Unsafe.Add(ref a, 1);
            c10 += ai * b0;
            c11 += ai * b1;
            c12 += ai * b2;
            c13 += ai * b3;
            ai = Unsafe.Add(ref a, 2);
            c20 += ai * b0;
            c21 += ai * b1;
            c22 += ai * b2;
            c23 += ai * b3;
            ai = Unsafe.Add(ref a, 3);
            c30 += ai * b0;
            c31 += ai * b1;
            c32 += ai * b2;
            c33 += ai * b3;
            a = ref Unsafe.Add(ref a, 4);
            b = ref Unsafe.Add(ref b, bDepthStride);
        }

        StoreRow(ref tile, c00, c01, c02, c03, accumulate);
        StoreRow(ref Unsafe.Add(ref tile, rowStride), c10, c11, c12, c13, accumulate);
        StoreRow(ref Unsafe.Add(ref tile, 2 * rowStride), c20, c21, c22, c23, accumulate);
        StoreRow(ref Unsafe.Add(ref tile, 3 * rowStride), c30, c31, c32, c33, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(ref double row, double c0, double c1, double c2, double c3, bool accumulate)
    {
        if (accumulate)
        {
            c0 += row;
            c1 += Unsafe.Add(ref row, 1);
            c2 += Unsafe.Add(ref row, 2);
            c3 += Unsafe.Add(ref row, 3);
        }

        row = c0;
        Unsafe.Add(ref row, 1) = c1;
        Unsafe.Add(ref row, 2) = c2;
        Unsafe.Add(ref row, 3) = c3;
    }
}
