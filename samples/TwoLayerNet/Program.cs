using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using TwoLayerNetSample;

// A two-layer network, affine → BatchNorm → ReLU → affine → softmax loss, trained with Adam on a three-armed spiral.
// Every gradient comes from the backward passes that the generator wrote for the layers in Layers.cs; they are checked
// against central differences first. Usage: dotnet run --project samples/TwoLayerNet -c Release [output folder]
// Exits non-zero unless the checks pass and training accuracy reaches 95% within a minute.
const int Classes = 3, PointsPerClass = 300, HiddenUnits = 100, Epochs = 300, ReportEvery = 25;
const int DataSeed = 0, WeightSeed = 1;
const double AngleNoise = 0.2, LearningRate = 0.01;
const double TargetAccuracy = 0.95, TimeLimitSeconds = 60;
const int GridResolution = 200;

var outputFolder = Path.GetFullPath(args.Length > 0 ? args[0] : DefaultOutputFolder());

if (!GradientChecks.Run())
{
    Console.WriteLine("gradient checks FAILED: not training on wrong gradients");
    return 1;
}

var data = Spiral.Generate(Classes, PointsPerClass, AngleNoise, DataSeed);
var parameters = Parameters.Initial(inputs: 2, HiddenUnits, Classes, WeightSeed);
var optimizer = new Adam(LearningRate);
var losses = new List<double>(Epochs);

Console.WriteLine();
Console.WriteLine($"Training on {data.Labels.Length} spiral points ({Classes} classes), {HiddenUnits} hidden units, full-batch Adam (learning rate {LearningRate}), {Epochs} epochs");
Console.WriteLine($"{"epoch",6} {"loss",9} {"train acc",10}");
var stopwatch = Stopwatch.StartNew();
for (int epoch = 1; epoch <= Epochs; epoch++)
{
    var (loss, gradients) = Network.LossAndGradients(parameters, data.Points, data.Labels);
    losses.Add(loss);
    if (epoch == 1 || epoch % ReportEvery == 0)
    {
        // The accuracy of the parameters that gave this loss, i.e. before this epoch's step.
        Console.WriteLine($"{epoch,6} {loss,9:F4} {TrainingAccuracy(parameters),10:P1}");
    }

    parameters = optimizer.Step(parameters, gradients);
}

stopwatch.Stop();
var statistics = Network.Statistics(parameters, data.Points);
var finalLoss = Network.Loss(parameters, data.Points, data.Labels);
var finalAccuracy = TrainingAccuracy(parameters);
var seconds = stopwatch.Elapsed.TotalSeconds;
Console.WriteLine($"{"final",6} {finalLoss,9:F4} {finalAccuracy,10:P1}");
Console.WriteLine($"trained in {seconds:F2} s");

Directory.CreateDirectory(outputFolder);
var lossCurvePath = Path.Combine(outputFolder, "loss.svg");
var regionsPath = Path.Combine(outputFolder, "decision-regions.svg");
File.WriteAllText(lossCurvePath, Plots.LossCurve(losses));
File.WriteAllText(regionsPath, Plots.DecisionRegions(
    x => Network.Predict(parameters, statistics, x), data, GridResolution,
    $"Decision regions after {Epochs} epochs: training accuracy {finalAccuracy:P1}"));
Console.WriteLine($"wrote {lossCurvePath}");
Console.WriteLine($"wrote {regionsPath}");

var reached = finalAccuracy >= TargetAccuracy && seconds < TimeLimitSeconds;
Console.WriteLine(reached
    ? $"passed: training accuracy {finalAccuracy:P1} >= {TargetAccuracy:P0} in {seconds:F1} s < {TimeLimitSeconds} s"
    : $"FAILED: training accuracy {finalAccuracy:P1} (needed {TargetAccuracy:P0}) in {seconds:F1} s (limit {TimeLimitSeconds} s)");
return reached ? 0 : 1;

// Inference-mode accuracy on the training set; with full-batch training it equals the accuracy in training mode.
double TrainingAccuracy(Parameters p) =>
    Network.Accuracy(Network.Predict(p, Network.Statistics(p, data.Points), data.Points), data.Labels);

// samples/TwoLayerNet/out: the project folder is found above the build output, wherever the command runs from.
static string DefaultOutputFolder()
{
    for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
    {
        if (File.Exists(Path.Combine(folder.FullName, "TwoLayerNet.csproj")))
        {
            return Path.Combine(folder.FullName, "out");
        }
    }

    return "out";
}
