using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Xunit;
using static BackpropGen.GradBench.Tests.ToolSession;

namespace BackpropGen.GradBench.Tests;

/// <summary>
/// The GradBench tool driven through protocol sessions in process, as GradBench's evals drive it: each gradient it
/// answers is checked against central differences of the objective it answers, both through the protocol.
/// </summary>
public sealed class ProtocolSessionTests
{
    private const double Tolerance = 1e-6;

    [Fact]
    public void A_session_starts_defines_only_the_implemented_modules_and_acknowledges_analyses()
    {
        var session = new ToolSession();
        var start = session.Send(new JsonObject { ["kind"] = "start", ["eval"] = "hello" });
        Assert.Equal("backpropgen", start["tool"]!.GetValue<string>());
        foreach (var module in new[] { "hello", "lse", "llsq", "ode", "gmm", "lstm", "ba" })
        {
            Assert.True(session.Define(module), module);
        }

        Assert.False(session.Define("saddle"));
        var analysis = session.Send(new JsonObject { ["kind"] = "analysis", ["of"] = 3, ["valid"] = true });
        Assert.Equal(["id"], analysis.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void Evaluate_runs_at_least_min_runs_times_with_one_timing_a_run_and_reports_a_failure_as_unsuccessful()
    {
        var session = new ToolSession();
        var input = new JsonObject { ["x"] = List([0.5, -1.0, 2.0]), ["min_runs"] = 4, ["min_seconds"] = 0.0 };
        var response = session.Send(new JsonObject { ["kind"] = "evaluate", ["module"] = "lse", ["function"] = "primal", ["input"] = input });
        Assert.True(response["success"]!.GetValue<bool>());
        Assert.Equal(4, response["timings"]!.AsArray().Count(t => t!["name"]!.GetValue<string>() == "evaluate"));

        var missing = session.Send(new JsonObject { ["kind"] = "evaluate", ["module"] = "lse", ["function"] = "hessian", ["input"] = new JsonObject { ["x"] = List([1.0]) } });
        Assert.False(missing["success"]!.GetValue<bool>());
    }

    [Fact]
    public void The_tool_answers_each_line_of_its_input_on_a_line_of_its_output()
    {
        var messages = string.Join('\n',
            """{"id": 0, "kind": "start"}""",
            """{"id": 1, "kind": "define", "module": "hello"}""",
            """{"id": 2, "kind": "evaluate", "module": "hello", "function": "square", "input": 3.0}""",
            """{"id": 3, "kind": "evaluate", "module": "hello", "function": "double", "input": 9.0}""");
        var output = new StringWriter();
        new ProtocolSession(Evals.Modules.All).Run(new StringReader(messages), output);
        var responses = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!).ToArray();
        Assert.Equal([0L, 1, 2, 3], responses.Select(r => r["id"]!.GetValue<long>()));
        Assert.Equal(9.0, responses[2]["output"]!.GetValue<double>());
        Assert.Equal(18.0, responses[3]["output"]!.GetValue<double>());
    }

    [Fact]
    public void Hello_double_is_the_gradient_of_square()
    {
        var session = new ToolSession();
        var numerical = session.FiniteDifferences("hello", "square", [1.7], x => JsonValue.Create(x[0]), output => output.GetValue<double>());
        AssertClose(numerical, [session.Evaluate("hello", "double", JsonValue.Create(1.7)).GetValue<double>()], Tolerance);
    }

    [Fact]
    public void Lse_gradient_matches_finite_differences_of_primal()
    {
        var session = new ToolSession();
        var x = Uniform(1, 9, -3, 3);
        JsonNode Input(double[] v) => new JsonObject { ["x"] = List(v) };
        var numerical = session.FiniteDifferences("lse", "primal", x, Input, output => output.GetValue<double>());
        AssertClose(numerical, Numbers(session.Evaluate("lse", "gradient", Input(x))), Tolerance);
    }

    [Fact]
    public void Llsq_gradient_matches_finite_differences_of_primal()
    {
        var session = new ToolSession();
        var x = Uniform(2, 6, -1, 1);
        JsonNode Input(double[] v) => new JsonObject { ["x"] = List(v), ["n"] = 11 };
        var numerical = session.FiniteDifferences("llsq", "primal", x, Input, output => output.GetValue<double>());
        AssertClose(numerical, Numbers(session.Evaluate("llsq", "gradient", Input(x))), Tolerance);
    }

    [Fact]
    public void Ode_gradient_matches_finite_differences_of_the_last_element_of_primal()
    {
        var session = new ToolSession();
        var x = Uniform(3, 5);
        JsonNode Input(double[] v) => new JsonObject { ["x"] = List(v), ["s"] = 4 };
        var numerical = session.FiniteDifferences("ode", "primal", x, Input, output => Numbers(output)[^1]);
        AssertClose(numerical, Numbers(session.Evaluate("ode", "gradient", Input(x))), Tolerance);
    }

    [Fact]
    public void Gmm_jacobian_matches_finite_differences_of_objective()
    {
        var session = new ToolSession();
        const int d = 3, k = 2, n = 5;
        var lSize = d * (d - 1) / 2;
        // alpha, mu, q and l, one after the other: the order of the jacobian's fields below
        var parameters = Uniform(4, k + (2 * k * d) + (k * lSize), -1, 1);
        var x = Uniform(5, n * d, -1, 1);
        JsonNode Input(double[] v) => new JsonObject
        {
            ["d"] = d, ["k"] = k, ["n"] = n, ["m"] = 1, ["gamma"] = 1.3,
            ["x"] = Rows(x, n),
            ["alpha"] = List(v[..k]),
            ["mu"] = Rows(v.AsSpan(k, k * d), k),
            ["q"] = Rows(v.AsSpan(k + (k * d), k * d), k),
            ["l"] = Rows(v.AsSpan(k + (2 * k * d), k * lSize), k),
        };
        var numerical = session.FiniteDifferences("gmm", "objective", parameters, Input, output => output.GetValue<double>());
        var jacobian = session.Evaluate("gmm", "jacobian", Input(parameters));
        AssertClose(numerical, [.. new[] { "alpha", "mu", "q", "l" }.SelectMany(field => Numbers(jacobian[field]))], Tolerance);
    }

    [Fact]
    public void Lstm_jacobian_matches_finite_differences_of_objective()
    {
        var session = new ToolSession();
        const int layers = 2, b = 3, c = 4;
        var parameters = Uniform(6, (2 * layers * 4 * b) + (3 * b));
        var state = Uniform(7, 2 * layers * b);
        var sequence = Uniform(8, c * b).Select(v => Math.Round(v)).ToArray();
        JsonNode Input(double[] v) => new JsonObject
        {
            ["main_params"] = Rows(v.AsSpan(0, 2 * layers * 4 * b), 2 * layers),
            ["extra_params"] = Rows(v.AsSpan(2 * layers * 4 * b), 3),
            ["state"] = Rows(state, 2 * layers),
            ["sequence"] = Rows(sequence, c),
        };
        var numerical = session.FiniteDifferences("lstm", "objective", parameters, Input, output => output.GetValue<double>());
        AssertClose(numerical, Numbers(session.Evaluate("lstm", "jacobian", Input(parameters))), Tolerance);
    }

    [Fact]
    public void Ba_jacobian_rows_match_finite_differences_of_the_first_observation_and_the_weight_error()
    {
        var session = new ToolSession();
        const int n = 2, m = 3, p = 5;
        // a camera (rotation, centre, focal length, principal point, distortion), a point and a weight, as GradBench's files
        double[] cam = [-0.76, -1.1, -0.85, 34.6, 39.7, 53.9, 419.2, 5.86, -8.52, 0.0878, 0.00274];
        double[] point = [7.2, 0.0011, 3.0];
        double[] parameters = [.. cam, .. point, 0.417];
        JsonNode Input(double[] v) => new JsonObject
        {
            ["n"] = n, ["m"] = m, ["p"] = p,
            ["cam"] = List(v[..11]), ["x"] = List(v[11..14]), ["w"] = v[14], ["feat"] = List([271.8, 834.2]),
        };
        var jacobian = session.Evaluate("ba", "jacobian", Input(parameters));
        var values = Numbers(jacobian["vals"]);
        // the first 30 entries: the first observation's rows of reprojection error, 15 entries each (its camera, its
        // point, its weight); the last: the last weight's error
        for (var coordinate = 0; coordinate < 2; coordinate++)
        {
            var numerical = session.FiniteDifferences("ba", "objective", parameters, Input,
                output => Numbers(output["reproj_error"]!["elements"])[coordinate]);
            AssertClose(numerical, values[(15 * coordinate)..(15 * (coordinate + 1))], Tolerance);
        }

        var weightNumerical = session.FiniteDifferences("ba", "objective", parameters[14..], v => Input([.. parameters[..14], v[0]]),
            output => output["w_err"]!["element"]!.GetValue<double>());
        AssertClose(weightNumerical, [values[^1]], Tolerance);
        // the columns: camera 0's 11 parameters, then point 0's 3 after all n cameras', then weight 0's after all m points'
        Assert.Equal([.. Enumerable.Range(0, 11), .. Enumerable.Range(11 * n, 3), (11 * n) + (3 * m)], Numbers(jacobian["cols"]).Take(15).Select(c => (int)c));
        Assert.Equal((11 * n) + (3 * m) + p - 1, (int)Numbers(jacobian["cols"])[^1]);
    }
}
