using System;
using System.Collections.Generic;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace BackpropGen.Benchmarks;

/// <summary>
/// How much memory each BatchNorm cache holds at N×D, measured two ways: the bytes the GC finds still reachable
/// from the cache after a full collection beyond what the inputs already hold (what keeping the cache costs), and the
/// bytes of every distinct object the cache references, inputs included (what it would cost to keep it alone).
/// </summary>
public static class CacheSizes
{
    private const double Eps = 1e-5;

    public static void Run(int n, int d)
    {
        var x = (Tensor.RandomNormal(seed: 1, n, d) * 3.0) + 2.0;
        var gamma = Tensor.RandomNormal(seed: 2, d);
        var beta = Tensor.RandomNormal(seed: 3, d);
        Console.WriteLine($"BatchNorm caches at N={n} D={d} (one N×D tensor is {8.0 * n * d / (1 << 20):F2} MiB of elements)");
        Console.WriteLine($"{"cache",-50} {"retained beyond inputs",24} {"referenced, inputs too",24}");

        Report("generated BatchNormCache", () => BatchNormLayer.BatchNormForward(x, gamma, beta, Eps).Cache);
        Report("seed (xhat, gamma, xmu, ivar, sqrtvar, var, eps)", () => SeedNaiveBackward.Forward(x, gamma, beta, Eps).Cache);
        Report("closed form (xhat, gamma, ivar)", () =>
        {
            var seed = SeedNaiveBackward.Forward(x, gamma, beta, Eps).Cache;
            return new ClosedFormTensors(seed.Xhat, seed.Gamma, seed.Ivar);
        });
        Report("input and D-vectors (x, gamma, mu, ivar, sqrtvar)", () => RecomputingFusedBackward.CacheOf(x, gamma, Eps));
        GC.KeepAlive(x);
        GC.KeepAlive(gamma);
        GC.KeepAlive(beta);
    }

    /// <summary>The closed form's cache as tensors, as a generator emitting it would hold them.</summary>
    private sealed record ClosedFormTensors(Tensor Xhat, Tensor Gamma, Tensor Ivar);

    private static void Report(string name, Func<object> makeCache)
    {
        long before = LiveBytes();
        var cache = makeCache();
        long after = LiveBytes();
        long referenced = ReferencedBytes(cache);
        GC.KeepAlive(cache);
        Console.WriteLine($"{name,-50} {Format(after - before),24} {Format(referenced),24}");
    }

    internal static long LiveBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }

    /// <summary>
    /// The bytes of every distinct object reachable from <paramref name="root"/>, sized as the 64-bit CLR lays them out:
    /// an array is 24 bytes of header and length plus its elements, another object 16 bytes of header plus its fields,
    /// each rounded up to 8.
    /// </summary>
    private static long ReferencedBytes(object root)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<object>();
        pending.Push(root);
        long total = 0;
        while (pending.Count > 0)
        {
            var item = pending.Pop();
            if (!seen.Add(item))
            {
                continue;
            }

            var type = item.GetType();
            if (type.IsArray)
            {
                var array = (Array)item;
                var elementType = type.GetElementType()!;
                int elementSize = elementType.IsValueType ? SizeOfValue(elementType) : IntPtr.Size;
                total += RoundUp(24 + ((long)array.Length * elementSize));
                if (!elementType.IsValueType)
                {
                    foreach (var element in array)
                    {
                        if (element is not null)
                        {
                            pending.Push(element);
                        }
                    }
                }

                continue;
            }

            total += RoundUp(16 + FieldBytes(type));
            PushReferences(item, type, pending);
        }

        return total;
    }

    private static void PushReferences(object item, Type type, Stack<object> pending)
    {
        foreach (var field in AllInstanceFields(type))
        {
            if (field.FieldType.IsValueType && !field.FieldType.IsPrimitive && !field.FieldType.IsEnum)
            {
                // A struct field (TensorShape): follow the references inside it.
                var value = field.GetValue(item);
                if (value is not null)
                {
                    PushReferences(value, field.FieldType, pending);
                }
            }
            else if (!field.FieldType.IsValueType && field.GetValue(item) is { } reference)
            {
                pending.Push(reference);
            }
        }
    }

    private static long FieldBytes(Type type)
    {
        long bytes = 0;
        foreach (var field in AllInstanceFields(type))
        {
            bytes += field.FieldType.IsValueType ? SizeOfValue(field.FieldType) : IntPtr.Size;
        }

        return bytes;
    }

    private static IEnumerable<FieldInfo> AllInstanceFields(Type type)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                yield return field;
            }
        }
    }

    private static int SizeOfValue(Type type) =>
        (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!;

    private static long RoundUp(long bytes) => (bytes + 7) & ~7L;

    private static string Format(long bytes) =>
        string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} B ({bytes / (double)(1 << 20):F2} MiB)");
}
