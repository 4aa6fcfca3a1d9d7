using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Differentiate;
using BackpropGen.Generator.Discover;
using BackpropGen.Generator.Fuse;
using BackpropGen.Generator.Ir;
using BackpropGen.Generator.Lower;
using BackpropGen.Generator.Plan;

namespace BackpropGen.Generator.Emit;

/// <summary>
/// Writes the fused backward of a method: the passes of its <see cref="LoopPlan"/> as loops over the rows, each with a
/// vectorized inner loop whose body keeps the step comments, and the small statements between them as the step-by-step
/// form writes them. It returns null, for the step-by-step form to run instead, when the shapes met at run time do not
/// fit the rows.
/// </summary>
internal sealed class FusedEmitter
{
    private const string Lane = "global::BackpropGen.Lane";

    private readonly CachePlan _plan;
    private readonly LoopPlan _loops;
    private readonly IndentedWriter _writer;
    private readonly AdjointRenderer _renderer;
    private readonly HashSet<string> _taken;
    private readonly Dictionary<string, string> _readers = new();
    private readonly HashSet<string> _declaredReaders = new();
    private readonly Dictionary<LaneSum, string> _sinks = new(ReferenceComparer<LaneSum>.Instance);
    private readonly Dictionary<string, string> _outputs = new();
    private readonly HashSet<string> _passLocals = new();
    private readonly string _layout;
    private readonly string _width;

    private FusedEmitter(IndentedWriter writer, CachePlan plan, AdjointRenderer renderer, LoopPlan loops, HashSet<string> taken)
    {
        _writer = writer;
        _plan = plan;
        _loops = loops;
        _renderer = renderer;
        _taken = taken;
        foreach (var section in loops.Sections)
        {
            AddDeclaredNames(section, _taken);
        }

        _layout = Identifiers.Fresh("layout", _taken);
        _width = Identifiers.Fresh("width", _taken);
        NameOuterLocals();
    }

    /// <summary>Adds the locals a section declares: the planner's own (sums of terms, bound parts) as well as the backward's.</summary>
    private static void AddDeclaredNames(FusedSection section, HashSet<string> names)
    {
        switch (section)
        {
            case SmallStatement small:
                foreach (var target in small.Statement.Targets)
                {
                    names.Add(target);
                }

                break;
            case FactoredSum factored:
                foreach (var target in factored.Statement.Targets)
                {
                    names.Add(target);
                }

                break;
            case RowPass pass:
                foreach (var statement in pass.Body)
                {
                    names.Add(statement.Target);
                }

                break;
        }
    }

    /// <summary>Writes the body of the fused method, after the cache has been unfolded into locals.</summary>
    /// <param name="writer">The writer of the file.</param>
    /// <param name="plan">The cache plan of the method.</param>
    /// <param name="renderer">The renderer of the plan's expressions.</param>
    /// <param name="loops">The fused form's passes.</param>
    /// <param name="taken">The names in use in the method, to which the fused form's own names are added.</param>
    /// <param name="result">What the method returns of the outputs' locals, in order (a forward builds its cache of them); by default the outputs themselves.</param>
    public static void WriteBody(IndentedWriter writer, CachePlan plan, AdjointRenderer renderer, LoopPlan loops, HashSet<string> taken, System.Func<IReadOnlyList<string>, string>? result = null) =>
        new FusedEmitter(writer, plan, renderer, loops, taken).Write(result);

    private void Write(System.Func<IReadOnlyList<string>, string>? result)
    {
        // A missing tensor is left to the step-by-step form, which reports it at the step that reads it.
        var tensors = _plan.Fields.Where(f => f.TypeName == "global::BackpropGen.Tensor").Select(f => Identifiers.Escape(f.LocalName)).ToList();
        if (_plan.Program.Method.ReturnKind == ValueKind.Tensor && _plan.Program.ReadsDout)
        {
            tensors.Insert(0, _plan.Program.DoutName);
        }

        if (tensors.Count > 0)
        {
            _writer.Line("if (" + string.Join(" || ", tensors.Select(tensor => tensor + " is null")) + ")");
            WriteReturnNull();
            _writer.Line();
        }

        var shapes = _loops.FullShapes.Select(_renderer.Render).ToList();
        _writer.Line($"var {_layout} = global::BackpropGen.RowLayout.Of({shapes[0]});");
        _writer.Line($"var {_width} = {_layout}.Width;");
        // With no elements, a factor taken out of an empty sum may be NaN (a mean over no rows), and NaN times the empty
        // sum is NaN where the step-by-step form's sum is 0: that form answers.
        ReturnNullUnless(new[] { $"{_layout}.HasElements" }.Concat(shapes.Skip(1).Select(shape => $"{_layout}.Has({shape})")));

        var passes = _loops.Sections.OfType<RowPass>().Count();
        var pass = 0;
        FusedSection? previous = null;
        foreach (var section in _loops.Sections)
        {
            // Statements of one step's block, one after another, share its heading, as in the step-by-step form.
            var sameBlock = section is SmallStatement next && previous is SmallStatement last && last.Header == next.Header;
            if (!sameBlock)
            {
                _writer.Line();
            }

            previous = section;
            switch (section)
            {
                case SmallStatement small:
                    if (!sameBlock)
                    {
                        _writer.Line($"// {small.Header}");
                    }

                    WriteStatement(small.Statement);
                    break;
                case FactoredSum factored:
                    WriteFactoredSum(factored);
                    break;
                case RowPass rows:
                    WritePass(rows, ++pass, passes);
                    break;
            }
        }

        _writer.Line();
        var outputs = _plan.Program.Outputs
            .Select(o => _outputs.TryGetValue(o.LocalName, out var output) ? output + ".Result()" : Identifiers.Escape(o.LocalName))
            .ToList();
        if (result is not null)
        {
            // Each output once into a local of its own, since the result may read one twice (a value and its shape).
            var locals = new List<string>();
            for (var i = 0; i < outputs.Count; i++)
            {
                var local = Identifiers.Escape(_plan.Program.Outputs[i].LocalName);
                if (local != outputs[i])
                {
                    local = Identifiers.Fresh(_plan.Program.Outputs[i].LocalName + "Result", _taken);
                    _writer.Line($"var {local} = {outputs[i]};");
                }

                locals.Add(local);
            }

            _writer.Line($"return {result(locals)};");
            return;
        }

        _writer.Line(outputs.Count == 1 ? $"return {outputs[0]};" : "return (" + string.Join(", ", outputs) + ");");
    }

    /// <summary>
    /// <c>dmu = -(dxmu1Sum + 2 * dsq * xmuSum)</c>: the sum of <c>-dxmu</c> from the sums of its terms, once every tensor
    /// in a factor is known to be constant along the summed axes.
    /// </summary>
    private void WriteFactoredSum(FactoredSum factored)
    {
        _writer.Line($"// {factored.Header} (summed term by term, each term's factor, constant along the sum, taken out of it)");
        var shape = _renderer.Render(factored.SummedShape);
        var tensors = factored.Factors.SelectMany(LaneWalks.TensorLeaves).Distinct().ToList();
        var checks = tensors.Select(tensor => $"global::BackpropGen.RowLayout.IsConstantAcrossSum({_renderer.Render(A.Shape(tensor))}, {shape})")
            .Concat(factored.Expansions.Select(ExpansionCheck))
            .ToList();
        ReturnNullUnless(checks);
        if (checks.Count > 0)
        {
            _writer.Line();
        }

        WriteStatement(factored.Statement);
    }

    /// <summary>Expanding a reduced value along an axis is broadcasting it only when the axis was kept, or is the first.</summary>
    private string ExpansionCheck(Adj expansion)
    {
        var call = (Call)expansion;
        return $"global::BackpropGen.RowLayout.ExpandsAsBroadcast({_renderer.Render(A.Shape(call.Args[0]))}, {_renderer.Render(call.Args[1])}, {_renderer.Render(call.Args[2])})";
    }

    private void WriteStatement(BackwardStatement statement)
    {
        var targets = statement.Targets.Count == 1
            ? Identifiers.Escape(statement.Targets[0])
            : "(" + string.Join(", ", statement.Targets.Select(Identifiers.Escape)) + ")";
        _writer.Line($"var {targets} = {_renderer.Spell(statement.Value)};");
    }

    /// <summary>
    /// Names the locals of the method's own scope first (readers, sums, outputs), so that the locals of each pass's loops,
    /// which passes may reuse, clash with none of them.
    /// </summary>
    private void NameOuterLocals()
    {
        foreach (var section in _loops.Sections)
        {
            if (section is not RowPass pass)
            {
                continue;
            }

            foreach (var name in pass.Reads)
            {
                var key = ReaderKey(pass, name);
                if (!_readers.ContainsKey(key))
                {
                    _readers[key] = Identifiers.Fresh(name + (pass.Columns.Contains(name) ? "Column" : "Rows"), _taken);
                }
            }

            // Sinks are named before outputs: the order decides which gets a number when their names clash.
            foreach (var statement in pass.Body)
            {
                if (statement is LaneSum sum)
                {
                    _sinks[sum] = Identifiers.Fresh(sum.Target + "Sink", _taken);
                }
            }

            foreach (var statement in pass.Body)
            {
                if (statement is LaneStore store)
                {
                    _outputs[store.Target] = Identifiers.Fresh(store.Target + "Out", _taken);
                }
            }
        }
    }

    /// <summary>
    /// The key of a tensor's reader: its name, marked when the pass reads it as a column, so that a tensor read both
    /// ways in different passes gets a reader for each.
    /// </summary>
    private static string ReaderKey(RowPass pass, string name) => pass.Columns.Contains(name) ? name + " column" : name;

    /// <summary>The expansion through which alone the pass reads the tensor as a column, if it does.</summary>
    private static Call? ExpansionOf(RowPass pass, string name) =>
        pass.ExpandedColumns.Cast<Call>().FirstOrDefault(call => call.Args[0] is GradRef { Name: var g } && g == name || call.Args[0] is PrimalRef { Name: var p } && p == name);

    private void WritePass(RowPass pass, int number, int count)
    {
        var steps = pass.Body.Select(s => s.Step).Distinct().ToList();
        _writer.Line($"// pass {number} of {count} over the rows: step{(steps.Count == 1 ? "" : "s")} {string.Join(", ", steps)}");

        // A tensor is given its reader in the first pass that reads it; later passes reuse it.
        var conditions = new List<string>();
        foreach (var name in pass.Reads.Where(name => _declaredReaders.Add(ReaderKey(pass, name))))
        {
            var reader = _readers[ReaderKey(pass, name)];
            if (ExpansionOf(pass, name) is { } expansion)
            {
                // Read as one value per row only where the expansion runs along the last axis (checked at run time).
                conditions.Add($"{_layout}.TryReadColumn({Identifiers.Escape(name)}, {_renderer.Render(expansion.Args[1])}, {_renderer.Render(expansion.Args[2])}, out var {reader})");
            }
            else
            {
                conditions.Add($"{_layout}.{(pass.Columns.Contains(name) ? "TryReadColumn" : "TryRead")}({Identifiers.Escape(name)}, out var {reader})");
            }
        }

        var sums = pass.Body.OfType<LaneSum>().ToList();
        foreach (var sum in sums)
        {
            var shape = sum.TargetShape is { } target ? _renderer.Render(target) : "new global::BackpropGen.TensorShape()";
            conditions.Add($"{_layout}.{(sum.Column ? "TrySinkColumn" : "TrySink")}({shape}, out var {_sinks[sum]})");
        }

        var expansions = new HashSet<string>();
        foreach (var statement in pass.Body)
        {
            var value = statement switch
            {
                LaneValue laneValue => laneValue.Value,
                LaneSum sum => sum.Value,
                _ => null,
            };
            if (value is not null)
            {
                foreach (var node in LaneWalks.LaneNodes(value))
                {
                    if (node is Call expansion && expansion.Is(RuntimeFunctions.ExpandAlong) && !pass.ExpandedColumns.Contains(node)
                        && ExpansionCheck(node) is var check && expansions.Add(check))
                    {
                        conditions.Add(check);
                    }
                }
            }
        }

        ReturnNullUnless(conditions);
        if (conditions.Count > 0)
        {
            _writer.Line();
        }

        var stores = pass.Body.OfType<LaneStore>().ToList();
        foreach (var store in stores)
        {
            _writer.Line($"var {_outputs[store.Target]} = {_layout}.Output();");
        }

        // Locals of the loops: each pass names its own, clear of the method's.
        _passLocals.Clear();
        string Fresh(string name) => Identifiers.Fresh(name, _passLocals, takenOutside: _taken);

        var first = Fresh("first");
        var end = Fresh("end");
        var block = Fresh("block");
        var i = Fresh("i");
        var j = Fresh("j");
        var lastLane = Fresh("lastLane");
        // A column's value is one lane for the whole row (x_i), a sum to a column one running lane (dstdOfRow).
        var reads = pass.Reads
            .Select(name => pass.Columns.Contains(name)
                ? (Name: name, Row: string.Empty, Lanes: Fresh(name + "_i"))
                : (Name: name, Row: Fresh(name + "Row"), Lanes: Fresh(name + "_j")))
            .ToList();
        var sumRows = sums.ToDictionary(sum => sum, sum => Fresh(sum.Target + (sum.Column ? "OfRow" : "Row")), ReferenceComparer<LaneSum>.Instance);
        var storeRows = stores.ToDictionary(store => store.Target, store => Fresh(store.Target + "Row"));
        var lanes = new LaneRenderer(_renderer, reads.ToDictionary(r => r.Name, r => r.Lanes));

        // The whole-lane and partial-lane bodies compute the same values: each is rendered once, for both.
        var values = pass.Body.Select(statement => statement switch
        {
            LaneValue value => lanes.Render(value.Value),
            LaneSum sum => lanes.Render(sum.Value),
            _ => string.Empty,
        }).ToList();

        // Blocks of rows, in parallel when the layout is large; each block reads and adds through buffers of its own.
        _writer.Line($"{_layout}.ForEachBlock(({first}, {end}, {block}) =>");
        _writer.Line("{");
        _writer.Indent();

        // Where the last whole lane of a row starts, as a local of the loop: read from the closure, it would be read
        // again on every lane, since the stores through the row refs might, for all the JIT knows, change it.
        _writer.Line($"var {lastLane} = {_width} - {Lane}.Count;");
        using (_writer.Block($"for (var {i} = {first}; {i} < {end}; {i}++)"))
        {
            foreach (var read in reads)
            {
                _writer.Line(read.Row.Length == 0
                    ? $"{Lane} {read.Lanes} = {_readers[ReaderKey(pass, read.Name)]}[{i}];"
                    : $"ref readonly var {read.Row} = ref {_readers[ReaderKey(pass, read.Name)]}.Start({i}, {block});");
            }

            foreach (var sum in sums)
            {
                _writer.Line(sum.Column
                    ? $"{Lane} {sumRows[sum]} = 0.0;"
                    : $"ref var {sumRows[sum]} = ref {_sinks[sum]}.Start({i}, {block});");
            }

            foreach (var store in stores)
            {
                _writer.Line($"ref var {storeRows[store.Target]} = ref {_outputs[store.Target]}.Start({i});");
            }

            // Whole lanes without bounds checks (the loop keeps within the row), then the row's last few elements, if
            // any, with the same steps on a partial lane, through the checked forms that touch only what is there.
            var loop = new LaneLoop(i, j, block, reads, sumRows, storeRows);
            _writer.Line($"var {j} = 0;");
            using (_writer.Block($"for (; {j} <= {lastLane}; {j} += {Lane}.Count)"))
            {
                WriteLaneBody(pass, values, loop, whole: true);
            }

            _writer.Line();
            using (_writer.Block($"if ({j} < {_width})"))
            {
                WriteLaneBody(pass, values, loop, whole: false);
            }

            if (sums.Count > 0)
            {
                _writer.Line();
                foreach (var sum in sums)
                {
                    _writer.Line(sum.Column
                        ? $"{_sinks[sum]}.Add({i}, {Lane}.Sum({sumRows[sum]}));"
                        : $"{_sinks[sum]}.EndRow({i}, {block});");
                }
            }
        }

        _writer.Outdent();
        _writer.Line("});");

        if (sums.Count > 0)
        {
            _writer.Line();
            foreach (var sum in sums)
            {
                _writer.Line($"var {Identifiers.Escape(sum.Target)} = {_sinks[sum]}.{(sum.TargetShape is null ? "Total" : "Result")}();");
            }
        }
    }

    /// <summary>The names a pass's loops use: the row and lane indices, the block, and each row's local.</summary>
    private sealed record LaneLoop(
        string I,
        string J,
        string Block,
        List<(string Name, string Row, string Lanes)> Reads,
        Dictionary<LaneSum, string> SumRows,
        Dictionary<string, string> StoreRows);

    /// <summary>
    /// The statements of a pass on one lane: its loads, then its steps, each block headed by the step it comes from. A
    /// whole lane goes through the row refs unchecked; a partial one through the checked forms on the rows' spans.
    /// </summary>
    /// <param name="values">The lane expression of each statement of the pass's body, in order (empty for a store).</param>
    private void WriteLaneBody(RowPass pass, IReadOnlyList<string> values, LaneLoop loop, bool whole)
    {
        var (i, j, block) = (loop.I, loop.J, loop.Block);
        if (!whole)
        {
            _writer.Line("// the row's last elements, fewer than a lane: the same steps on a partial lane");
        }

        foreach (var read in loop.Reads.Where(r => r.Row.Length > 0))
        {
            if (whole)
            {
                _writer.Line($"var {read.Lanes} = {Lane}.LoadUnsafe(in {read.Row}, {j});");
            }
            else
            {
                _writer.Line($"var {read.Lanes} = {Lane}.Load({_readers[ReaderKey(pass, read.Name)]}.Row({i}, {block}), {j});");
            }
        }

        var header = string.Empty;
        for (var k = 0; k < pass.Body.Count; k++)
        {
            var statement = pass.Body[k];
            if (statement.Header != header)
            {
                header = statement.Header;
                _writer.Line($"// {header}");
            }

            switch (statement)
            {
                case LaneValue value:
                    _writer.Line($"var {Identifiers.Escape(value.Target)} = {values[k]};");
                    break;
                case LaneSum { Column: true } sum when whole:
                    _writer.Line($"{loop.SumRows[sum]} += {values[k]};");
                    break;
                case LaneSum { Column: true } sum:
                    _writer.Line($"{loop.SumRows[sum]} += {Lane}.First({values[k]}, {_width} - {j});");
                    break;
                case LaneSum sum when whole:
                    _writer.Line($"{Lane}.AddToUnsafe(ref {loop.SumRows[sum]}, {j}, {values[k]});");
                    break;
                case LaneSum sum:
                    _writer.Line($"{Lane}.AddTo({_sinks[sum]}.Row({i}, {block}), {j}, {values[k]});");
                    break;
                case LaneStore store when whole:
                    _writer.Line($"{Lane}.StoreUnsafe(ref {loop.StoreRows[store.Target]}, {j}, {Identifiers.Escape(store.Target)});");
                    break;
                case LaneStore store:
                    _writer.Line($"{Lane}.Store({_outputs[store.Target]}.Row({i}), {j}, {Identifiers.Escape(store.Target)});");
                    break;
            }
        }
    }

    private void ReturnNullUnless(IEnumerable<string> conditions)
    {
        var list = conditions.ToList();
        if (list.Count == 0)
        {
            return;
        }

        for (var k = 0; k < list.Count; k++)
        {
            _writer.Line($"{(k == 0 ? "if (!" : "    || !")}{list[k]}{(k == list.Count - 1 ? ")" : string.Empty)}");
        }

        WriteReturnNull();
    }

    private void WriteReturnNull()
    {
        _writer.Line("{");
        _writer.Line("    return null;");
        _writer.Line("}");
    }
}
