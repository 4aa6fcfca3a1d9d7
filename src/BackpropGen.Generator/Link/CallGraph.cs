using System;
using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Lower;

namespace BackpropGen.Generator.Link;

/// <summary>A method that gets generated code, with the file name it gets (made unique among the compilation's files).</summary>
internal sealed record LinkedMethod(string Key, string HintName);

/// <summary>
/// Decides which methods get generated code: a method gets code when it lowered without errors, lies on no cycle of
/// calls (each call keeps the callee's cache in the caller's, which a recursive call cannot), and every method of the
/// compilation it calls gets code too. Callees of other assemblies were generated with them. The generator and the
/// analyzer both decide with it, so that what the analyzer reports at a call is exactly why the caller gets no code.
/// </summary>
internal sealed class CallGraph
{
    private readonly Dictionary<string, MethodLink> _methods = new(StringComparer.Ordinal);
    private readonly HashSet<string> _duplicates = new(StringComparer.Ordinal);
    private HashSet<string>? _withoutCode;

    public CallGraph(IEnumerable<MethodLink> methods)
    {
        foreach (var method in methods)
        {
            if (!_methods.ContainsKey(method.Key))
            {
                _methods[method.Key] = method;
            }
            else
            {
                // Two declarations with one signature do not compile (CS0111); neither gets code.
                _duplicates.Add(method.Key);
            }
        }
    }

    /// <summary>Whether the method is one of this graph's (declared in the compilation) rather than another assembly's.</summary>
    public bool Contains(string key) => _methods.ContainsKey(key);

    /// <summary>Whether <paramref name="key"/> gets generated code.</summary>
    public bool GetsCode(string key) => _methods.ContainsKey(key) && !WithoutCode().Contains(key);

    /// <summary>
    /// A chain of calls from <paramref name="from"/> back to <paramref name="to"/>, as the methods' names joined by
    /// arrows (<c>G → H → F</c>), or null when <paramref name="from"/> does not lead to <paramref name="to"/>.
    /// </summary>
    public string? PathTo(string from, string to)
    {
        if (!_methods.ContainsKey(from))
        {
            return null;
        }

        // Breadth first: the shortest chain, and no recursion however long the chains are.
        var previous = new Dictionary<string, string?>(StringComparer.Ordinal) { [from] = null };
        var queue = new Queue<string>();
        queue.Enqueue(from);
        while (queue.Count > 0)
        {
            var current = queue.Dequeue();
            if (!_methods.TryGetValue(current, out var method))
            {
                continue;
            }

            foreach (var callee in method.Callees)
            {
                if (callee == to)
                {
                    var names = new List<string> { _methods[to].Name };
                    for (string? at = current; at is not null; at = previous[at])
                    {
                        names.Add(_methods[at].Name);
                    }

                    names.Reverse();
                    return string.Join(" → ", names);
                }

                if (!previous.ContainsKey(callee))
                {
                    previous[callee] = current;
                    queue.Enqueue(callee);
                }
            }
        }

        return null;
    }

    /// <summary>The methods that get code, in key order, each with a file name no other file of the compilation has.</summary>
    public EquatableArray<LinkedMethod> Linked()
    {
        var withoutCode = WithoutCode();
        var linked = new List<LinkedMethod>();

        // Roslyn compares file names ignoring case: L.F and l.F, or F and f in one type, would clash.
        var hintNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var key in _methods.Keys.OrderBy(k => k, StringComparer.Ordinal))
        {
            if (withoutCode.Contains(key))
            {
                continue;
            }

            var hintName = _methods[key].HintName;
            for (var i = 2; !hintNames.Add(hintName); i++)
            {
                hintName = _methods[key].HintName.Substring(0, _methods[key].HintName.Length - ".g.cs".Length) + "." + i + ".g.cs";
            }

            linked.Add(new LinkedMethod(key, hintName));
        }

        return linked.ToEquatableArray();
    }

    /// <summary>
    /// The method with its generated file's name, when it gets code (<paramref name="linked"/> is
    /// <see cref="Linked"/>'s answer, in key order); else null.
    /// </summary>
    public static MethodModel? Link(MethodModel method, EquatableArray<LinkedMethod> linked)
    {
        int low = 0, high = linked.Count - 1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            var order = string.CompareOrdinal(linked[middle].Key, method.Key);
            if (order == 0)
            {
                return linked[middle].HintName == method.HintName ? method : method with { HintName = linked[middle].HintName };
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return null;
    }

    private HashSet<string> WithoutCode()
    {
        if (_withoutCode is not null)
        {
            return _withoutCode;
        }

        var without = new HashSet<string>(_duplicates, StringComparer.Ordinal);
        var callers = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var method in _methods.Values)
        {
            if (!method.Lowered || (method.Callees.Count > 0 && PathTo(method.Key, method.Key) is not null))
            {
                without.Add(method.Key);
            }

            foreach (var callee in method.Callees)
            {
                if (!callers.TryGetValue(callee, out var list))
                {
                    callers[callee] = list = new List<string>();
                }

                list.Add(method.Key);
            }
        }

        // Whoever calls a method without code gets none either, up the chain.
        var pending = new Queue<string>(without);
        while (pending.Count > 0)
        {
            if (!callers.TryGetValue(pending.Dequeue(), out var list))
            {
                continue;
            }

            foreach (var caller in list)
            {
                if (without.Add(caller))
                {
                    pending.Enqueue(caller);
                }
            }
        }

        return _withoutCode = without;
    }
}
