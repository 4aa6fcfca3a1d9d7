using System;
using Samples.Cs231n;

// Every layer of Layers.cs, its generated backward checked against central differences.
Console.WriteLine($"{"layer",-20} {"gradient",-8} {"relative error",16}");
var failed = false;
foreach (var check in LayerChecks.All())
{
    var ok = check.RelativeError < LayerChecks.Bar;
    failed |= !ok;
    Console.WriteLine($"{check.Layer,-20} {check.Gradient,-8} {check.RelativeError,16:E2}   {(ok ? "ok" : "FAILED")}");
}

Console.WriteLine();
Console.WriteLine($"bar: {LayerChecks.Bar:E0} against central differences");
Console.WriteLine(failed ? "gradient check FAILED" : "gradient check passed");
return failed ? 1 : 0;
