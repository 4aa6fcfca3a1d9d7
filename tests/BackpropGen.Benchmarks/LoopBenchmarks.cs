using BackpropGen.Tests.EndToEnd;
using BenchmarkDotNet.Attributes;

namespace BackpropGen.Benchmarks;

/// <summary>
/// Issue #13: a Monte Carlo European call, 10,000 paths × 252 steps, its delta and vega. The plain pricing run (the
/// [Differentiable] method called directly) is the baseline; then the generated forward and backward, and the
/// hand-written adjoints (<see cref="HandAdjointEuropeanCall"/>).
/// </summary>
[MemoryDiagnoser]
public class MonteCarloBenchmarks
{
    private double[] _z = null!;
    private LoopLayers.EuropeanCallCache _cache = null!;

    [GlobalSetup]
    public void Setup()
    {
        _z = LoopInputs.Normals();
        _cache = LoopLayers.EuropeanCallForward(LoopInputs.S0, LoopInputs.Vol, LoopInputs.Rate, LoopInputs.Strike, _z, LoopInputs.Paths, LoopInputs.Steps).Cache;
    }

    [Benchmark(Baseline = true, Description = "call: plain pricing run")]
    public double Plain() => LoopLayers.EuropeanCall(LoopInputs.S0, LoopInputs.Vol, LoopInputs.Rate, LoopInputs.Strike, _z, LoopInputs.Paths, LoopInputs.Steps);

    [Benchmark(Description = "call: generated forward + backward")]
    public double Generated()
    {
        var (_, cache) = LoopLayers.EuropeanCallForward(LoopInputs.S0, LoopInputs.Vol, LoopInputs.Rate, LoopInputs.Strike, _z, LoopInputs.Paths, LoopInputs.Steps);
        return LoopLayers.EuropeanCallBackward(1.0, cache).dvol;
    }

    [Benchmark(Description = "call: generated backward alone")]
    public double GeneratedBackward() => LoopLayers.EuropeanCallBackward(1.0, _cache).dvol;

    [Benchmark(Description = "call: hand adjoint, steps reversed")]
    public double Hand()
    {
        var (_, tape) = HandAdjointEuropeanCall.Forward(LoopInputs.S0, LoopInputs.Vol, LoopInputs.Rate, LoopInputs.Strike, _z, LoopInputs.Paths, LoopInputs.Steps);
        return HandAdjointEuropeanCall.Backward(1.0, tape).Vega;
    }

    [Benchmark(Description = "call: hand adjoint, steps folded")]
    public double HandFolded()
    {
        var (_, tape) = HandAdjointEuropeanCall.Forward(LoopInputs.S0, LoopInputs.Vol, LoopInputs.Rate, LoopInputs.Strike, _z, LoopInputs.Paths, LoopInputs.Steps, sums: true);
        return HandAdjointEuropeanCall.BackwardFolded(1.0, tape).Vega;
    }
}

/// <summary>Issue #13: RK4 over 10,000 steps; the generated forward (with its tape) is the baseline of the backward.</summary>
[MemoryDiagnoser]
public class Rk4Benchmarks
{
    private LoopLayers.Rk4Cache _cache = null!;

    [GlobalSetup]
    public void Setup() => _cache = LoopLayers.Rk4Forward(LoopInputs.Rk4Y, LoopInputs.Rk4K, LoopInputs.Rk4Steps).Cache;

    [Benchmark(Description = "rk4: plain run")]
    public double Plain() => LoopLayers.Rk4(LoopInputs.Rk4Y, LoopInputs.Rk4K, LoopInputs.Rk4Steps);

    [Benchmark(Baseline = true, Description = "rk4: generated forward")]
    public double Forward() => LoopLayers.Rk4Forward(LoopInputs.Rk4Y, LoopInputs.Rk4K, LoopInputs.Rk4Steps).Out;

    [Benchmark(Description = "rk4: generated backward")]
    public double Backward() => LoopLayers.Rk4Backward(1.0, _cache).dk;
}

/// <summary>Issue #13: an RNN of 50 steps, batch 64, 128 → 256; libtorch's side is in <c>tests/peers/vs-torch-rnn</c>.</summary>
[MemoryDiagnoser]
public class RnnBenchmarks
{
    private (Tensor H0, Tensor Wx, Tensor Wh, Tensor B, Tensor[] Xs) _in;
    private RnnLayer.RnnCache _cache = null!;

    [GlobalSetup]
    public void Setup()
    {
        _in = LoopInputs.Rnn();
        _cache = RnnLayer.RnnForward(_in.H0, _in.Wx, _in.Wh, _in.B, _in.Xs).Cache;
    }

    [Benchmark(Baseline = true, Description = "rnn: generated forward")]
    public double Forward() => RnnLayer.RnnForward(_in.H0, _in.Wx, _in.Wh, _in.B, _in.Xs).Out;

    [Benchmark(Description = "rnn: generated backward")]
    public Tensor Backward() => RnnLayer.RnnBackward(1.0, _cache).dwh;

    [Benchmark(Description = "rnn: generated forward + backward")]
    public Tensor Step()
    {
        var (_, cache) = RnnLayer.RnnForward(_in.H0, _in.Wx, _in.Wh, _in.B, _in.Xs);
        return RnnLayer.RnnBackward(1.0, cache).dwh;
    }
}
