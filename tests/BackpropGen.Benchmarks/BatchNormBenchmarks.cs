using System;
using System.Collections.Generic;
using System.Globalization;
using BenchmarkDotNet.Attributes;

namespace BackpropGen.Benchmarks;

/// <summary>
/// BatchNorm at N×D, side by side in one run: the generated forward and backward, the seed's naive backward on the same
/// Tensor operations, and the hand-fused closed form (serial and parallel). Every backward starts from its own cache,
/// built once per size, and allocates its results as the real thing would.
/// </summary>
[MemoryDiagnoser]
public class BatchNormBenchmarks
{
    /// <summary>Set (to anything) by <c>-- quick</c>; an environment variable so that BenchmarkDotNet's child processes see it too.</summary>
    public const string QuickVariable = "BPG_BENCH_QUICK";

    private const double Eps = 1e-5;

    private Tensor _x = null!, _gamma = null!, _beta = null!, _dout = null!;
    private double[] _doutArray = null!;
    private BatchNormLayer.BatchNormCache _generatedCache = null!;
    private SeedNaiveBackward.SeedCache _seedCache = null!;
    private HandFusedBackward.ClosedFormCache _closedFormCache = null!;
    private RecomputingFusedBackward.InputCache _inputCache = null!;

    /// <summary>N×D, shown as <c>2048x1024</c> and ordered by element count in the tables.</summary>
    [ParamsSource(nameof(Sizes))]
    public BatchNormSize Size { get; set; } = new(64, 64);

    public static IEnumerable<BatchNormSize> Sizes() =>
        Environment.GetEnvironmentVariable(QuickVariable) is null
            ? [new(64, 64), new(256, 256), new(1024, 512), new(2048, 1024), new(4096, 1024)]
            : [new(64, 64), new(2048, 1024)];

    [GlobalSetup]
    public void Setup()
    {
        var (n, d) = (Size.N, Size.D);
        _x = (Tensor.RandomNormal(seed: 1, n, d) * 3.0) + 2.0;
        _gamma = Tensor.RandomNormal(seed: 2, d);
        _beta = Tensor.RandomNormal(seed: 3, d);
        _dout = Tensor.RandomNormal(seed: 4, n, d);
        _doutArray = _dout.ToArray();
        _generatedCache = BatchNormLayer.BatchNormForward(_x, _gamma, _beta, Eps).Cache;
        _seedCache = SeedNaiveBackward.Forward(_x, _gamma, _beta, Eps).Cache;
        _closedFormCache = HandFusedBackward.CacheOf(_seedCache.Xhat, _gamma, _seedCache.Ivar);
        _inputCache = RecomputingFusedBackward.CacheOf(_x, _gamma, Eps);
    }

    [Benchmark(Description = "forward (generated)")]
    public Tensor Forward() => BatchNormLayer.BatchNormForward(_x, _gamma, _beta, Eps).Out;

    [Benchmark(Baseline = true, Description = "backward (generated)")]
    public Tensor GeneratedBackward() => BatchNormLayer.BatchNormBackward(_dout, _generatedCache).dx;

    [Benchmark(Description = "backward (generated, step by step)")]
    public Tensor GeneratedSteps() => BatchNormLayer.BatchNormBackwardSteps(_dout, _generatedCache).dx;

    [Benchmark(Description = "backward (hand-written, the generated passes)")]
    public double[] HandWrittenGeneratedPasses() => RecomputingFusedBackward.Backward(_doutArray, _inputCache).dx;

    [Benchmark(Description = "backward (seed naive, Tensor ops)")]
    public Tensor SeedNaive() => SeedNaiveBackward.Backward(_dout, _seedCache).dx;

    [Benchmark(Description = "backward (hand-fused)")]
    public double[] HandFused() => HandFusedBackward.Backward(_doutArray, _closedFormCache, parallel: false).dx;

    [Benchmark(Description = "backward (hand-fused, parallel)")]
    public double[] HandFusedParallel() => HandFusedBackward.Backward(_doutArray, _closedFormCache, parallel: true).dx;
}

/// <summary>A BatchNorm input size, N rows of D features.</summary>
public sealed record BatchNormSize(int N, int D) : IComparable<BatchNormSize>, IComparable
{
    public int CompareTo(BatchNormSize? other) =>
        other is null ? 1 : ((long)N * D).CompareTo((long)other.N * other.D) is var byCount and not 0 ? byCount : N.CompareTo(other.N);

    public int CompareTo(object? obj) => CompareTo(obj as BatchNormSize);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{N}x{D}");
}
