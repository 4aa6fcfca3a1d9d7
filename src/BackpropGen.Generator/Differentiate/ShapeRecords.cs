using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Ir;
using BackpropGen.Generator.Lower;

namespace BackpropGen.Generator.Differentiate;

/// <summary>
/// A tensor the backward restores but reads only the shape of (a sequence grown by <c>hs = Concat(1, hs, h)</c> in a
/// loop, whose gradient is sliced by the sizes of its parts) is recorded as its shape: the forward pushes
/// <c>hs.Shape</c>, the backward pops it into a local of its own (<c>hsShape</c>) and reads that where it read
/// <c>hs.Shape</c>. The tape then holds a few integers per write rather than every version of the tensor, which for a
/// sequence grown step by step is the difference between O(T) and O(T²).
/// </summary>
internal static class ShapeRecords
{
    private const string ShapeType = "global::BackpropGen.TensorShape";

    /// <summary>
    /// The flow with its shape-only tensors recorded as shapes; <paramref name="fresh"/> names their shape locals as the
    /// sweep names its own.
    /// </summary>
    public static (EquatableArray<BackwardNode> Flow, TapePlan Tapes, EquatableArray<string> ReadAtStart) Apply(
        MethodModel method, EquatableArray<BackwardNode> flow, TapePlan tapes, EquatableArray<string> readAtStart, System.Func<string, string> fresh)
    {
        var values = new HashSet<string>();
        var shapes = new HashSet<string>();
        foreach (var expression in BackwardFlow.Expressions(flow))
        {
            new ReadCollector(values, shapes).Visit(expression);
        }

        var tensors = new HashSet<string>(method.Parameters.Where(p => p.Kind == ValueKind.Tensor).Select(p => p.Name)
            .Concat(method.Locals.Where(l => l.Kind == ValueKind.Tensor).Select(l => l.Name)));
        var shapeOnly = tapes.Restored.Select(r => r.Value).Concat(tapes.Scopes.SelectMany(s => s.Values))
            .Select(v => v.Name)
            .Distinct()
            .Where(name => tensors.Contains(name) && shapes.Contains(name) && !values.Contains(name))
            .ToList();
        if (shapeOnly.Count == 0)
        {
            return (flow, tapes, readAtStart);
        }

        var locals = shapeOnly.ToDictionary(name => name, name => fresh(name + "Shape"));
        var reads = new ShapeReads(locals);
        var rewritten = BackwardFlow.Map(
            flow,
            reads.Rewrite,
            node => node is BackwardRestore restore && locals.TryGetValue(restore.Variable, out var local) ? restore with { Variable = local, TypeName = ShapeType } : node);

        // A variable of the method's own body is declared from the cache, the value as the forward left it; its shape
        // local is read off it before anything restores an older shape.
        var atStart = new HashSet<string>(method.Parameters.Select(p => p.Name).Concat(method.Locals.Where(l => l.Depth == 0).Select(l => l.Name)));
        var declared = shapeOnly.Where(atStart.Contains)
            .Select(name => (BackwardNode)new BackwardStatement(new[] { locals[name] }.ToEquatableArray(), new ShapeRef(name)))
            .ToList();
        var shapeTapes = tapes with
        {
            Restored = tapes.Restored.Select(r => r with { Value = Recorded(r.Value, locals) }).ToEquatableArray(),
            Scopes = tapes.Scopes.Select(s => s with { Values = s.Values.Select(v => Recorded(v, locals)).ToEquatableArray() }).ToEquatableArray(),
        };
        var read = readAtStart.Concat(shapeOnly.Where(atStart.Contains)).Distinct().OrderBy(name => name, System.StringComparer.Ordinal).ToEquatableArray();
        return (declared.Concat(rewritten).ToEquatableArray(), shapeTapes, read);
    }

    private static TapedValue Recorded(TapedValue value, Dictionary<string, string> locals) =>
        locals.TryGetValue(value.Name, out var local) ? new TapedValue(local, ShapeType, value.Name) : value;

    /// <summary>Reads of a recorded tensor's shape, rewritten to read its shape local.</summary>
    private sealed class ShapeReads : AdjRewriter
    {
        private readonly Dictionary<string, string> _locals;

        public ShapeReads(Dictionary<string, string> locals) => _locals = locals;

        public override Adj Rewrite(Adj node) =>
            node is ShapeRef shape && _locals.TryGetValue(shape.Name, out var local) ? new PrimalRef(local, ValueKind.Other) : base.Rewrite(node);
    }
}
