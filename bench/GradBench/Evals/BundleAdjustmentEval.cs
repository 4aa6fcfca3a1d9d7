using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;

namespace BackpropGen.GradBench.Evals;

/// <summary>
/// GradBench's <c>ba</c> (ADBench's bundle adjustment): for each observation, the weighted reprojection error of a 3-D
/// point through a camera (Rodrigues rotation, perspective division, radial distortion, focal length and principal
/// point), and each weight's error 1 − w². The Jacobian is sparse: each observation's two rows of reprojection error
/// (a reverse sweep each, through the same forward pass) touch its camera's 11 parameters, its point's 3 and its weight.
/// </summary>
public static partial class BundleAdjustmentEval
{
    private const int CameraParameters = 11;

    /// <summary>One coordinate (0: x, 1: y) of the weighted reprojection error of point x seen by camera cam.</summary>
    [Differentiable]
    public static double ReprojectionError(Tensor cam, Tensor x, double w, [NoGrad] double featureX, [NoGrad] double featureY, int coordinate)
    {
        // the point relative to the camera's centre (cam[3..5])
        double p0 = x[0] - cam[3];
        double p1 = x[1] - cam[4];
        double p2 = x[2] - cam[5];
        // rotated by the axis-angle cam[0..2]; to first order where the angle is 0
        double r0 = cam[0];
        double r1 = cam[1];
        double r2 = cam[2];
        double squaredAngle = (r0 * r0) + (r1 * r1) + (r2 * r2);
        double rotated0 = p0 + ((r1 * p2) - (r2 * p1));
        double rotated1 = p1 + ((r2 * p0) - (r0 * p2));
        double rotated2 = p2 + ((r0 * p1) - (r1 * p0));
        if (squaredAngle != 0)
        {
            double angle = Math.Sqrt(squaredAngle);
            double cos = Math.Cos(angle);
            double sin = Math.Sin(angle);
            double w0 = r0 / angle;
            double w1 = r1 / angle;
            double w2 = r2 / angle;
            double along = ((w0 * p0) + (w1 * p1) + (w2 * p2)) * (1.0 - cos);
            rotated0 = (p0 * cos) + (((w1 * p2) - (w2 * p1)) * sin) + (w0 * along);
            rotated1 = (p1 * cos) + (((w2 * p0) - (w0 * p2)) * sin) + (w1 * along);
            rotated2 = (p2 * cos) + (((w0 * p1) - (w1 * p0)) * sin) + (w2 * along);
        }

        // perspective division, radial distortion by cam[9..10], focal length cam[6], principal point cam[7..8]
        double projected0 = rotated0 / rotated2;
        double projected1 = rotated1 / rotated2;
        double squaredRadius = (projected0 * projected0) + (projected1 * projected1);
        double distortion = 1.0 + (cam[9] * squaredRadius) + (cam[10] * squaredRadius * squaredRadius);
        double error = coordinate == 0
            ? w * ((projected0 * distortion * cam[6]) + cam[7] - featureX)
            : w * ((projected1 * distortion * cam[6]) + cam[8] - featureY);
        return error;
    }

    /// <summary>The weight's error, which keeps it near 1.</summary>
    [Differentiable]
    public static double WeightError(double w) => 1.0 - (w * w);

    /// <summary>
    /// GradBench's input, expanded as its C++ tools expand it: n copies of the camera, m of the point, p observations,
    /// the i-th of camera i mod n and point i mod m, each with its own weight and feature.
    /// </summary>
    private sealed record Problem(int N, int M, int P, Tensor[] Cameras, Tensor[] Points, double[] Weights, double[] Features)
    {
        public static Problem Read(JsonNode input)
        {
            var (n, m, p) = (Json.Int(input, "n"), Json.Int(input, "m"), Json.Int(input, "p"));
            var cam = Json.Doubles(Json.Field(input, "cam"));
            var x = Json.Doubles(Json.Field(input, "x"));
            var w = Json.Double(input, "w");
            var feat = Json.Doubles(Json.Field(input, "feat"));
            return new(n, m, p,
                Enumerable.Range(0, n).Select(_ => Tensor.FromArray(cam, CameraParameters)).ToArray(),
                Enumerable.Range(0, m).Select(_ => Tensor.FromArray(x, 3)).ToArray(),
                Enumerable.Repeat(w, p).ToArray(),
                Enumerable.Range(0, 2 * p).Select(i => feat[i % 2]).ToArray());
        }

        public (int Camera, int Point) Observation(int i) => (i % N, i % M);
    }

    private static (double[] Reprojection, double[] Weight) Objective(Problem problem)
    {
        var reprojection = new double[2 * problem.P];
        var weight = new double[problem.P];
        for (var i = 0; i < problem.P; i++)
        {
            var (camera, point) = problem.Observation(i);
            for (var coordinate = 0; coordinate < 2; coordinate++)
            {
                reprojection[(2 * i) + coordinate] = ReprojectionError(problem.Cameras[camera], problem.Points[point], problem.Weights[i],
                    problem.Features[2 * i], problem.Features[(2 * i) + 1], coordinate);
            }
        }

        for (var i = 0; i < problem.P; i++)
        {
            weight[i] = WeightError(problem.Weights[i]);
        }

        return (reprojection, weight);
    }

    /// <summary>The Jacobian in compressed rows, as GradBench's C++ builds it: 2p rows of 15 entries, then p rows of one.</summary>
    private sealed record SparseJacobian(int[] Rows, int[] Columns, double[] Values);

    private static SparseJacobian Jacobian(Problem problem)
    {
        const int perRow = CameraParameters + 3 + 1;
        var rows = new int[(3 * problem.P) + 1];
        var columns = new int[(2 * perRow * problem.P) + problem.P];
        var values = new double[columns.Length];
        var pointColumns = CameraParameters * problem.N;
        var weightColumns = pointColumns + (3 * problem.M);
        var entry = 0;
        for (var i = 0; i < problem.P; i++)
        {
            var (camera, point) = problem.Observation(i);
            for (var coordinate = 0; coordinate < 2; coordinate++)
            {
                var (_, cache) = ReprojectionErrorForward(problem.Cameras[camera], problem.Points[point], problem.Weights[i],
                    problem.Features[2 * i], problem.Features[(2 * i) + 1], coordinate);
                var (dcam, dx, dw) = ReprojectionErrorBackward(1.0, cache);
                var camGradient = dcam.AsSpan();
                for (var j = 0; j < CameraParameters; j++, entry++)
                {
                    (columns[entry], values[entry]) = ((CameraParameters * camera) + j, camGradient[j]);
                }

                var pointGradient = dx.AsSpan();
                for (var j = 0; j < 3; j++, entry++)
                {
                    (columns[entry], values[entry]) = (pointColumns + (3 * point) + j, pointGradient[j]);
                }

                (columns[entry], values[entry]) = (weightColumns + i, dw);
                entry++;
                var row = (2 * i) + coordinate;
                rows[row + 1] = rows[row] + perRow;
            }
        }

        for (var i = 0; i < problem.P; i++, entry++)
        {
            (columns[entry], values[entry]) = (weightColumns + i, WeightErrorBackward(1.0, WeightErrorForward(problem.Weights[i]).Cache));
            var row = (2 * problem.P) + i;
            rows[row + 1] = rows[row] + 1;
        }

        return new(rows, columns, values);
    }

    /// <summary>GradBench sends the first 30 entries of each list and the last, not the p-fold repetition.</summary>
    private static JsonArray FirstThirtyAndLast<T>(T[] values) =>
        new([.. values.Take(30).Append(values[^1]).Select(v => JsonValue.Create(v))]);

    public static EvalModule Module { get; } = new("ba", new Dictionary<string, Func<JsonNode, Evaluation>>
    {
        ["objective"] = json =>
        {
            var problem = Problem.Read(json);
            return Evaluation.Of(() => Objective(problem), errors => new JsonObject
            {
                ["reproj_error"] = new JsonObject { ["elements"] = Json.Array(errors.Reprojection[..2]), ["repeated"] = problem.P },
                ["w_err"] = new JsonObject { ["element"] = errors.Weight[0], ["repeated"] = problem.P },
            });
        },
        ["jacobian"] = json =>
        {
            var problem = Problem.Read(json);
            return Evaluation.Of(() => Jacobian(problem), jacobian => new JsonObject
            {
                ["rows"] = FirstThirtyAndLast(jacobian.Rows),
                ["cols"] = FirstThirtyAndLast(jacobian.Columns),
                ["vals"] = FirstThirtyAndLast(jacobian.Values),
            });
        },
    });
}
