using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security;
using System.Text;
using BackpropGen;

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

    private const int Width = 640, Height = 420;
    private const double Left = 70, Right = 20, Top = 40, Bottom = 50;

    /// <summary>The training loss per epoch, on linear axes with labelled ticks.</summary>
    public static string LossCurve(IReadOnlyList<double> losses)
    {
        ArgumentNullException.ThrowIfNull(losses);
        var svg = Begin(Width, Height, "Training loss (mean softmax cross-entropy) per epoch");
        double plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;
        double epochs = Math.Max(1, losses.Count), maxLoss = 0;
        foreach (var loss in losses)
        {
            maxLoss = Math.Max(maxLoss, loss);
        }

        double yStep = NiceStep(maxLoss / 5), yMax = Math.Max(yStep, Math.Ceiling(maxLoss / yStep) * yStep);
        double xStep = NiceStep(epochs / 6);
        double X(double epoch) => Left + (epoch / epochs) * plotWidth;
        double Y(double loss) => Top + (1 - loss / yMax) * plotHeight;

        for (double tick = 0; tick <= yMax + yStep / 2; tick += yStep)
        {
            svg.Append(Invariant($"<line x1=\"{Left}\" y1=\"{Y(tick):F1}\" x2=\"{Width - Right}\" y2=\"{Y(tick):F1}\" stroke=\"#e0e0e0\"/>\n"));
            svg.Append(Invariant($"<text x=\"{Left - 8}\" y=\"{Y(tick) + 4:F1}\" text-anchor=\"end\">{tick:0.###}</text>\n"));
        }

        for (double tick = 0; tick <= epochs + xStep / 2; tick += xStep)
        {
            svg.Append(Invariant($"<line x1=\"{X(tick):F1}\" y1=\"{Top + plotHeight}\" x2=\"{X(tick):F1}\" y2=\"{Top + plotHeight + 5}\" stroke=\"#444\"/>\n"));
            svg.Append(Invariant($"<text x=\"{X(tick):F1}\" y=\"{Top + plotHeight + 20}\" text-anchor=\"middle\">{tick:0}</text>\n"));
        }

        svg.Append(Invariant($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotWidth}\" height=\"{plotHeight}\" fill=\"none\" stroke=\"#444\"/>\n"));
        svg.Append("<polyline fill=\"none\" stroke=\"#377eb8\" stroke-width=\"2\" points=\"");
        for (int i = 0; i < losses.Count; i++)
        {
            svg.Append(Invariant($"{X(i + 1):F1},{Y(losses[i]):F1} "));
        }

        svg.Append("\"/>\n");
        svg.Append(Invariant($"<text x=\"{Left + plotWidth / 2}\" y=\"{Height - 10}\" text-anchor=\"middle\">epoch</text>\n"));
        svg.Append(Invariant($"<text transform=\"translate(18 {Top + plotHeight / 2}) rotate(-90)\" text-anchor=\"middle\">loss</text>\n"));
        return End(svg);
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
        var svg = Begin((int)(Plot + 2 * Margin), (int)(Plot + 2 * Margin + 30), title);

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

        return End(svg);
    }

    /// <summary>1, 2 or 5 times a power of ten, at least <paramref name="rough"/>: a tick spacing a reader can count in.</summary>
    private static double NiceStep(double rough)
    {
        if (!(rough > 0))
        {
            return 1;
        }

        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        foreach (var factor in new[] { 1.0, 2.0, 5.0 })
        {
            if (factor * power >= rough)
            {
                return factor * power;
            }
        }

        return 10 * power;
    }

    private static StringBuilder Begin(int width, int height, string title) => new StringBuilder()
        .Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n"))
        .Append(Invariant($"<rect width=\"{width}\" height=\"{height}\" fill=\"#fff\"/>\n"))
        .Append(Invariant($"<text x=\"{width / 2}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{SecurityElement.Escape(title)}</text>\n"));

    private static string End(StringBuilder svg) => svg.Append("</svg>\n").ToString();

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
