using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security;
using System.Text;

namespace Samples.Training;

/// <summary>One curve of a <see cref="Svg.LineChart"/>: its name in the legend, its colour and its points.</summary>
public sealed record Series(string Name, string Color, IReadOnlyList<(double X, double Y)> Points);

/// <summary>A dashed horizontal line across a <see cref="Svg.LineChart"/> at <paramref name="Y"/>, labelled.</summary>
public sealed record Guide(string Label, double Y);

/// <summary>
/// A small picture for <see cref="Svg.PictureGrid"/>: <paramref name="Pixels"/> row-major, <paramref name="Low"/> drawn
/// black and <paramref name="High"/> white; or, when <paramref name="Diverging"/>, negative values blue, 0 white and
/// positive red, <paramref name="High"/> the magnitude of full colour (filters, whose sign matters).
/// </summary>
public sealed record Picture(double[] Pixels, int Height, int Width, string Caption, double Low, double High, bool Diverging = false);

/// <summary>Figures as hand-written SVG: line charts and grids of pictures.</summary>
public static class Svg
{
    private const int ChartWidth = 640, ChartHeight = 420;
    private const double Left = 70, Right = 20, Top = 40, Bottom = 50;

    /// <summary>
    /// <paramref name="series"/> on linear axes with labelled ticks and a legend; the y axis runs from 0 to
    /// <paramref name="yMax"/>, or to the largest value rounded up when it is null. The legend stands in the top right
    /// corner, or in the bottom right one when <paramref name="legendBelow"/> (for curves that rise).
    /// </summary>
    public static string LineChart(string title, string xLabel, string yLabel, IReadOnlyList<Series> series, double? yMax = null, IReadOnlyList<Guide>? guides = null, bool legendBelow = false)
    {
        ArgumentNullException.ThrowIfNull(series);
        guides ??= [];
        var svg = Begin(ChartWidth, ChartHeight, title);
        double plotWidth = ChartWidth - Left - Right, plotHeight = ChartHeight - Top - Bottom;
        var points = series.SelectMany(s => s.Points).ToList();
        double xMax = Math.Max(1, points.Count == 0 ? 1 : points.Max(p => p.X));
        double largest = Math.Max(points.Count == 0 ? 1 : points.Max(p => p.Y), guides.Count == 0 ? 0 : guides.Max(g => g.Y));
        double yStep = NiceStep((yMax ?? largest) / 5);
        double top = yMax ?? Math.Max(yStep, Math.Ceiling(largest / yStep) * yStep);
        double xStep = NiceStep(xMax / 6);
        double X(double x) => Left + (x / xMax) * plotWidth;
        double Y(double y) => Top + (1 - Math.Clamp(y, 0, top) / top) * plotHeight;

        for (double tick = 0; tick <= top + yStep / 2; tick += yStep)
        {
            svg.Append(Invariant($"<line x1=\"{Left}\" y1=\"{Y(tick):F1}\" x2=\"{ChartWidth - Right}\" y2=\"{Y(tick):F1}\" stroke=\"#e0e0e0\"/>\n"));
            svg.Append(Invariant($"<text x=\"{Left - 8}\" y=\"{Y(tick) + 4:F1}\" text-anchor=\"end\">{tick:0.###}</text>\n"));
        }

        for (double tick = 0; tick <= xMax + xStep / 2; tick += xStep)
        {
            svg.Append(Invariant($"<line x1=\"{X(tick):F1}\" y1=\"{Top + plotHeight}\" x2=\"{X(tick):F1}\" y2=\"{Top + plotHeight + 5}\" stroke=\"#444\"/>\n"));
            svg.Append(Invariant($"<text x=\"{X(tick):F1}\" y=\"{Top + plotHeight + 20}\" text-anchor=\"middle\">{tick:0.##}</text>\n"));
        }

        svg.Append(Invariant($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotWidth}\" height=\"{plotHeight}\" fill=\"none\" stroke=\"#444\"/>\n"));
        foreach (var guide in guides)
        {
            svg.Append(Invariant($"<line x1=\"{Left}\" y1=\"{Y(guide.Y):F1}\" x2=\"{ChartWidth - Right}\" y2=\"{Y(guide.Y):F1}\" stroke=\"#888\" stroke-dasharray=\"6 4\"/>\n"));
            svg.Append(Invariant($"<text x=\"{ChartWidth - Right - 6}\" y=\"{Y(guide.Y) - 5:F1}\" text-anchor=\"end\" fill=\"#555\">{Escape(guide.Label)}</text>\n"));
        }

        foreach (var curve in series)
        {
            svg.Append(Invariant($"<polyline fill=\"none\" stroke=\"{curve.Color}\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\""));
            foreach (var (x, y) in curve.Points)
            {
                svg.Append(Invariant($"{X(x):F1},{Y(y):F1} "));
            }

            svg.Append("\"/>\n");
        }

        const double LegendWidth = 220;
        double legendLeft = ChartWidth - Right - LegendWidth, legendTop = legendBelow ? Top + plotHeight - 12 - series.Count * 18 : Top + 24;
        for (int i = 0; i < series.Count; i++)
        {
            double y = legendTop + 12 + i * 18;
            svg.Append(Invariant($"<line x1=\"{legendLeft}\" y1=\"{y - 4}\" x2=\"{legendLeft + 24}\" y2=\"{y - 4}\" stroke=\"{series[i].Color}\" stroke-width=\"3\"/>\n"));
            svg.Append(Invariant($"<text x=\"{legendLeft + 30}\" y=\"{y}\">{Escape(series[i].Name)}</text>\n"));
        }

        svg.Append(Invariant($"<text x=\"{Left + plotWidth / 2}\" y=\"{ChartHeight - 10}\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n"));
        svg.Append(Invariant($"<text transform=\"translate(18 {Top + plotHeight / 2}) rotate(-90)\" text-anchor=\"middle\">{Escape(yLabel)}</text>\n"));
        return End(svg);
    }

    /// <summary>
    /// <paramref name="pictures"/> in rows of <paramref name="columns"/>, each drawn <paramref name="scale"/> screen pixels a
    /// pixel (kept sharp, not smoothed) with its caption under it.
    /// </summary>
    public static string PictureGrid(string title, IReadOnlyList<Picture> pictures, int columns, int scale)
    {
        ArgumentNullException.ThrowIfNull(pictures);
        const int Gap = 10, Caption = 16, Margin = 20, TitleHeight = 36;
        int cellWidth = pictures.Count == 0 ? 0 : pictures.Max(p => p.Width) * scale;
        int cellHeight = pictures.Count == 0 ? 0 : pictures.Max(p => p.Height) * scale;
        int rows = (pictures.Count + columns - 1) / columns;
        int width = Math.Max(320, 2 * Margin + columns * cellWidth + (columns - 1) * Gap);
        int height = TitleHeight + Margin + rows * (cellHeight + Caption + Gap);
        var svg = Begin(width, height, title);
        for (int i = 0; i < pictures.Count; i++)
        {
            var picture = pictures[i];
            int x = Margin + (i % columns) * (cellWidth + Gap), y = TitleHeight + (i / columns) * (cellHeight + Caption + Gap);
            var png = Convert.ToBase64String(Png.EncodeRgb(Colors(picture), picture.Width, picture.Height));
            svg.Append(Invariant($"<image x=\"{x}\" y=\"{y}\" width=\"{picture.Width * scale}\" height=\"{picture.Height * scale}\" style=\"image-rendering:optimizeSpeed;image-rendering:pixelated\" href=\"data:image/png;base64,{png}\"/>\n"));
            svg.Append(Invariant($"<rect x=\"{x}\" y=\"{y}\" width=\"{picture.Width * scale}\" height=\"{picture.Height * scale}\" fill=\"none\" stroke=\"#999\"/>\n"));
            svg.Append(Invariant($"<text x=\"{x + picture.Width * scale / 2.0}\" y=\"{y + picture.Height * scale + 13}\" text-anchor=\"middle\" font-size=\"11\">{Escape(picture.Caption)}</text>\n"));
        }

        return End(svg);
    }

    /// <summary>A picture's pixels as RGB bytes: grey from Low to High, or blue–white–red around 0.</summary>
    private static byte[] Colors(Picture picture)
    {
        var rgb = new byte[picture.Pixels.Length * 3];
        for (int i = 0; i < picture.Pixels.Length; i++)
        {
            double value = picture.Pixels[i];
            (double r, double g, double b) color;
            if (picture.Diverging)
            {
                double t = Math.Clamp(value / picture.High, -1, 1);
                color = t >= 0 ? (1, 1 - t, 1 - t) : (1 + t, 1 + t, 1);
            }
            else
            {
                double t = Math.Clamp((value - picture.Low) / (picture.High - picture.Low), 0, 1);
                color = (t, t, t);
            }

            rgb[3 * i] = (byte)Math.Round(255 * color.r);
            rgb[3 * i + 1] = (byte)Math.Round(255 * color.g);
            rgb[3 * i + 2] = (byte)Math.Round(255 * color.b);
        }

        return rgb;
    }

    /// <summary>1, 2 or 5 times a power of ten, at least <paramref name="rough"/>: a tick spacing a reader can count in.</summary>
    public static double NiceStep(double rough)
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

    /// <summary>The opening of an SVG document of the given size: a white background and the title at the top.</summary>
    public static StringBuilder Begin(int width, int height, string title) => new StringBuilder()
        .Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n"))
        .Append(Invariant($"<rect width=\"{width}\" height=\"{height}\" fill=\"#fff\"/>\n"))
        .Append(Invariant($"<text x=\"{width / 2}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>\n"));

    /// <summary>Closes a document that <see cref="Begin"/> opened and returns its text.</summary>
    public static string End(StringBuilder svg)
    {
        ArgumentNullException.ThrowIfNull(svg);
        return svg.Append("</svg>\n").ToString();
    }

    /// <summary>Formats with the invariant culture, so that a decimal point is a point whatever the machine's locale.</summary>
    public static string Invariant(FormattableString text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.ToString(CultureInfo.InvariantCulture);
    }

    private static string Escape(string text) => SecurityElement.Escape(text) ?? string.Empty;
}
