// A LayerNorm over rows (samples/Layers/Layers.cs, written in steps: Mean(x, axis: 1, keepDims: true) and so on): the
// generated LayerNormForward + LayerNormBackward against libtorch's torch.nn.functional.layer_norm with autograd,
// float64, the same number of threads, in one process; also the forward alone, and the generated BatchNorm
// (tests/BackpropGen.Benchmarks/BatchNormLayer.cs) against batch_norm, to watch it for regressions. Before each timed
// call: a full collection and a 25 ms pause (so that the other side's spinning worker threads go idle); the two sides
// alternate which goes first; medians. The gradients are checked to agree first.
using System;
using System.Diagnostics;
using System.Linq;
using BackpropGen.Benchmarks;
using Samples.Cs231n;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = BackpropGen.Tensor;

int reps = args.Length > 0 ? int.Parse(args[0]) : 11;
int threads = args.Length > 1 ? int.Parse(args[1]) : 2;
var sizes = args.Length > 2 ? args[2].Split(',').Select(s => s.Split('x').Select(int.Parse).ToArray()).ToArray() : new[] { new[] { 2048, 1024 }, new[] { 8192, 256 } };
torch.set_num_threads(threads);
var rng = new Random(5);
double[] R(int n) => Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
torch.Tensor TT(double[] a, params long[] s) => torch.tensor(a, s, ScalarType.Float64);
double Agree(Tensor ours, torch.Tensor theirs)
{
    var x = ours.ToArray(); var y = theirs.data<double>().ToArray(); double m = 0, s = 0;
    for (int i = 0; i < x.Length; i++) { m = Math.Max(m, Math.Abs(x[i] - y[i])); s = Math.Max(s, Math.Abs(y[i])); }
    return m / Math.Max(s, 1e-300);
}

// minor page faults (fresh pages the kernel maps and zeroes) during the last timed call
long Faults() { var text = System.IO.File.ReadAllText("/proc/self/stat"); return long.Parse(text[(text.LastIndexOf(')') + 2)..].Split(' ')[7]); }
long lastFaults = 0;
double Ms(Action f) { GC.Collect(); GC.WaitForPendingFinalizers(); System.Threading.Thread.Sleep(25); long f0 = Faults(); var sw = Stopwatch.StartNew(); f(); double ms = sw.Elapsed.TotalMilliseconds; lastFaults = Faults() - f0; return ms; }
double Med(double[] v) { var s = v.OrderBy(z => z).ToArray(); return s[s.Length / 2]; }
string Load() => System.IO.File.Exists("/proc/loadavg") ? System.IO.File.ReadAllText("/proc/loadavg").Trim() : "n/a";
bool ok = true;
void Alone(string name, Action gen)
{
    for (int i = 0; i < 40; i++) { gen(); }
    var g = new double[reps];
    for (int r = -2; r < reps; r++) { double a = Ms(gen); if (r >= 0) { g[r] = a; } }
    Console.WriteLine($"  {name,-36} generated {Med(g),8:F2} ms (fastest {g.Min():F2})");
}

void Compare(string name, Action gen, Action tor, double agree)
{
    for (int i = 0; i < 40; i++) { gen(); tor(); }
    System.Threading.Thread.Sleep(500);
    var g = new double[reps]; var t = new double[reps];
    long genFaults = 0, torFaults = 0;
    for (int r = -2; r < reps; r++)
    {
        double a, b; long fa, fb;
        if ((r & 1) == 0) { a = Ms(gen); fa = lastFaults; b = Ms(tor); fb = lastFaults; } else { b = Ms(tor); fb = lastFaults; a = Ms(gen); fa = lastFaults; }
        if (r >= 0) { g[r] = a; t[r] = b; genFaults += fa; torFaults += fb; }
    }

    var ratios = g.Zip(t, (x, y) => x / y).OrderBy(v => v).ToArray();
    Console.WriteLine($"  {name,-36} generated {Med(g),8:F2} ms   libtorch {Med(t),8:F2} ms   ratio of medians {Med(g) / Med(t):F2}; per-run ratios median {Med(ratios):F2} [{ratios[0]:F2}-{ratios[^1]:F2}]{(double.IsNaN(agree) ? "" : $"   agree {agree:E1}")}; page faults per call {genFaults / (double)reps:F0} / {torFaults / (double)reps:F0}");
    if (!double.IsNaN(agree) && !(agree < 1e-9)) { ok = false; Console.WriteLine("  GRADIENTS DISAGREE"); }
}

Console.WriteLine($"float64, {threads} libtorch threads, {Environment.ProcessorCount} cores as .NET sees them; medians of {reps} interleaved runs; load average at start: {Load()}");
const double eps = 1e-5;
foreach (var size in sizes)
{
    int N = size[0], D = size[1];
    double[] xs = R(N * D), gs = R(D), bs = R(D), ds = R(N * D);
    var x = Tensor.FromArray(xs, N, D); var g = Tensor.FromArray(gs, D); var b = Tensor.FromArray(bs, D); var dout = Tensor.FromArray(ds, N, D);
    var xT = TT(xs, N, D); var gT = TT(gs, D); var bT = TT(bs, D); var dT = TT(ds, N, D);
    torch.Tensor[] TorchLn(bool keep)
    {
        using var sc = NewDisposeScope();
        var xx = xT.detach().requires_grad_(true); var gg = gT.detach().requires_grad_(true); var bb = bT.detach().requires_grad_(true);
        var o = nn.functional.layer_norm(xx, new long[] { D }, gg, bb, eps);
        o.backward(new[] { dT });
        return keep ? new[] { xx.grad!, gg.grad!, bb.grad! }.Select(t => t.clone().MoveToOuterDisposeScope()).ToArray() : Array.Empty<torch.Tensor>();
    }

    Tensor[] OurLn()
    {
        var (_, cache) = Layers.LayerNormForward(x, g, b, eps);
        var (dx, dg, db) = Layers.LayerNormBackward(dout, cache);
        return new[] { dx, dg, db };
    }

    var ours = OurLn(); var theirs = TorchLn(true);
    var agree = ours.Zip(theirs, Agree).Max();
    var fusedRan = Layers.LayerNormBackwardFused(dout, Layers.LayerNormForward(x, g, b, eps).Cache) is not null;
    Console.WriteLine($"{N}x{D} (fused backward {(fusedRan ? "ran" : "DID NOT RUN")})");
    Compare("LayerNorm forward + backward", () => OurLn(), () => TorchLn(false), agree);
    Compare("LayerNorm forward", () => Layers.LayerNormForward(x, g, b, eps), () => { using var sc = NewDisposeScope(); nn.functional.layer_norm(xT, new long[] { D }, gT, bT, eps); }, double.NaN);
    var lnCache = Layers.LayerNormForward(x, g, b, eps).Cache;
    Alone("LayerNorm backward alone", () => Layers.LayerNormBackward(dout, lnCache));

    torch.Tensor TorchBn()
    {
        using var sc = NewDisposeScope();
        var xx = xT.detach().requires_grad_(true); var gg = gT.detach().requires_grad_(true); var bb = bT.detach().requires_grad_(true);
        var o = nn.functional.batch_norm(xx, null, null, gg, bb, training: true, momentum: 0.1, eps: eps);
        o.backward(new[] { dT });
        return xx.grad!.clone().MoveToOuterDisposeScope();
    }

    Tensor OurBn() => BatchNormLayer.BatchNormBackward(dout, BatchNormLayer.BatchNormForward(x, g, b, eps).Cache).dx;
    var bnAgree = Agree(OurBn(), TorchBn());
    Compare("BatchNorm forward + backward", () => OurBn(), () => TorchBn().Dispose(), bnAgree);
    var bnCache = BatchNormLayer.BatchNormForward(x, g, b, eps).Cache;
    Alone("BatchNorm backward alone", () => BatchNormLayer.BatchNormBackward(dout, bnCache));
}

Console.WriteLine($"load average at end: {Load()}");
Console.WriteLine(ok ? "gradients agree" : "GRADIENTS DISAGREE");
return ok ? 0 : 1;
