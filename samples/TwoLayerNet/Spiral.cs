using System;
using BackpropGen;

namespace TwoLayerNetSample;

/// <summary>
/// The spiral data set of CS231n's "Putting it together" notes: <c>classes</c> arms winding out of the origin, each
/// <c>pointsPerClass</c> points at radius 0…1 and angle growing with the radius plus normal noise. No straight line
/// separates the arms, so the network needs its hidden layer.
/// </summary>
public sealed record Spiral(Tensor Points, int[] Labels, int Classes)
{
    /// <summary>The angle, in radians, that each arm turns through from the centre to radius 1.</summary>
    private const double Turn = 4.0;

    /// <summary>Draws the data set; the same <paramref name="seed"/> gives the same points.</summary>
    public static Spiral Generate(int classes, int pointsPerClass, double angleNoise, int seed)
    {
        var random = new Random(seed);
        int n = classes * pointsPerClass;
        var points = new double[n * 2];
        var labels = new int[n];
        for (int c = 0; c < classes; c++)
        {
            for (int i = 0; i < pointsPerClass; i++)
            {
                double along = pointsPerClass == 1 ? 0.0 : (double)i / (pointsPerClass - 1);
                double radius = along;
                double angle = (c + along) * Turn + angleNoise * StandardNormal(random);
                int row = c * pointsPerClass + i;
                points[2 * row] = radius * Math.Sin(angle);
                points[2 * row + 1] = radius * Math.Cos(angle);
                labels[row] = c;
            }
        }

        return new Spiral(Tensor.FromArray(points, n, 2), labels, classes);
    }

    /// <summary>A standard normal draw by the Box–Muller transform (1 - NextDouble() is in (0, 1], so Log is finite).</summary>
    private static double StandardNormal(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
}
