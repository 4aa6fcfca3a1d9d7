using System;
using System.Reflection;
using BackpropGen;
using PackageConsumer;

// Built from the BackpropGen package (not the projects): Layers.TanhLayerForward/Backward exist only if the package's
// analyzers/dotnet/cs generator ran in this compilation. Exits non-zero unless the generated backward agrees with
// central differences.
const double Bar = 1e-7;
const int N = 6, D = 4, H = 3;

var x = Tensor.RandomNormal(seed: 1, N, D);
var w = Tensor.RandomNormal(seed: 2, D, H) * 0.5;
var b = Tensor.RandomNormal(seed: 3, H);
var dout = Tensor.RandomNormal(seed: 4, N, H);

var (_, cache) = Layers.TanhLayerForward(x, w, b);
var (dx, dw, db) = Layers.TanhLayerBackward(dout, cache);

var runtimeVersion = typeof(Tensor).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
Console.WriteLine($"BackpropGen runtime {runtimeVersion} from the package; generated TanhLayerBackward against central differences:");
var failed = false;
foreach (var (name, generated, numerical) in new[]
{
    ("dx", dx, GradCheck.Numerical(v => Layers.TanhLayer(v, w, b), x, dout)),
    ("dw", dw, GradCheck.Numerical(v => Layers.TanhLayer(x, v, b), w, dout)),
    ("db", db, GradCheck.Numerical(v => Layers.TanhLayer(x, w, v), b, dout)),
})
{
    var error = GradCheck.RelativeError(generated, numerical);
    var ok = error < Bar;
    failed |= !ok;
    Console.WriteLine($"  {name,-3} relative error {error:E2}   {(ok ? "ok" : "FAILED")}");
}

Console.WriteLine(failed ? $"package test FAILED (bar {Bar:E0})" : $"package test passed (bar {Bar:E0})");
return failed ? 1 : 0;
