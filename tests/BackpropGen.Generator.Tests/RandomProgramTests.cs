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
/// generated backward checked against central differences. A failure names the program's seed: replay it with
/// <c>RandomProgramBuilder.Build(seed)</c>.
/// </summary>
public class RandomProgramTests
{
    private const double Bar = 1e-6;
    private const int Programs = 500;
    private const int ProgramsPerCompilation = 100;

    public static TheoryData<int> Batches()
    {
        var data = new TheoryData<int>();
        for (var first = 0; first < Programs; first += ProgramsPerCompilation)
        {
            data.Add(first);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Batches))]
    public void Generated_backward_of_random_programs_matches_central_differences(int firstSeed)
    {
        var programs = Enumerable.Range(firstSeed, ProgramsPerCompilation).Select(RandomProgramBuilder.Build).ToList();
        var source = "using BackpropGen;\nusing static BackpropGen.Tensor;\n\npublic static partial class RandomPrograms\n{\n"
            + string.Join("\n", programs.Select(p => p.Source)) + "}\n";

        var type = CompileAndLoad(source, programs);
        var failures = new List<string>();
        foreach (var program in programs)
        {
            try
            {
                var worst = Check(type, program);
                if (!(worst.Error < Bar))
                {
                    failures.Add($"seed {program.Seed}: d{worst.Parameter} relative error {worst.Error:E2}\n{program.Source}");
                }
            }
            catch (Exception e) when (e is TargetInvocationException or ArgumentException or InvalidCastException)
            {
                failures.Add($"seed {program.Seed}: {(e as TargetInvocationException)?.InnerException ?? e}\n{program.Source}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {programs.Count} programs failed:\n" + string.Join("\n", failures.Take(5)));
    }

    private static Type CompileAndLoad(string source, IReadOnlyList<RandomProgram> programs)
    {
        var (result, output) = GeneratorHarness.Run(source);
        var errors = GeneratorHarness.CompilationProblems(output).Concat(result.Diagnostics).ToList();
        if (errors.Count > 0)
        {
            var methods = errors
                .Select(e => e.Location.SourceTree?.FilePath + " " + e)
                .Take(10);
            Assert.Fail($"The programs of seeds {programs[0].Seed}..{programs[^1].Seed} do not compile:\n" + string.Join("\n", methods));
        }

        using var stream = new MemoryStream();
        var emitted = output.Emit(stream);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return Assembly.Load(stream.ToArray()).GetType("RandomPrograms")!;
    }

    /// <summary>The largest relative error of the generated gradients against central differences, and whose it is.</summary>
    private static (string Parameter, double Error) Check(Type type, RandomProgram program)
    {
        var random = new Random(program.Seed);
        var method = type.GetMethod(program.MethodName)!;
        var forward = type.GetMethod(program.MethodName + "Forward")!;
        var backward = type.GetMethod(program.MethodName + "Backward")!;

        var arguments = program.Parameters
            .Select((p, i) => p.Shape is null ? (object)(random.NextDouble() * 2.0 - 1.0) : Tensor.RandomNormal(program.Seed * 31 + i, p.Shape))
            .Append(program.Labels)
            .ToArray();
        object dout = program.ResultShape is null ? 0.5 + random.NextDouble() : Tensor.RandomNormal(program.Seed * 31 + 97, program.ResultShape);

        var (_, cache) = Unpack(forward.Invoke(null, arguments));
        var returned = backward.Invoke(null, new[] { dout, cache })!;
        var differentiable = program.Parameters.Where(p => p.IsDifferentiable).ToList();
        var gradients = differentiable.Count == 1 ? new[] { returned } : TupleItems(returned);

        var worst = (Parameter: string.Empty, Error: 0.0);
        for (var k = 0; k < differentiable.Count; k++)
        {
            var index = program.Parameters.ToList().IndexOf(differentiable[k]);
            var error = differentiable[k].Shape is null
                ? GradCheck.RelativeError(NumericalForDouble(method, arguments, index, dout), (double)gradients[k])
                : GradCheck.RelativeError(NumericalForTensor(method, arguments, index, dout), (Tensor)gradients[k]);
            if (!(error <= worst.Error))
            {
                worst = (differentiable[k].Name, error);
            }
        }

        return worst;
    }

    private static Tensor NumericalForTensor(MethodInfo method, object[] arguments, int index, object dout)
    {
        var point = (Tensor)arguments[index];
        return dout is Tensor tensorDout
            ? GradCheck.Numerical(v => (Tensor)Call(method, arguments, index, v), point, tensorDout)
            : GradCheck.Numerical(v => (double)Call(method, arguments, index, v), point, (double)dout);
    }

    private static double NumericalForDouble(MethodInfo method, object[] arguments, int index, object dout)
    {
        var point = (double)arguments[index];
        return dout is Tensor tensorDout
            ? GradCheck.Numerical(v => (Tensor)Call(method, arguments, index, v), point, tensorDout)
            : GradCheck.Numerical(v => (double)Call(method, arguments, index, v), point, (double)dout);
    }

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
