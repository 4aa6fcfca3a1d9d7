using System;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace BackpropGen.Generator.Tests;

public class GeneratedCodeTests
{
    [Theory]
    [InlineData(Sources.SpecBatchNorm)]
    [InlineData(Sources.SeedBatchNorm)]
    public void Generated_batchnorm_compiles_without_warnings(string source)
    {
        var (result, output) = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilationProblems(output));
    }

    [Fact]
    public void A_condition_computed_from_a_parameter_gets_no_gradient_and_its_steps_no_backward()
    {
        var (result, output) = GeneratorHarness.Run("""
            using BackpropGen;
            using static BackpropGen.Tensor;

            public static partial class Layers
            {
                [Differentiable]
                public static Tensor Gated(Tensor x, Tensor a, Tensor b)
                {
                    var gate = Relu(x - 0.5);
                    var chosen = Where(gate, a * x, b);
                    return chosen;
                }
            }
            """);
        Assert.Empty(GeneratorHarness.CompilationProblems(output));
        var text = result.Results.Single().GeneratedSources.Single().SourceText.ToString();
        // The backward begins at its block of the last step; the forward has its steps before that.
        var backward = text.Substring(text.LastIndexOf("// step 2: chosen", StringComparison.Ordinal));
        Assert.DoesNotContain("// step 1: gate", backward);
        Assert.DoesNotContain("Zeros", backward);
        Assert.Contains("var db = ", backward);
    }

    [Fact]
    public void Seed_named_backward_has_the_seed_steps_and_gradient_names_in_reverse_order()
    {
        var text = GeneratedBackward(Sources.SeedBatchNorm);

        var steps = Regex.Matches(text, @"// step (\d+)").Select(m => int.Parse(m.Groups[1].Value)).ToArray();
        Assert.Equal(new[] { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 }, steps);

        var declared = Regex.Matches(text, @"var (d\w+) =").Select(m => m.Groups[1].Value).ToArray();
        var seedNames = new[] { "dbeta", "dgammax", "dgamma", "dxhat", "divar", "dxmu1", "dsqrtvar", "dvar", "dsq", "dxmu2", "dx1", "dmu", "dx2", "dx" };
        Assert.Empty(seedNames.Except(declared));
    }

    [Fact]
    public void Cache_holds_the_input_and_vectors_and_the_backward_recomputes_xmu_and_xhat()
    {
        var (result, _) = GeneratorHarness.Run(Sources.SeedBatchNorm);
        var text = result.Results.Single().GeneratedSources.Single().SourceText.ToString();
        var record = Regex.Match(text, @"record BatchNormCache\((.*)\);").Groups[1].Value;
        var tensors = record.Split(", ").Where(f => f.StartsWith("global::BackpropGen.Tensor ")).Select(f => f.Split(' ')[1]).ToArray();

        // The seed caches (xhat, gamma, xmu, ivar, sqrtvar, var, eps). Reusing sqrtvar in step 5 drops var and eps;
        // recomputing xmu = x - mu and xhat = xmu * ivar drops the two N×D tensors: x is the caller's input.
        Assert.Equal(new[] { "X", "Gamma", "Mu", "Sqrtvar", "Ivar" }, tensors);
        Assert.Contains("var xmu = x - mu;", text);
        Assert.Contains("var xhat = xmu * ivar;", text);
    }

    [Fact]
    public void Fused_pass_multiplies_factors_once_when_they_are_rows_and_keeps_a_row_apart_from_a_column()
    {
        // BatchNorm's gamma * ivar is a row times a row (ivar reduces along axis 0): one row, made once, read by pass 2.
        var batchNorm = GeneratedText(Sources.SeedBatchNorm);
        Assert.Contains("var dxmu1Factor = gamma * ivar;", batchNorm);
        Assert.Contains("var dxmu1 = dout_j * dxmu1Factor_j;", batchNorm);

        // LayerNorm's gamma / std is a row times a column (std reduces along axis 1): multiplied once it would be a full
        // N×D tensor, so the pass reads gamma's row and std's one value for the row, and multiplies lane by lane.
        var (samples, _) = GeneratorHarness.Run(RepositoryFiles.Read("samples/Layers/Layers.cs"));
        var layerNorm = samples.Results.Single().GeneratedSources.Single(file => file.HintName.EndsWith(".LayerNorm.g.cs")).SourceText.ToString();
        Assert.Contains("LayerNormBackwardFused", layerNorm);
        Assert.DoesNotContain("Factor = ", layerNorm);
        Assert.Contains("var dxmu1 = dxhat / std_i;", layerNorm);
    }

    private static string GeneratedText(string source) =>
        GeneratorHarness.Run(source).Result.Results.Single().GeneratedSources.Single().SourceText.ToString();

    [Fact]
    public void Graph_labels_escape_quotes_and_backslashes_of_the_step_for_DOT()
    {
        var text = GeneratedText("""
            using BackpropGen;

            public static partial class Layers
            {
                [Differentiable]
                public static Tensor Labelled(Tensor x)
                {
                    var y = x * "a\"b\\c".Length;
                    return y;
                }
            }
            """);
        var graph = text.Substring(text.IndexOf("const string LabelledGraph = @\"", StringComparison.Ordinal));

        // DOT's escapes (\" and \\) inside a C# verbatim string (quotes doubled).
        Assert.Contains("\"\"y\"\" [label=\"\"step 1\\ny = x * \\\"\"a\\\\\\\"\"b\\\\\\\\c\\\"\".Length\"\"];", graph);
    }

    [Fact]
    public void Named_arguments_out_of_the_parameters_order_are_differentiated_by_their_parameters()
    {
        var (result, output) = GeneratorHarness.Run("""
            using BackpropGen;
            using static BackpropGen.Tensor;

            public static partial class Layers
            {
                [Differentiable]
                public static double Spread(Tensor x)
                {
                    var xc = x - Mean(keepDims: true, axis: 1, x: x);
                    var sq = Square(xc);
                    var total = Sum(sq);
                    return total;
                }
            }
            """);
        Assert.Empty(GeneratorHarness.CompilationProblems(output));
        using var stream = new System.IO.MemoryStream();
        Assert.True(output.Emit(stream).Success);
        var layers = System.Reflection.Assembly.Load(stream.ToArray()).GetType("Layers")!;
        var x = BackpropGen.Tensor.RandomNormal(7, 3, 4);

        var forward = layers.GetMethod("SpreadForward")!.Invoke(null, new object[] { x })!;
        var cache = forward.GetType().GetField("Item2")!.GetValue(forward)!;
        var dx = (BackpropGen.Tensor)layers.GetMethod("SpreadBackward")!.Invoke(null, new object[] { 1.0, cache })!;
        var numerical = BackpropGen.GradCheck.Numerical(v => (double)layers.GetMethod("Spread")!.Invoke(null, new object[] { v })!, x);

        Assert.True(BackpropGen.GradCheck.RelativeError(numerical, dx) < 1e-6, $"relative error {BackpropGen.GradCheck.RelativeError(numerical, dx)}");
    }

    [Fact]
    public void A_compound_step_over_a_matrix_product_is_not_multiplied_again_and_no_transpose_is_built()
    {
        var (result, output) = GeneratorHarness.Run("""
            using BackpropGen;
            using static BackpropGen.Tensor;

            public static partial class L
            {
                [Differentiable]
                public static double Mlp([NoGrad] Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2)
                {
                    var h = Relu(Dot(x, w1) + b1);
                    var scores = Dot(h, w2) + b2;
                    var loss = Sum(Square(scores));
                    return loss;
                }
            }
            """);
        Assert.Empty(GeneratorHarness.CompilationProblems(output));
        var text = result.Results.Single().GeneratedSources.Single().SourceText.ToString();
        var start = text.IndexOf("MlpBackwardSteps(double", StringComparison.Ordinal);
        var steps = text.Substring(start, text.IndexOf("MlpBackwardFused(double", StringComparison.Ordinal) - start);

        // Its statements, without the quotes of the steps in comments and in the failure message.
        var code = string.Join("\n", steps.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("var ", StringComparison.Ordinal)));

        // Neither product is computed again: ReLU's mask reads its output h, and step 2's shape follows from h's and
        // w2's. The gradients read their operands transposed in place.
        Assert.Empty(Regex.Matches(code, @"(?<![A-Za-z])Dot\("));
        Assert.Contains("Greater(h, 0.0)", code, StringComparison.Ordinal);
        Assert.DoesNotContain("Transpose(", code.Replace("DotTranspose", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("global::BackpropGen.TensorShape.OfDot(h.Shape, w2.Shape)", code, StringComparison.Ordinal);
    }

    /// <summary>The step-by-step backward (BatchNorm has a fused one too, which follows it).</summary>
    [Fact]
    public void A_weight_gradient_a_loop_only_adds_to_is_summed_in_place_and_one_the_loop_reads_is_not()
    {
        // dw and db are only added to, step after step: they grow in buffers of their own. dh is read by the next
        // reversed step (and reassigned): it stays a tensor, since another value may share its array.
        var (result, _) = GeneratorHarness.Run("""
            using BackpropGen;
            using static BackpropGen.Tensor;

            public static partial class L
            {
                [Differentiable]
                public static Tensor F(Tensor h, Tensor w, Tensor b, int n)
                {
                    for (int t = 0; t < n; t++)
                    {
                        h = Tanh(Dot(h, w) + b);
                    }

                    return h;
                }
            }
            """);
        var text = result.Results.Single().GeneratedSources.Single().SourceText.ToString();
        var backward = text.Substring(text.IndexOf("FBackward(", StringComparison.Ordinal));

        Assert.Contains("var dwSum = global::BackpropGen.GradientBuffer.Zeros(w.Shape);", backward);
        Assert.Contains("var dbSum = global::BackpropGen.GradientBuffer.Zeros(b.Shape);", backward);
        // The product is added into the sum as it is computed; the bias's gradient, a sum to its shape, row by row.
        Assert.Contains("dwSum.AddDotTransposeA(h, ", backward);
        Assert.Contains("dbSum.AddSumTo(", backward);
        Assert.DoesNotContain("Tensor.SumTo(", backward.Substring(backward.IndexOf("dbSum.", StringComparison.Ordinal)).Split('\n')[0]);
        Assert.DoesNotContain("Tensor.DotTransposeA(", backward);
        Assert.Contains("var dw = dwSum.Flush();", backward);
        Assert.DoesNotContain("dw +=", backward);
        Assert.DoesNotContain("dhSum", backward);
    }

    [Fact]
    public void A_forward_of_elementwise_steps_and_sums_runs_in_passes_and_one_with_a_product_step_by_step()
    {
        // Norm's steps are elementwise or a mean of a full-size value: its forward is planned in passes, which keep
        // the sums in registers and store only the result and what the cache keeps. Affine's product has no lane form: its forward runs as written.
        var (result, _) = GeneratorHarness.Run("""
            using BackpropGen;
            using static BackpropGen.Tensor;

            public static partial class L
            {
                [Differentiable]
                public static Tensor Norm(Tensor x, Tensor gamma)
                {
                    var mu = Mean(x, axis: 1, keepDims: true);
                    var xmu = x - mu;
                    var scale = Sqrt(Mean(Square(xmu), axis: 1, keepDims: true) + 1e-5);
                    var y = gamma * xmu / scale;
                    return y;
                }

                [Differentiable]
                public static Tensor Affine(Tensor x, Tensor w, Tensor b)
                {
                    var z = Dot(x, w) + b;
                    var m = Mean(z, axis: 0);
                    var y = z - m;
                    return y;
                }
            }
            """);
        var sources = result.Results.Single().GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());
        var norm = sources.Single(s => s.Key.Contains("Norm", StringComparison.Ordinal)).Value;
        var affine = sources.Single(s => s.Key.Contains("Affine", StringComparison.Ordinal)).Value;

        Assert.Contains("if (NormForwardFused(x, gamma) is { } fused)", norm);
        // The mean that is a step's value and the one inside Sqrt(…) are both summed per row, in a register.
        Assert.Contains(" = x.Shape.Reduced(1, keepDims: true);", norm);
        Assert.Contains("out var muSumSink)", norm);
        Assert.Contains("layout.TrySinkColumn(scaleSumShape, out var scaleSumSink)", norm);
        // The result is stored, and xmu, which the cache keeps, too; nothing else full-size is.
        Assert.Contains("var yOut = layout.Output();", norm);
        Assert.Contains("var xmuOut = layout.Output();", norm);
        var passes = norm.Substring(norm.IndexOf("NormForwardFused(global::", StringComparison.Ordinal));
        passes = passes.Substring(0, passes.IndexOf("/// <summary>Backpropagates", StringComparison.Ordinal));
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(passes, @"= layout\.Output\(\);").Count);
        Assert.Contains("BackwardFused(", affine);
        Assert.DoesNotContain("ForwardFused", affine);
    }

    [Fact]
    public void An_arms_local_outside_every_loop_is_kept_in_a_cache_field_and_one_inside_a_loop_on_a_tape()
    {
        // u, declared in an arm that runs at most once a call, is kept as it is at the arm's end; v, declared in an arm
        // inside the loop, once an iteration, goes on a tape. Both are read by their arm's backward (Sin's derivative).
        var (result, _) = GeneratorHarness.Run("""
            using BackpropGen;
            using static BackpropGen.Tensor;

            public static partial class L
            {
                [Differentiable]
                public static double F(double x, int n)
                {
                    double y = x;
                    if (x > 0)
                    {
                        double u = x * x;
                        y = System.Math.Sin(u);
                    }

                    for (int i = 0; i < n; i++)
                    {
                        if (y > 0.5)
                        {
                            double v = y * 2.0;
                            y = System.Math.Sin(v);
                        }
                    }

                    return y;
                }
            }
            """);
        var text = result.Results.Single().GeneratedSources.Single().SourceText.ToString();

        Assert.Contains("public sealed record FCache(double X, int N, double UAtEnd, global::BackpropGen.Tape<double> VTape", text);
        Assert.Contains("double uAtEnd = default;", text);
        Assert.Contains("uAtEnd = u;", text);
        Assert.Contains("var u = uAtEnd;", text);
        Assert.Contains("vTape.Push(v);", text);
        Assert.Contains("var v = vTape.Pop();", text);
        Assert.DoesNotContain("uTape", text);
        Assert.Contains("public long TapeBytes => VTape.Bytes + ", text);
        Assert.DoesNotContain("UAtEnd.Bytes", text);
    }

    private static string GeneratedBackward(string source)
    {
        var (result, _) = GeneratorHarness.Run(source);
        var text = result.Results.Single().GeneratedSources.Single().SourceText.ToString();
        var start = text.IndexOf("BatchNormBackwardSteps(global::", StringComparison.Ordinal);
        return text.Substring(start, text.IndexOf("BatchNormBackwardFused(global::", StringComparison.Ordinal) - start);
    }
}
