// The RNN of issue #13 (50 steps, batch 64, 128 -> 256, h = tanh(x_t Wx + h Wh + b), loss = sum of the last h): the
// generated RnnForward + RnnBackward against libtorch's autograd on the same loop, float64, the same number of threads,
// in one process. Before each timed call: a full collection and a 25 ms pause (so that the other side's spinning worker
// threads go idle); the two sides alternate; medians. The four gradients are checked to agree first.
using System;
using System.Diagnostics;
using System.Linq;
using BackpropGen.Benchmarks;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = BackpropGen.Tensor;

int reps = args.Length > 0 ? int.Parse(args[0]) : 11;
int threads = args.Length > 1 ? int.Parse(args[1]) : 2;
torch.set_num_threads(threads);
var (h0, wx, wh, b, xs) = LoopInputs.Rnn();
torch.Tensor TT(Tensor t) => torch.tensor(t.ToArray(), t.Shape.ToArray().Select(d => (long)d).ToArray(), ScalarType.Float64);
var h0T = TT(h0); var wxT = TT(wx); var whT = TT(wh); var bT = TT(b); var xsT = xs.Select(TT).ToArray();

torch.Tensor[] Torch(bool keep)
{
    using var scope = NewDisposeScope();
    var h = h0T.detach().requires_grad_(true); var a = wxT.detach().requires_grad_(true); var c = whT.detach().requires_grad_(true); var d = bT.detach().requires_grad_(true);
    var s = h;
    for (int t = 0; t < xsT.Length; t++)
    {
        s = torch.tanh(xsT[t].mm(a) + s.mm(c) + d);
    }

    s.sum().backward();
    return keep ? new[] { h.grad!, a.grad!, c.grad!, d.grad! }.Select(g => g.clone().MoveToOuterDisposeScope()).ToArray() : Array.Empty<torch.Tensor>();
}

Tensor[] Generated()
{
    var (_, cache) = RnnLayer.RnnForward(h0, wx, wh, b, xs);
    var (dh, dwx, dwh, db) = RnnLayer.RnnBackward(1.0, cache);
    return new[] { dh, dwx, dwh, db };
}

// The same run's matrix products alone (forward: x_t Wx, h Wh; backward: x_tᵀ d, hᵀ d, d Whᵀ), 50 times each, results
// dropped: what of each side's time is its products and what is the rest (elementwise steps, allocation, the tape).
var d0 = Tensor.RandomNormal(9, LoopInputs.RnnBatch, LoopInputs.RnnHidden); var d0T = TT(d0); var hT = TT(Tensor.Tanh(d0));
var hh = Tensor.Tanh(d0);
void OurProducts()
{
    for (int t = 0; t < xs.Length; t++)
    {
        GC.KeepAlive(Tensor.Dot(xs[t], wx)); GC.KeepAlive(Tensor.Dot(hh, wh));
        GC.KeepAlive(Tensor.DotTransposeA(xs[t], d0)); GC.KeepAlive(Tensor.DotTransposeA(hh, d0)); GC.KeepAlive(Tensor.DotTransposeB(d0, wh));
    }
}

void TorchProducts()
{
    using var scope = NewDisposeScope();
    for (int t = 0; t < xsT.Length; t++)
    {
        xsT[t].mm(wxT).Dispose(); hT.mm(whT).Dispose();
        xsT[t].t().mm(d0T).Dispose(); hT.t().mm(d0T).Dispose(); d0T.mm(whT.t()).Dispose();
    }
}

double Agree(Tensor ours, torch.Tensor theirs)
{
    var x = ours.ToArray(); var y = theirs.data<double>().ToArray(); double m = 0, s = 0;
    for (int i = 0; i < x.Length; i++) { m = Math.Max(m, Math.Abs(x[i] - y[i])); s = Math.Max(s, Math.Abs(y[i])); }
    return m / Math.Max(s, 1e-300);
}

var names = new[] { "dh0", "dWx", "dWh", "db" };
var ours = Generated(); var theirs = Torch(true);
var agreement = ours.Zip(theirs, Agree).ToArray();
Console.WriteLine("gradients, largest difference relative to libtorch's largest element: " + string.Join(", ", names.Zip(agreement, (n, a) => $"{n} {a:E1}")));

// minor page faults (fresh pages the kernel maps and zeroes) and GC pauses, summed over the timed calls of each side
long Faults() { var text = System.IO.File.ReadAllText("/proc/self/stat"); return long.Parse(text[(text.LastIndexOf(')') + 2)..].Split(' ')[7]); }
long faults = 0; double pauses = 0;
double Ms(Action f)
{
    GC.Collect(); GC.WaitForPendingFinalizers(); System.Threading.Thread.Sleep(25);
    long f0 = Faults(); var p0 = GC.GetTotalPauseDuration(); var sw = Stopwatch.StartNew(); f(); double ms = sw.Elapsed.TotalMilliseconds;
    faults += Faults() - f0; pauses += (GC.GetTotalPauseDuration() - p0).TotalMilliseconds;
    return ms;
}
(long Faults, double Pauses) Take() { var r = (faults, pauses); faults = 0; pauses = 0; return r; }
double Med(double[] v) { var s = v.OrderBy(z => z).ToArray(); return s[s.Length / 2]; }
string Load() => System.IO.File.Exists("/proc/loadavg") ? System.IO.File.ReadAllText("/proc/loadavg").Trim() : "n/a";
// Warm up: RnnForward and RnnBackward have loops, so they start on tier-0 code with on-stack replacement and are
// recompiled fully optimized only after 30 calls and a pause of the JIT's background queue.
// (with tiered PGO, through an instrumented tier first: two phases)
for (int phase = 0; phase < 2; phase++)
{
    for (int i = 0; i < 35; i++) { Generated(); Torch(false); OurProducts(); TorchProducts(); }
    System.Threading.Thread.Sleep(1000);
}
Console.WriteLine($"load average at start: {Load()}");
var g = new double[reps]; var tt = new double[reps];
long ourFaults = 0, torchFaults = 0; double ourPauses = 0;
for (int r = -2; r < reps; r++)
{
    // alternate which side goes first, so that neither always follows the other's cache state
    double a, c;
    if ((r & 1) == 0) { a = Ms(() => Generated()); var o = Take(); c = Ms(() => Torch(false)); var q = Take(); if (r >= 0) { ourFaults += o.Faults; ourPauses += o.Pauses; torchFaults += q.Faults; } }
    else { c = Ms(() => Torch(false)); var q = Take(); a = Ms(() => Generated()); var o = Take(); if (r >= 0) { ourFaults += o.Faults; ourPauses += o.Pauses; torchFaults += q.Faults; } }
    if (r >= 0) { g[r] = a; tt[r] = c; }
}

var gp = new double[reps]; var tp = new double[reps];
for (int r = -2; r < reps; r++)
{
    double a, c;
    if ((r & 1) == 0) { a = Ms(OurProducts); c = Ms(TorchProducts); } else { c = Ms(TorchProducts); a = Ms(OurProducts); }
    if (r >= 0) { gp[r] = a; tp[r] = c; }
}

var ratios = g.Zip(tt, (x, y) => x / y).OrderBy(v => v).ToArray();
Console.WriteLine($"RNN 50 steps, batch 64, 128 -> 256, float64, forward + backward; {threads} libtorch threads, {Environment.ProcessorCount} cores as .NET sees them; medians of {reps} interleaved runs");
Console.WriteLine($"  BackpropGen (generated)   {Med(g),9:F2} ms (fastest {g.Min(),8:F2})");
Console.WriteLine($"  libtorch autograd         {Med(tt),9:F2} ms (fastest {tt.Min(),8:F2})");
Console.WriteLine($"  per call: BackpropGen {ourFaults / (double)reps:F0} minor page faults, {ourPauses / reps:F2} ms of GC pauses; libtorch {torchFaults / (double)reps:F0} page faults");
Console.WriteLine($"  ratio of medians {Med(g) / Med(tt):F2}; per-run ratios median {Med(ratios):F2} [{ratios[0]:F2}-{ratios[^1]:F2}]");
Console.WriteLine($"  its 250 matrix products alone (1.68 GFLOP): BackpropGen {Med(gp):F2} ms ({1.68e3 / Med(gp):F1} GFLOP/s), libtorch {Med(tp):F2} ms ({1.68e3 / Med(tp):F1} GFLOP/s), ratio {Med(gp) / Med(tp):F2}");
Console.WriteLine($"  the rest (medians subtracted): BackpropGen {Med(g) - Med(gp):F2} ms, libtorch {Med(tt) - Med(tp):F2} ms");
Console.WriteLine($"load average at end: {Load()}");
bool ok = agreement.All(a => a < 1e-9);
Console.WriteLine(ok ? "gradients agree" : "GRADIENTS DISAGREE");
return ok ? 0 : 1;
