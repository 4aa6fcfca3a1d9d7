using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.CodeAnalysis;
using Xunit;

namespace BackpropGen.Generator.Tests;

/// <summary>
/// 500 straight-line programs drawn at random from the op set, compiled through the generator inside the test, and each
/// generated backward checked against central differences (200 on every run, the rest in the <see cref="ExtendedTier"/>). A failure names the program's seed: replay it with
/// <c>RandomProgramBuilder.Build(seed)</c>.
/// </summary>
public class RandomProgramTests
{
    private const double Bar = 1e-6;

    /// <summary>The central differences' step.</summary>
    private const double Step = 1e-5;

    /// <summary>What central differences with h = 1e-5 cannot tell from 0 for the outputs these programs have.</summary>
    private const double CentralDifferenceNoise = 1e-9;

    /// <summary>The fused and step-by-step backwards sum in different orders, and nothing else may differ.</summary>
    private const double FusedBar = 1e-10;
    private const int Programs = 500;
    internal const int ProgramsPerCompilation = 100;

    /// <summary>The straight-line programs every run of the suite checks (two batches); the rest are in the extended tier.</summary>
    private const int EveryRunPrograms = 200;

    /// <summary>The first seeds of the straight-line batches, those every run checks or (<paramref name="extended"/>) the rest.</summary>
    public static TheoryData<int> Batches(bool extended)
    {
        var (from, to) = extended ? (EveryRunPrograms, Programs) : (0, EveryRunPrograms);
        var data = new TheoryData<int>();
        for (var first = from; first < to; first += ProgramsPerCompilation)
        {
            data.Add(first);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Batches), false)]
    public void Generated_backward_of_random_programs_matches_central_differences(int firstSeed) => CheckStraightLinePrograms(firstSeed);

    [ExtendedTheory]
    [Trait("Category", ExtendedTier.Category)]
    [MemberData(nameof(Batches), true)]
    public void Generated_backward_of_more_random_programs_matches_central_differences(int firstSeed) => CheckStraightLinePrograms(firstSeed);

    /// <summary>
    /// 300 programs with loops and branches (<see cref="RandomProgramBuilder.BuildWithControlFlow"/>), their seeds apart from
    /// the straight-line ones', checked the same way: the first 100 on every run, the rest in the extended tier.
    /// </summary>
    [Fact]
    public void Generated_backward_of_random_programs_with_loops_and_branches_matches_central_differences() =>
        CheckPrograms(EveryRunControlFlowBatch.Value, minimumFused: 0, loops: true);

    /// <summary>
    /// The batch with loops that every run checks, generated once: its check and the wrong-tape-order one emit the same
    /// generated files (the second with its tape reads altered), so the generator's run and its pipeline checks need not
    /// be repeated for the second.
    /// </summary>
    private static readonly Lazy<GeneratedBatch> EveryRunControlFlowBatch = new(() =>
        Generate(Enumerable.Range(100_000, ProgramsPerCompilation).Select(RandomProgramBuilder.BuildWithControlFlow).ToList()));

    [ExtendedTheory]
    [Trait("Category", ExtendedTier.Category)]
    [InlineData(100_100)]
    [InlineData(100_200)]
    public void Generated_backward_of_more_random_programs_with_loops_and_branches_matches_central_differences(int firstSeed) => CheckControlFlowPrograms(firstSeed);

    private static void CheckStraightLinePrograms(int firstSeed) =>
        CheckPrograms(Enumerable.Range(firstSeed, ProgramsPerCompilation).Select(RandomProgramBuilder.Build).ToList(), minimumFused: 30);

    private static void CheckControlFlowPrograms(int firstSeed) =>
        CheckPrograms(Enumerable.Range(firstSeed, ProgramsPerCompilation).Select(RandomProgramBuilder.BuildWithControlFlow).ToList(), minimumFused: 0, loops: true);

    /// <summary>A batch of programs, the generator's run over them and the compilation with the generated files added.</summary>
    internal sealed record GeneratedBatch(List<RandomProgram> Programs, GeneratorDriverRunResult Result, Compilation Output);

    private static GeneratedBatch Generate(List<RandomProgram> programs)
    {
        var (result, output) = GeneratorHarness.Run(SourceOf(programs));
        return new GeneratedBatch(programs, result, output);
    }

    /// <summary>
    /// The every-run batch reaches both ways a backward reads what its forward recorded: tapes (values overwritten in
    /// loops, loops' locals) and cache fields (locals of arms outside every loop, kept at the arm's end), so that the
    /// gradient check above covers both.
    /// </summary>
    [Fact]
    public void The_every_run_programs_with_loops_record_on_tapes_and_keep_arm_locals_in_fields()
    {
        var generated = EveryRunControlFlowBatch.Value.Result.GeneratedTrees.Select(tree => tree.GetText().ToString()).ToList();
        var taping = generated.Count(text => text.Contains(".Push(", StringComparison.Ordinal) && text.Contains(".Pop()", StringComparison.Ordinal));
        var keeping = generated.Count(text => System.Text.RegularExpressions.Regex.IsMatch(text, @"\w+AtEnd = \w+;") && text.Contains("AtEnd;", StringComparison.Ordinal));
        Assert.True(taping >= 40, $"only {taping} of {generated.Count} programs record on a tape");
        Assert.True(keeping >= 5, $"only {keeping} of {generated.Count} programs keep an arm's local in a cache field");
    }

    /// <summary>
    /// The check is one that a tape read back in the wrong order fails: with every tape of the generated backwards read
    /// first record first, many programs with loops get wrong gradients (and none gets a right one by chance alone).
    /// </summary>
    [Fact]
    public void Random_programs_with_loops_fail_when_their_tapes_are_read_in_the_wrong_order()
    {
        var batch = EveryRunControlFlowBatch.Value;
        var programs = batch.Programs;
        var type = EmitAndLoad(batch, ReadTapesFirstRecordFirst);
        var failed = programs.Count(program =>
        {
            try
            {
                return !(Check(type, program).Error < Bar);
            }
            catch (TargetInvocationException)
            {
                return true;
            }
        });
        Assert.True(failed >= ProgramsPerCompilation / 10, $"only {failed} of {programs.Count} programs fail with their tapes read in the wrong order");
    }

    /// <summary>Rewrites every generated backward to read its tapes from the first record on, through a reader the test adds.</summary>
    private static Compilation ReadTapesFirstRecordFirst(Compilation compilation)
    {
        var generated = compilation.SyntaxTrees.Where(t => t.FilePath.Contains("DifferentiableGenerator", StringComparison.Ordinal)).ToList();
        foreach (var tree in generated)
        {
            var text = tree.GetText().ToString().Replace(".Rewind();", ".Rewind().FirstRecordFirst();", StringComparison.Ordinal);
            compilation = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text)));
        }

        return compilation.AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("""
            public static class WrongOrder
            {
                public static Reader<T> FirstRecordFirst<T>(this BackpropGen.TapeReader<T> reader) => new(reader);

                public sealed class Reader<T>
                {
                    private readonly System.Collections.Generic.Queue<T> _records = new();

                    public Reader(BackpropGen.TapeReader<T> reader)
                    {
                        var records = new System.Collections.Generic.List<T>();
                        while (reader.Remaining > 0)
                        {
                            records.Add(reader.Pop());
                        }

                        records.Reverse();
                        records.ForEach(_records.Enqueue);
                    }

                    public T Pop() => _records.Dequeue();
                }
            }
            """, (Microsoft.CodeAnalysis.CSharp.CSharpParseOptions)generated[0].Options));
    }

    private static string SourceOf(List<RandomProgram> programs) =>
        "using BackpropGen;\nusing static BackpropGen.Tensor;\n\npublic static partial class RandomPrograms\n{\n"
        + string.Join("\n", programs.Select(p => p.Source)) + "}\n";

    /// <summary>
    /// Checks each program's backward against central differences and, where it has a fused one, the fused against the
    /// step-by-step; at least <paramref name="minimumFused"/> must have run a fused backward.
    /// </summary>
    internal static void CheckPrograms(List<RandomProgram> programs, int minimumFused, bool loops = false, int minimumFusedForwards = 0) =>
        CheckPrograms(Generate(programs), minimumFused, loops, minimumFusedForwards);

    private static void CheckPrograms(GeneratedBatch batch, int minimumFused, bool loops, int minimumFusedForwards = 0)
    {
        var programs = batch.Programs;
        var type = EmitAndLoad(batch);
        var failures = new List<string>();
        var fusedRuns = 0;
        var fusedForwards = 0;
        foreach (var program in programs)
        {
            try
            {
                var worst = Check(type, program);
                if (!(worst.Error < Bar))
                {
                    failures.Add($"seed {program.Seed}: d{worst.Parameter} relative error {worst.Error:E2}\n{program.Source}");
                }

                if (CompareFusedForwardWithMethod(type, program) is { } forwardDifference)
                {
                    fusedForwards++;
                    if (!(forwardDifference < FusedBar))
                    {
                        failures.Add($"seed {program.Seed}: the forward in passes returns a result that differs from the method's by {forwardDifference:E2}\n{program.Source}");
                    }
                }

                var fused = CompareFusedWithSteps(type, program);
                if (fused is { } disagreement)
                {
                    fusedRuns++;
                    if (!(disagreement.Error < FusedBar))
                    {
                        failures.Add($"seed {program.Seed}: fused d{disagreement.Parameter} differs from the step-by-step one by {disagreement.Error:E2}\n{program.Source}");
                    }
                }
            }
            catch (Exception e) when (e is TargetInvocationException or ArgumentException or InvalidCastException)
            {
                failures.Add($"seed {program.Seed}: {(e as TargetInvocationException)?.InnerException ?? e}\n{program.Source}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {programs.Count} programs failed:\n" + string.Join("\n", failures.Take(5)));

        // The fused form must have been exercised, not skipped.
        Assert.True(fusedRuns >= minimumFused, $"only {fusedRuns} of {programs.Count} programs ran a fused backward");
        Assert.True(fusedForwards >= minimumFusedForwards, $"only {fusedForwards} of {programs.Count} programs ran a forward in passes");

        // And reassignment: a program that assigns an earlier value again (y = …, y += …) has a version of it.
        var reassigning = programs.Count(p => System.Text.RegularExpressions.Regex.IsMatch(p.Source, @"^\s+\w+ [-+*]?= ", System.Text.RegularExpressions.RegexOptions.Multiline));
        Assert.True(reassigning >= programs.Count / 5, $"only {reassigning} of {programs.Count} programs reassign a value");
        if (loops)
        {
            // And control flow: loops that carry a value from one iteration to the next, and branches.
            var carrying = programs.Count(p => WritesOverInALoop(p.Source));
            var branching = programs.Count(p => p.Source.Contains("if (", StringComparison.Ordinal));
            Assert.True(carrying >= programs.Count / 5, $"only {carrying} of {programs.Count} programs carry a value through a loop");
            Assert.True(branching >= programs.Count / 5, $"only {branching} of {programs.Count} programs branch");
            var reading = programs.Count(p => System.Text.RegularExpressions.Regex.IsMatch(p.Source, @"\w\[[^\]]*\] \* "));
            Assert.True(reading >= programs.Count / 10, $"only {reading} of {programs.Count} programs read elements");
        }
    }

    /// <summary>Whether a line inside a loop assigns a value declared before it (<c>v2 += …</c>, <c>x = …</c>).</summary>
    private static bool WritesOverInALoop(string source)
    {
        var loopIndent = int.MaxValue;
        foreach (var line in source.Split('\n'))
        {
            var indent = line.Length - line.TrimStart().Length;
            var text = line.TrimStart();
            if (indent <= loopIndent && loopIndent != int.MaxValue && text != "{" && text != "}")
            {
                loopIndent = int.MaxValue;
            }

            if (text.StartsWith("for (", StringComparison.Ordinal) || text.StartsWith("while (", StringComparison.Ordinal))
            {
                loopIndent = Math.Min(loopIndent, indent);
            }
            else if (indent > loopIndent && !text.StartsWith("var ", StringComparison.Ordinal) && !text.StartsWith("int ", StringComparison.Ordinal)
                && System.Text.RegularExpressions.Regex.IsMatch(text, @"^v?\w+ [-+*]?= ") && !text.Contains("++", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The arguments a program is run with (drawn from its seed) and the gradient of its result.</summary>
    private static (object[] Arguments, object Dout) Inputs(RandomProgram program)
    {
        var random = new Random(program.Seed);
        var arguments = program.Parameters
            .Select((p, i) => p.Shape is null ? (object)(random.NextDouble() * 2.0 - 1.0) : Tensor.RandomNormal(program.Seed * 31 + i, p.Shape))
            .Append(program.Labels)
            .ToArray();
        object dout = program.ResultShape is null ? 0.5 + random.NextDouble() : Tensor.RandomNormal(program.Seed * 31 + 97, program.ResultShape);
        return (arguments, dout);
    }

    /// <summary>
    /// For a program with a forward in passes that accepts its shapes, the largest difference between its result and the
    /// method's own (run as written), relative to the larger magnitude; null when there is none or it declined the shapes.
    /// The cache it builds is checked by the gradient check, which runs the forward the user calls.
    /// </summary>
    private static double? CompareFusedForwardWithMethod(Type type, RandomProgram program)
    {
        var fusedMethod = type.GetMethod(program.MethodName + "ForwardFused");
        if (fusedMethod is null)
        {
            return null;
        }

        var (arguments, _) = Inputs(program);
        if (fusedMethod.Invoke(null, arguments) is not { } fused)
        {
            return null;
        }

        var (output, _) = Unpack(fused);
        var expected = type.GetMethod(program.MethodName)!.Invoke(null, arguments)!;
        return output is Tensor tensor ? Difference((Tensor)expected, tensor)
            : Math.Abs((double)output - (double)expected) / Math.Max(1.0, Math.Abs((double)expected));
    }

    /// <summary>
    /// For a program with a fused backward that accepts its shapes, the largest relative difference between its
    /// gradients and the step-by-step ones; null when there is no fused form or it declined the shapes.
    /// </summary>
    private static (string Parameter, double Error)? CompareFusedWithSteps(Type type, RandomProgram program)
    {
        var fusedMethod = type.GetMethod(program.MethodName + "BackwardFused");
        if (fusedMethod is null)
        {
            return null;
        }

        var forward = type.GetMethod(program.MethodName + "Forward")!;
        var steps = type.GetMethod(program.MethodName + "BackwardSteps")!;
        var (arguments, dout) = Inputs(program);
        var (_, cache) = Unpack(forward.Invoke(null, arguments));
        var fused = fusedMethod.Invoke(null, new[] { dout, cache });
        if (fused is null)
        {
            return null;
        }

        var expected = steps.Invoke(null, new[] { dout, cache })!;
        var differentiable = program.Parameters.Where(p => p.IsDifferentiable).ToList();
        var fusedGradients = differentiable.Count == 1 ? new[] { fused } : TupleItems(fused);
        var stepGradients = differentiable.Count == 1 ? new[] { expected } : TupleItems(expected);
        var worst = (Parameter: string.Empty, Error: 0.0);
        for (var k = 0; k < differentiable.Count; k++)
        {
            var error = fusedGradients[k] is Tensor tensor
                ? Difference((Tensor)stepGradients[k], tensor)
                : Math.Abs((double)stepGradients[k] - (double)fusedGradients[k]) / Math.Max(1.0, Math.Abs((double)stepGradients[k]));
            // A NaN, once found, stays the worst (every comparison with it is false).
            if (!double.IsNaN(worst.Error) && !(error <= worst.Error))
            {
                worst = (differentiable[k].Name, error);
            }
        }

        return worst;
    }

    /// <summary>
    /// The relative error of a gradient against central differences, except where the two differ by less than the
    /// rounding noise of central differences themselves (a gradient that is exactly 0 by cancellation, such as that of
    /// <c>p - (p + q)</c>, comes out of them as 1e-11 or so, a relative error of order 1).
    /// </summary>
    private static double Discrepancy(double numerical, double analytic) =>
        Math.Abs(numerical - analytic) <= CentralDifferenceNoise ? 0.0 : GradCheck.RelativeError(numerical, analytic);

    /// <summary>The largest elementwise difference relative to the larger magnitude (at least 1).</summary>
    private static double Difference(Tensor expected, Tensor actual) =>
        Worst(expected, actual, (a, b) => Math.Abs(a - b) / Math.Max(1.0, Math.Max(Math.Abs(a), Math.Abs(b))));

    /// <summary>The largest error over the elements (NaN if any is NaN), or infinity when the shapes differ.</summary>
    private static double Worst(Tensor expected, Tensor actual, Func<double, double, double> error)
    {
        if (expected.Shape != actual.Shape)
        {
            return double.PositiveInfinity;
        }

        var worst = 0.0;
        var a = expected.AsSpan();
        var b = actual.AsSpan();
        for (var i = 0; i < a.Length; i++)
        {
            var e = error(a[i], b[i]);
            if (double.IsNaN(e))
            {
                return double.NaN;
            }

            worst = Math.Max(worst, e);
        }

        return worst;
    }

    /// <summary>
    /// Emits the generated batch's assembly. Emitting binds every method body, so its diagnostics are the compilation's
    /// warnings and errors: asking for them before it as well would bind the 100 programs twice.
    /// </summary>
    private static Type EmitAndLoad(GeneratedBatch batch, Func<Compilation, Compilation>? alter = null)
    {
        var (programs, result) = (batch.Programs, batch.Result);
        var output = alter is null ? batch.Output : alter(batch.Output);
        using var stream = new MemoryStream();
        var emitted = output.Emit(stream);
        var problems = emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Concat(result.Diagnostics).ToList();
        if (problems.Count > 0 || !emitted.Success)
        {
            var methods = problems
                .Select(e => e.Location.SourceTree?.FilePath + " " + e)
                .Take(10);
            Assert.Fail($"The programs of seeds {programs[0].Seed}..{programs[^1].Seed} do not compile:\n" + string.Join("\n", methods));
        }

        return Assembly.Load(stream.ToArray()).GetType("RandomPrograms")!;
    }

    /// <summary>
    /// The largest relative error of the generated gradients against central differences, and whose it is. Each gradient
    /// is checked along one random direction <c>v</c> of its parameter's shape: the backward's <c>⟨dp, v⟩</c> against
    /// <c>(L(p + h·v) - L(p - h·v)) / 2h</c>, where <c>L = ⟨dout, result⟩</c>. That is two forward runs per parameter
    /// instead of two per element, and a gradient wrong in any element is off along a random direction all the same
    /// (unless the error is orthogonal to it, which a normally drawn direction is with probability 0).
    /// </summary>
    private static (string Parameter, double Error) Check(Type type, RandomProgram program)
    {
        var method = type.GetMethod(program.MethodName)!;
        var forward = type.GetMethod(program.MethodName + "Forward")!;
        var backward = type.GetMethod(program.MethodName + "Backward")!;
        var (arguments, dout) = Inputs(program);

        var (_, cache) = Unpack(forward.Invoke(null, arguments));
        var returned = backward.Invoke(null, new[] { dout, cache })!;
        var differentiable = program.Parameters.Where(p => p.IsDifferentiable).ToList();
        var gradients = differentiable.Count == 1 ? new[] { returned } : TupleItems(returned);

        var worst = (Parameter: string.Empty, Error: 0.0);
        for (var k = 0; k < differentiable.Count; k++)
        {
            var index = program.Parameters.ToList().IndexOf(differentiable[k]);
            var direction = Direction(program, index);
            var analytic = direction is Tensor v ? Inner((Tensor)gradients[k], v) : (double)gradients[k] * (double)direction;
            var numerical = DirectionalDifference(method, arguments, index, direction, dout);
            var error = Discrepancy(numerical, analytic);
            // A NaN, once found, stays the worst (every comparison with it is false).
            if (!double.IsNaN(worst.Error) && !(error <= worst.Error))
            {
                worst = (differentiable[k].Name, error);
            }
        }

        return worst;
    }

    /// <summary>The random direction a parameter's gradient is checked along: normal elements, or ±1 for a double.</summary>
    private static object Direction(RandomProgram program, int index)
    {
        var shape = program.Parameters[index].Shape;
        return shape is null
            ? (new Random(program.Seed * 131 + index).Next(2) == 0 ? -1.0 : 1.0)
            : Tensor.RandomNormal(program.Seed * 131 + index, shape);
    }

    /// <summary>The central difference of <c>⟨dout, result⟩</c> along <paramref name="direction"/> at the arguments.</summary>
    private static double DirectionalDifference(MethodInfo method, object[] arguments, int index, object direction, object dout)
    {
        object Moved(double by) => direction is Tensor v ? (Tensor)arguments[index] + by * v : (double)arguments[index] + by * (double)direction;
        double Weighted(object result) => result is Tensor tensor ? Inner((Tensor)dout, tensor) : (double)result * (double)dout;
        return (Weighted(Call(method, arguments, index, Moved(Step))) - Weighted(Call(method, arguments, index, Moved(-Step)))) / (2 * Step);
    }

    /// <summary>The sum of the elementwise product; NaN, which fails the check, for a gradient of the wrong shape (not broadcast).</summary>
    private static double Inner(Tensor a, Tensor b) => a.Shape == b.Shape ? Tensor.Sum(a * b) : double.NaN;

    private static object Call(MethodInfo method, object[] arguments, int index, object value)
    {
        var changed = (object[])arguments.Clone();
        changed[index] = value;
        return method.Invoke(null, changed)!;
    }

    private static (object Out, object Cache) Unpack(object? tuple)
    {
        var items = TupleItems(tuple!);
        return (items[0], items[1]);
    }

    private static object[] TupleItems(object tuple)
    {
        var items = (ITuple)tuple;
        return Enumerable.Range(0, items.Length).Select(i => items[i]!).ToArray();
    }
}

/// <summary>
/// Programs of elementwise steps and reductions, most of which get a fused backward: the fused gradients must match
/// central differences and the step-by-step ones. A class of their own, so that they run beside
/// <see cref="RandomProgramTests"/> (the rows of one class run one after another).
/// </summary>
public class RandomRowwiseProgramTests
{
    [Fact]
    public void Fused_backward_of_random_rowwise_programs_matches_the_steps_and_central_differences() => Check(100_000);

    [ExtendedFact]
    [Trait("Category", ExtendedTier.Category)]
    public void Fused_backward_of_more_random_rowwise_programs_matches_the_steps_and_central_differences() => Check(100_100);

    private static void Check(int firstSeed) =>
        RandomProgramTests.CheckPrograms(Enumerable.Range(firstSeed, RandomProgramTests.ProgramsPerCompilation).Select(RandomProgramBuilder.BuildRowwise).ToList(), minimumFused: 40, minimumFusedForwards: 15);
}
