using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Xunit.Sdk;

namespace BackpropGen.Generator.Tests;

/// <summary>
/// What every generator run of the harness is checked for, as NetEscapades.EnumGenerators checks its own: no tracked
/// step's output holds a Roslyn object that keeps a compilation alive (a symbol, a syntax node or tree, a semantic model,
/// a compilation), and a second run on an equal compilation finds every step's output cached or unchanged.
/// </summary>
internal static class PipelineChecks
{
    /// <summary>Every name in <see cref="DifferentiableGenerator.TrackingNames"/>.</summary>
    public static readonly IReadOnlyList<string> TrackingNames = typeof(DifferentiableGenerator.TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(field => field.IsLiteral && field.FieldType == typeof(string))
        .Select(field => (string)field.GetRawConstantValue()!)
        .ToArray();

    private static readonly Type[] Forbidden = { typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(SemanticModel), typeof(Compilation) };

    private static readonly ConcurrentDictionary<Type, FieldInfo[]> Fields = new();

    /// <summary>
    /// Fails if a tracked step's output of the run <paramref name="driver"/> made over <paramref name="compilation"/> holds a
    /// Roslyn object, or if running it again on a clone of the compilation runs any step to a new value.
    /// </summary>
    public static void AssertRerunCachedAndFreeOfRoslynObjects(GeneratorDriver driver, Compilation compilation)
    {
        var first = driver.GetRunResult().Results.Single();
        foreach (var (name, output) in Outputs(first))
        {
            if (RoslynObjectIn(output.Value) is { } path)
            {
                throw new XunitException($"The output of step {name} holds {path}: a model must keep no compilation alive.");
            }
        }

        var second = driver.RunGenerators(compilation.Clone()).GetRunResult().Results.Single();
        foreach (var (name, output) in Outputs(second))
        {
            if (output.Reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged))
            {
                throw new XunitException($"Run again on an equal compilation, step {name} was {output.Reason}: its model lacks value equality.");
            }
        }
    }

    /// <summary>The outputs of the generator's named steps and of its source outputs, each with its step's name.</summary>
    public static IEnumerable<(string Step, (object Value, IncrementalStepRunReason Reason) Output)> Outputs(GeneratorRunResult result) =>
        TrackingNames
            .SelectMany(name => result.TrackedSteps.TryGetValue(name, out var steps) ? steps.Select(step => (name, step)) : Enumerable.Empty<(string, IncrementalGeneratorRunStep)>())
            .Concat(result.TrackedOutputSteps.SelectMany(pair => pair.Value.Select(step => (pair.Key, step))))
            .SelectMany(pair => pair.Item2.Outputs.Select(output => (pair.Item1, output)));

    /// <summary>
    /// Where in <paramref name="root"/> (its fields, array elements, tuple items and record members, followed to the end) a
    /// symbol, syntax node, syntax tree, semantic model or compilation is, as a path; null where there is none.
    /// </summary>
    public static string? RoslynObjectIn(object? root)
    {
        // Depth first with a stack of its own (a model may be a long chain), each entry knowing its parent for the path.
        var entries = new List<(object Value, int Parent, string Label)>();
        var stack = new Stack<int>();
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        void Push(object? value, int parent, string label)
        {
            if (value is not null && (value.GetType().IsValueType || visited.Add(value)))
            {
                entries.Add((value, parent, label));
                stack.Push(entries.Count - 1);
            }
        }

        Push(root, -1, "the model");
        while (stack.Count > 0)
        {
            var index = stack.Pop();
            var value = entries[index].Value;
            var type = value.GetType();
            if (Forbidden.Any(forbidden => forbidden.IsAssignableFrom(type)))
            {
                return PathTo(entries, index) + $" (a {type.FullName})";
            }

            if (type.IsPrimitive || type.IsEnum || type.IsPointer || value is string or decimal or MemberInfo or Assembly or Module)
            {
                continue;
            }

            if (value is Delegate function)
            {
                // A lambda's captures are fields of its target.
                Push(function.Target, index, "target");
            }
            else if (value is Array array)
            {
                if (type.GetElementType() is { } elementType && (elementType.IsPrimitive || elementType.IsEnum || elementType == typeof(string)))
                {
                    continue;
                }

                var i = 0;
                foreach (var element in array)
                {
                    Push(element, index, $"[{i++}]");
                }
            }
            else
            {
                foreach (var field in Fields.GetOrAdd(type, InstanceFields))
                {
                    Push(field.GetValue(value), index, field.Name);
                }
            }
        }

        return null;
    }

    private static string PathTo(List<(object Value, int Parent, string Label)> entries, int index)
    {
        var labels = new List<string>();
        for (; index >= 0; index = entries[index].Parent)
        {
            labels.Add(entries[index].Label);
        }

        labels.Reverse();
        return string.Join(".", labels).Replace(".[", "[", StringComparison.Ordinal);
    }

    private static FieldInfo[] InstanceFields(Type type)
    {
        var fields = new List<FieldInfo>();
        for (var t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
        {
            fields.AddRange(t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Where(field => !field.FieldType.IsPointer));
        }

        return fields.ToArray();
    }
}
