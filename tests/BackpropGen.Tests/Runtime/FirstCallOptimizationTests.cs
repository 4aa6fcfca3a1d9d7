using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using Xunit;

namespace BackpropGen.Tests.Runtime;

/// <summary>
/// Every loop of the runtime runs optimized from its first call ([MethodImpl(AggressiveOptimization)]): under tiered
/// compilation a method starts unoptimized and is recompiled after about 30 calls, so a training step's first
/// iterations (and a benchmark that times a dozen) would run the kernels' loops unoptimized — the first product of
/// an MLP step, [512, 1024] · [1024, 1024], took 1.6 times as long over its first seven calls as compiled optimized. Loop-free methods keep tiering, which they gain from.
/// </summary>
public class FirstCallOptimizationTests
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    private static IEnumerable<MethodBase> RuntimeMethods() =>
        typeof(Tensor).Assembly.GetTypes().SelectMany(type =>
            type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)));

    private static string Name(MethodBase method) => $"{method.DeclaringType!.FullName}.{method.Name}({string.Join(", ", method.GetParameters().Select(p => p.ParameterType.Name))})";

    private static bool IsOptimizedFromFirstCall(MethodBase method) =>
        (method.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0;

    /// <summary>Whether the method's IL branches backwards: a loop (for, foreach, while, do, or a goto back).</summary>
    private static bool HasLoop(MethodBase method)
    {
        byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            return false;
        }

        int i = 0;
        while (i < il.Length)
        {
            int start = i;
            short value = il[i++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[i++]);
            }

            switch (OpCodesByValue[value].OperandType)
            {
                case OperandType.ShortInlineBrTarget:
                    if (i + 1 + (sbyte)il[i] <= start)
                    {
                        return true;
                    }

                    i += 1;
                    break;
                case OperandType.InlineBrTarget:
                    if (i + 4 + BitConverter.ToInt32(il, i) <= start)
                    {
                        return true;
                    }

                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + (4 * BitConverter.ToInt32(il, i));
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    i += 8;
                    break;
                default:
                    i += 4;
                    break;
            }
        }

        return false;
    }

    [Fact]
    public void Every_method_of_the_runtime_with_a_loop_is_optimized_from_its_first_call()
    {
        var unoptimized = RuntimeMethods().Where(method => HasLoop(method) && !IsOptimizedFromFirstCall(method)).Select(Name).Order().ToList();

        Assert.True(unoptimized.Count == 0, "Mark these [MethodImpl(MethodImplOptions.AggressiveOptimization)]:\n" + string.Join("\n", unoptimized));
    }

    [Fact]
    public void No_loop_free_method_of_the_runtime_gives_up_tiering()
    {
        var needless = RuntimeMethods().Where(method => !HasLoop(method) && IsOptimizedFromFirstCall(method)).Select(Name).Order().ToList();

        Assert.True(needless.Count == 0, "These have no loop; drop their AggressiveOptimization:\n" + string.Join("\n", needless));
    }

    [Fact]
    public void The_loop_finder_tells_a_loop_from_straight_line_code_and_forward_branches()
    {
        Assert.True(HasLoop(typeof(FirstCallOptimizationTests).GetMethod(nameof(SumTo), BindingFlags.NonPublic | BindingFlags.Static)!));
        Assert.False(HasLoop(typeof(FirstCallOptimizationTests).GetMethod(nameof(Larger), BindingFlags.NonPublic | BindingFlags.Static)!));
        Assert.True(RuntimeMethods().Count(HasLoop) > 50, "the runtime's kernels are found");
    }

    private static int SumTo(int n)
    {
        int sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += i;
        }

        return sum;
    }

    private static int Larger(int a, int b) => a > b ? a : b;
}
