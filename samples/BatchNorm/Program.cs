using System;
using System.IO;
using BackpropGen;
using BatchNormSample;

// The seed's BatchNorm, annotated and built: the generator wrote Layers.BatchNormForward and Layers.BatchNormBackward.
// This checks the generated backward against central differences and against the seed's own naive backward.
const int N = 8, D = 5;
const double eps = 1e-5;
const double NumericalBar = 1e-7, SeedBar = 1e-12;

var x = Tensor.RandomNormal(seed: 1, N, D) * 3.0 + 2.0;
var gamma = Tensor.RandomNormal(seed: 2, D);
var beta = Tensor.RandomNormal(seed: 3, D);
var dout = Tensor.RandomNormal(seed: 4, N, D);

var (output, cache) = Layers.BatchNormForward(x, gamma, beta, eps);
var (dx, dgamma, dbeta) = Layers.BatchNormBackward(dout, cache);

var numerical = (
    dx: GradCheck.Numerical(v => Layers.BatchNorm(v, gamma, beta, eps), x, dout),
    dgamma: GradCheck.Numerical(v => Layers.BatchNorm(x, v, beta, eps), gamma, dout),
    dbeta: GradCheck.Numerical(v => Layers.BatchNorm(x, gamma, v, eps), beta, dout));
var seed = SeedBackward.BatchNormBackward(dout, SeedBackward.Cache(x, gamma, eps));

Console.WriteLine($"BatchNorm forward and generated backward, N={N} D={D}, eps={eps}");
Console.WriteLine($"out: mean of column 0 = {Tensor.Mean(output, axis: 0)[0]:E2} (gamma/beta shift it), shape {output.Shape}");
Console.WriteLine();
Console.WriteLine($"{"gradient",-8} {"vs central differences",24} {"vs seed's naive backward",26}");
var failed = false;
foreach (var (name, generated, numeric, seedValue) in new[]
{
    ("dx", dx, numerical.dx, seed.dx),
    ("dgamma", dgamma, numerical.dgamma, seed.dgamma),
    ("dbeta", dbeta, numerical.dbeta, seed.dbeta),
})
{
    var numericalError = GradCheck.RelativeError(generated, numeric);
    var seedError = GradCheck.RelativeError(generated, seedValue);
    var ok = numericalError < NumericalBar && seedError < SeedBar;
    failed |= !ok;
    Console.WriteLine($"{name,-8} {numericalError,24:E2} {seedError,26:E2}   {(ok ? "ok" : "FAILED")}");
}

Console.WriteLine();
Console.WriteLine($"bars: {NumericalBar:E0} against central differences, {SeedBar:E0} against the seed's backward");

// The generator also wrote the computational graph, as in the seed's figure: forward in black, gradients in red.
var outputFolder = args.Length > 0 ? args[0] : "out";
Directory.CreateDirectory(outputFolder);
var dotFile = Path.Combine(outputFolder, "batchnorm.dot");
File.WriteAllText(dotFile, Layers.BatchNormGraph);
Console.WriteLine($"graph: {dotFile}{GraphRendering.ToSvg(dotFile)}");
Console.WriteLine(failed ? "gradient check FAILED" : "gradient check passed");
return failed ? 1 : 0;
