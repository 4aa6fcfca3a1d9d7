using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Differentiate;
using BackpropGen.Generator.Ir;
using BackpropGen.Generator.Lower;

namespace BackpropGen.Generator.Plan;

/// <summary>
/// Decides what the cache holds: every forward value the backward reads, and for a tensor of which only the shape is read,
/// just the shape. Fields follow the order in which the forward defines the values.
/// </summary>
internal static class CachePlanner
{
    private static readonly HashSet<string> RecordMemberNames = new()
    {
        "EqualityContract", "Equals", "GetHashCode", "ToString", "Deconstruct", "PrintMembers", "GetType", "MemberwiseClone", "Finalize", "Clone",
    };

    public static CachePlan Plan(BackwardProgram program)
    {
        if (program.HasFlow)
        {
            return PlanFlow(program);
        }

        var method = program.Method;
        var values = new HashSet<string>();
        var shapes = new HashSet<string>();
        foreach (var statement in program.Blocks.SelectMany(b => b.Statements))
        {
            CollectReads(statement.Value, values, shapes);
        }

        if (program.DoutShape is { } doutShape)
        {
            CollectReads(doutShape, values, shapes);
        }

        var taken = new HashSet<string>(program.NamesInUse());
        var properties = new HashSet<string> { GeneratedNames.Cache(method.Name) };

        var fields = new List<CacheField>();
        var shapeLocals = new List<ShapeLocal>();
        var cachedValues = new List<string>();
        var declared = method.Parameters.Select(p => (p.Name, p.TypeName)).Concat(method.Locals.Select(l => (l.Name, l.TypeName)));
        foreach (var (name, typeName) in declared)
        {
            if (values.Contains(name))
            {
                cachedValues.Add(name);
                fields.Add(new CacheField(Property(name, properties), name, typeName, Identifiers.Escape(name)));
            }
            else if (shapes.Contains(name))
            {
                var local = Identifiers.Fresh(name + "Shape", taken);
                shapeLocals.Add(new ShapeLocal(name, local));
                fields.Add(new CacheField(Property(local, properties), local, "global::BackpropGen.TensorShape", Identifiers.Escape(name) + ".Shape"));
            }
        }

        return new CachePlan(program, fields.ToEquatableArray(), cachedValues.ToEquatableArray(), shapeLocals.ToEquatableArray());
    }

    /// <summary>
    /// The cache of a backward with loops and branches: the values it reads as they are at the end of the forward
    /// (<see cref="BackwardProgram.ReadAtStart"/>: the method's own locals and parameters; a loop's locals are on the tape),
    /// then the tapes. Shapes are read off the values, which the backward rewinds with the tape.
    /// </summary>
    private static CachePlan PlanFlow(BackwardProgram program)
    {
        var method = program.Method;
        // A value the backward restores is its local, declared from the cache.
        var values = new HashSet<string>(program.ReadAtStart.Concat(program.Tapes.Restored.Select(r => r.Value.Name)));
        if (program.DoutShape is { } doutShape)
        {
            var shapes = new HashSet<string>();
            CollectReads(doutShape, values, shapes);
            values.UnionWith(shapes);
        }

        var taken = new HashSet<string>(program.NamesInUse());
        var properties = new HashSet<string> { GeneratedNames.Cache(method.Name), "TapeBytes" };
        var fields = new List<CacheField>();
        var cachedValues = new List<string>();
        var declared = method.Parameters.Select(p => (p.Name, p.TypeName)).Concat(method.Locals.Where(l => l.Depth == 0).Select(l => (l.Name, l.TypeName)));
        foreach (var (name, typeName) in declared)
        {
            if (values.Contains(name))
            {
                cachedValues.Add(name);
                fields.Add(new CacheField(Property(name, properties), name, typeName, Identifiers.Escape(name)));
            }
        }

        var tapes = new List<TapeField>();
        var kept = new List<KeptValue>();
        var recorded = program.Tapes;
        var keptOnce = RecordedOnce(program);
        foreach (var value in recorded.Restored.Select(r => r.Value).Concat(recorded.Scopes.SelectMany(s => s.Values)).Distinct())
        {
            if (keptOnce.Contains(value))
            {
                var keptLocal = Identifiers.Fresh(value.Name + "AtEnd", taken);
                kept.Add(new KeptValue(value.Name, value.TypeName, keptLocal));
                fields.Add(new CacheField(Property(keptLocal, properties), keptLocal, value.TypeName, Identifiers.Escape(keptLocal)));
                continue;
            }

            var local = Identifiers.Fresh(value.Name + "Tape", taken);
            tapes.Add(new TapeField(TapeKind.Value, value.Name, value.TypeName, Property(local, properties), local));
        }

        foreach (var loop in recorded.TripCounts)
        {
            var local = Identifiers.Fresh("loop" + loop + "Trips", taken);
            tapes.Add(new TapeField(TapeKind.TripCount, loop.ToString(System.Globalization.CultureInfo.InvariantCulture), "int", Property(local, properties), local));
        }

        foreach (var branch in recorded.Branches)
        {
            var local = Identifiers.Fresh("branch" + branch + "Arms", taken);
            tapes.Add(new TapeField(TapeKind.Branch, branch.ToString(System.Globalization.CultureInfo.InvariantCulture), "bool", Property(local, properties), local));
        }

        return new CachePlan(program, fields.ToEquatableArray(), cachedValues.ToEquatableArray(), EquatableArray<ShapeLocal>.Empty)
        {
            Tapes = tapes.ToEquatableArray(),
            Kept = kept.ToEquatableArray(),
        };
    }

    /// <summary>
    /// The recorded values that the forward records at most once a call: those recorded only at the ends of arms of
    /// branches outside every loop, never before a write over them. A tape of them would hold one record.
    /// </summary>
    private static HashSet<TapedValue> RecordedOnce(BackwardProgram program)
    {
        // The forward's own structure: it pushes an arm's record at the arm's end, once an iteration inside a loop.
        var armsOutsideLoops = new HashSet<string>();
        CollectArmsOutsideLoops(program.Method.Body, inLoop: false, armsOutsideLoops);
        var recorded = program.Tapes;
        var taped = new HashSet<TapedValue>(recorded.Restored.Select(r => r.Value));
        var once = new HashSet<TapedValue>();
        foreach (var scope in recorded.Scopes)
        {
            (armsOutsideLoops.Contains(scope.Scope) ? once : taped).UnionWith(scope.Values);
        }

        // A value also recorded in a loop or before a write over it stays on its tape.
        once.ExceptWith(taped);
        return once;
    }

    /// <summary>The scopes (<see cref="ScopeRecord.ArmScope"/>) of the arms of the branches outside every loop.</summary>
    private static void CollectArmsOutsideLoops(ForwardBlock? block, bool inLoop, HashSet<string> arms)
    {
        foreach (var node in block?.Statements ?? EquatableArray<ForwardNode>.Empty)
        {
            switch (node)
            {
                case ForwardLoop loop:
                    CollectArmsOutsideLoops(loop.Body, inLoop: true, arms);
                    break;
                case ForwardBranch branch:
                    if (!inLoop)
                    {
                        arms.Add(ScopeRecord.ArmScope(branch.Number, then: true));
                        arms.Add(ScopeRecord.ArmScope(branch.Number, then: false));
                    }

                    CollectArmsOutsideLoops(branch.Then, inLoop, arms);
                    CollectArmsOutsideLoops(branch.Else, inLoop, arms);
                    break;
                case ForwardBlock nested:
                    CollectArmsOutsideLoops(nested, inLoop, arms);
                    break;
            }
        }
    }

    private static void CollectReads(Adj expression, HashSet<string> values, HashSet<string> shapes) => new ReadCollector(values, shapes).Visit(expression);

    /// <summary>Record properties are PascalCase (<c>xhat</c> is kept as <c>Xhat</c>) and must not collide with a record's own members.</summary>
    private static string Property(string local, HashSet<string> taken)
    {
        var name = char.ToUpperInvariant(local[0]) + local.Substring(1);
        if (RecordMemberNames.Contains(name))
        {
            name += "Value";
        }

        return Identifiers.Fresh(name, taken);
    }
}
