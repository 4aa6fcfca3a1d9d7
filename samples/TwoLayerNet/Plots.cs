using System;
using System.Collections.Generic;
using BackpropGen;
using Samples.Training;
using static Samples.Training.Svg;

namespace TwoLayerNetSample;

/// <summary>The two figures of a training run as hand-written SVG: the loss curve and the decision regions.</summary>
public static class Plots
{
    /// <summary>Light fills for the regions and strong ones for the points, one pair per class (ColorBrewer Set1 and Pastel1).</summary>
    private static readonly (string Region, string Point)[] ClassColors =
    [
        ("#fbb4ae", "#e41a1c"),
        ("#b3cde3", "#377eb8"),
        ("#ccebc5", "#4daf4a"),
        ("#decbe4", "#984ea3"),
        ("#fed9a6", "#ff7f00"),
    ];

    /// <summary>The training loss per epoch, on linear axes with labelled ticks.</summary>
    public static string LossCurve(IReadOnlyList<double> losses)
    {
        ArgumentNullException.ThrowIfNull(losses);
        var points = new (double X, double Y)[losses.Count];
        for (int i = 0; i < losses.Count; i++)
        {
            points[i] = (i + 1, losses[i]);
        }

        return Svg.LineChart("Training loss (mean softmax cross-entropy) per epoch", "epoch", "loss", [new Series("training loss", "#377eb8", points)]);
    }

    /// <summary>
    /// The class that <paramref name="predict"/> gives each point of a <paramref name="resolution"/>² grid over the data,
    /// as coloured regions, with the data points on top in their true class's colour.
    /// </summary>
    public static string DecisionRegions(Func<Tensor, int[]> predict, Spiral data, int resolution, string title)
    {
        ArgumentNullException.ThrowIfNull(predict);
        ArgumentNullException.ThrowIfNull(data);
        const double Plot = 500, Margin = 40;
        var svg = Svg.Begin((int)(Plot + 2 * Margin), (int)(Plot + 2 * Margin + 30), title);

        // A square window around the data with a 10% border, so that the plot keeps the data's aspect ratio.
        var points = data.Points.ToArray();
        double min = double.MaxValue, max = double.MinValue;
        foreach (var value in points)
        {
            min = Math.Min(min, value);
            max = Math.Max(max, value);
        }

        double border = 0.1 * (max - min);
        min -= border;
        max += border;
        double cell = Plot / resolution;
        double ToX(double x) => Margin + (x - min) / (max - min) * Plot;
        double ToY(double y) => Margin + (max - y) / (max - min) * Plot;

        // One grid row a batch; each row's run of equal predictions is one rectangle, which keeps the file small.
        svg.Append("<g shape-rendering=\"crispEdges\">\n");
        var row = new double[resolution * 2];
        for (int r = 0; r < resolution; r++)
        {
            double y = max - (r + 0.5) / resolution * (max - min);
            for (int c = 0; c < resolution; c++)
            {
                row[2 * c] = min + (c + 0.5) / resolution * (max - min);
                row[2 * c + 1] = y;
            }

            var predicted = predict(Tensor.FromArray(row, resolution, 2));
            for (int start = 0, end; start < resolution; start = end)
            {
                for (end = start + 1; end < resolution && predicted[end] == predicted[start]; end++)
                {
                }

                svg.Append(Invariant(
                    $"<rect x=\"{Margin + start * cell:F2}\" y=\"{Margin + r * cell:F2}\" width=\"{(end - start) * cell:F2}\" height=\"{cell:F2}\" fill=\"{ClassColors[predicted[start] % ClassColors.Length].Region}\"/>\n"));
            }
        }

        svg.Append("</g>\n");
        for (int i = 0; i < data.Labels.Length; i++)
        {
            svg.Append(Invariant(
                $"<circle cx=\"{ToX(points[2 * i]):F2}\" cy=\"{ToY(points[2 * i + 1]):F2}\" r=\"3\" fill=\"{ClassColors[data.Labels[i] % ClassColors.Length].Point}\" stroke=\"#fff\" stroke-width=\"0.6\"/>\n"));
        }

        svg.Append(Invariant($"<rect x=\"{Margin}\" y=\"{Margin}\" width=\"{Plot}\" height=\"{Plot}\" fill=\"none\" stroke=\"#444\"/>\n"));
        for (int c = 0; c < data.Classes; c++)
        {
            double x = Margin + c * 110;
            var (region, point) = ClassColors[c % ClassColors.Length];
            svg.Append(Invariant($"<rect x=\"{x}\" y=\"{Margin + Plot + 14}\" width=\"16\" height=\"16\" fill=\"{region}\" stroke=\"{point}\"/>\n"));
            svg.Append(Invariant($"<text x=\"{x + 22}\" y=\"{Margin + Plot + 27}\">class {c}</text>\n"));
        }

        return Svg.End(svg);
    }
}
