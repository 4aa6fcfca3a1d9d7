using System;
using System.Linq;
using BackpropGen;

namespace Samples.ConvNet;

/// <summary>
/// The data set, drawn by the sample itself: the ten digits as pen strokes, each image a digit under a random affine
/// map (scale, aspect, rotation, slant and shift), drawn with a random pen width, anti-aliased, with Gaussian noise
/// added. Images are 28 × 28 grey levels, about 0 for the background and 1 on the strokes.
/// </summary>
public sealed record Glyphs(Tensor Images, int[] Labels)
{
    /// <summary>The side of an image, in pixels.</summary>
    public const int Size = 28;

    /// <summary>The number of classes, the digits 0 to 9.</summary>
    public const int Classes = 10;

    /// <summary>
    /// The strokes of each digit: polylines in a box 1 wide and 1 high, y pointing down. Arcs run from one angle to
    /// another in degrees, counterclockwise on the page for an increasing angle (90 is the top of the ellipse).
    /// </summary>
    private static readonly (double X, double Y)[][][] Strokes =
    [
        [Arc(0.5, 0.5, 0.45, 0.5, 0, 360)],
        [[(0.2, 0.25), (0.55, 0.0), (0.55, 1.0)]],
        [[.. Arc(0.5, 0.28, 0.42, 0.28, 160, -30), (0.05, 1.0), (0.95, 1.0)]],
        [Arc(0.48, 0.25, 0.4, 0.25, 150, -90), Arc(0.48, 0.74, 0.45, 0.26, 90, -150)],
        [[(0.7, 0.0), (0.0, 0.68), (1.0, 0.68)], [(0.7, 0.0), (0.7, 1.0)]],
        [[(0.9, 0.0), (0.15, 0.0), (0.12, 0.45), .. Arc(0.5, 0.68, 0.42, 0.32, 140, -150)]],
        [Arc(0.55, 0.5, 0.45, 0.5, 70, 200), Arc(0.5, 0.7, 0.42, 0.3, 0, 360)],
        [[(0.0, 0.0), (1.0, 0.0), (0.35, 1.0)]],
        [Arc(0.5, 0.25, 0.36, 0.25, 0, 360), Arc(0.5, 0.73, 0.44, 0.27, 0, 360)],
        [Arc(0.5, 0.3, 0.42, 0.3, 0, 360), [(0.92, 0.3), (0.8, 1.0)]],
    ];

    /// <summary>
    /// <paramref name="count"/> images, the classes in turn, the same for the same <paramref name="seed"/>.
    /// <paramref name="noise"/> is the standard deviation of the Gaussian noise on every pixel.
    /// </summary>
    public static Glyphs Generate(int count, int seed, double noise = 0.2)
    {
        var random = new Random(seed);
        var pixels = new double[count * Size * Size];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = i % Classes;
            Draw(Strokes[labels[i]], random, noise, pixels.AsSpan(i * Size * Size, Size * Size));
        }

        return new Glyphs(Tensor.FromArray(pixels, count, 1, Size, Size), labels);
    }

    /// <summary>Images <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/>, in the order given by <paramref name="order"/>.</summary>
    public Glyphs Batch(int[] order, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(order);
        var chosen = order[start..(start + count)];
        return new Glyphs(Tensor.Take(Images, chosen, 0), chosen.Select(i => Labels[i]).ToArray());
    }

    private static void Draw((double X, double Y)[][] strokes, Random random, double noise, Span<double> image)
    {
        // The glyph box as drawn: 13 to 20 pixels high, about 0.6 as wide, turned up to 12° either way, slanted up to
        // 0.25, and its centre up to 3 pixels off the image's centre.
        double height = Uniform(random, 13, 20);
        double width = height * Uniform(random, 0.5, 0.75);
        double angle = Uniform(random, -12, 12) * Math.PI / 180;
        double slant = Uniform(random, -0.25, 0.25);
        double centerX = Size / 2.0 + Uniform(random, -3, 3), centerY = Size / 2.0 + Uniform(random, -3, 3);
        double penRadius = Uniform(random, 0.7, 1.4);
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        (double X, double Y) Place((double X, double Y) p)
        {
            double u = (p.X - 0.5) * width + slant * (0.5 - p.Y) * height, v = (p.Y - 0.5) * height;
            return (centerX + cos * u - sin * v, centerY + sin * u + cos * v);
        }

        // The distance from every pixel's centre to the nearest stroke, each segment measured only over the pixels
        // near enough to take ink from it.
        Span<double> distance = stackalloc double[Size * Size];
        distance.Fill(double.MaxValue);
        double reach = penRadius + 0.5;
        foreach (var stroke in strokes)
        {
            for (int k = 0; k + 1 < stroke.Length; k++)
            {
                var (a, b) = (Place(stroke[k]), Place(stroke[k + 1]));
                int left = Math.Max(0, (int)Math.Floor(Math.Min(a.X, b.X) - reach)), right = Math.Min(Size - 1, (int)Math.Ceiling(Math.Max(a.X, b.X) + reach));
                int top = Math.Max(0, (int)Math.Floor(Math.Min(a.Y, b.Y) - reach)), bottom = Math.Min(Size - 1, (int)Math.Ceiling(Math.Max(a.Y, b.Y) + reach));
                for (int row = top; row <= bottom; row++)
                {
                    for (int column = left; column <= right; column++)
                    {
                        ref var nearest = ref distance[row * Size + column];
                        nearest = Math.Min(nearest, DistanceToSegment(column + 0.5, row + 0.5, a, b));
                    }
                }
            }
        }

        for (int i = 0; i < Size * Size; i++)
        {
            // Full ink within the pen's radius, fading to none over the next pixel: the stroke's edge anti-aliased.
            double ink = Math.Clamp(reach - distance[i], 0, 1);
            image[i] = ink + noise * StandardNormal(random);
        }
    }

    private static double DistanceToSegment(double x, double y, (double X, double Y) a, (double X, double Y) b)
    {
        double dx = b.X - a.X, dy = b.Y - a.Y;
        double lengthSquared = dx * dx + dy * dy;
        double t = lengthSquared == 0 ? 0 : Math.Clamp(((x - a.X) * dx + (y - a.Y) * dy) / lengthSquared, 0, 1);
        double px = a.X + t * dx - x, py = a.Y + t * dy - y;
        return Math.Sqrt(px * px + py * py);
    }

    /// <summary>An elliptic arc from <paramref name="from"/>° to <paramref name="to"/>° as a polyline, a point every 15° or less.</summary>
    private static (double X, double Y)[] Arc(double centerX, double centerY, double radiusX, double radiusY, double from, double to)
    {
        int steps = Math.Max(2, (int)Math.Ceiling(Math.Abs(to - from) / 15));
        var points = new (double X, double Y)[steps + 1];
        for (int k = 0; k <= steps; k++)
        {
            double degrees = from + (to - from) * k / steps, radians = degrees * Math.PI / 180;
            points[k] = (centerX + radiusX * Math.Cos(radians), centerY - radiusY * Math.Sin(radians));
        }

        return points;
    }

    private static double Uniform(Random random, double low, double high) => low + (high - low) * random.NextDouble();

    /// <summary>A standard normal draw by the Box–Muller transform (1 - NextDouble() is in (0, 1], so Log is finite).</summary>
    private static double StandardNormal(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
}
