using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Differentiate;
using BackpropGen.Generator.Ir;
using BackpropGen.Generator.Lower;
using BackpropGen.Generator.Plan;

namespace BackpropGen.Generator.Fuse;

/// <summary>
/// Plans the fused form of a backward pass, or finds that it has none. Values are full-size or small: a tensor is
/// full-size when it is a differentiable input that flows (through elementwise steps) into a reduction, or computed
/// elementwise from a full-size value; reductions and scalars are small. Full-size values are computed lane by lane in
/// passes over the rows and never stored, except the gradients returned; a pass ends where a small value needs a
/// reduction it feeds. Later passes recompute the full-size values they need rather than read them back from memory.
/// </summary>
/// <remarks>
/// The sizes are judged from the code: at run time the fused form first checks that every full-size value has one
/// shape and that every small one lies along its rows, columns or is a scalar, and leaves the work to the step-by-step
/// form when not.
/// </remarks>
internal sealed partial class LoopPlanner
{
    private readonly BackwardProgram _program;
    private readonly HashSet<string> _fullForward;
    private readonly Dictionary<string, Value> _values = new();
    private readonly List<Adj> _fullShapes = new();
    private readonly HashSet<string> _names;
    /// <summary>The most passes a fused backward makes.</summary>
    private const int MaxPasses = 8;

    /// <summary>How many nodes splitting one sum into terms may visit.</summary>
    private const int SplitBudget = 256;

    private readonly List<Adj> _expansions = new();
    private int _splitBudget;
    private readonly Dictionary<Adj, string> _boundParts = new();
    private bool _fusible = true;

    private LoopPlanner(CachePlan cache, HashSet<string> fullForward, IReadOnlyDictionary<string, bool>? sumShapes = null)
    {
        _program = cache.Program;
        _fullForward = fullForward;
        _names = new HashSet<string>(cache.NamesInUse());
        _forwardSumShapes = sumShapes;
    }

    /// <summary>The shapes a forward's sums inside an expression go to, by name: true for a column (a row's own sum), false for a row of the features.</summary>
    private readonly IReadOnlyDictionary<string, bool>? _forwardSumShapes;

    /// <summary>The fused form, or null when the backward has no full-size values or an operation that cannot be fused.</summary>
    /// <param name="cache">The cache plan of the differentiated method.</param>
    /// <param name="fullForward">Its full-size forward values (<see cref="FullSizeValues"/>).</param>
    private static MethodPlan Plan(CachePlan cache, HashSet<string> fullForward) => new(cache, new LoopPlanner(cache, fullForward).Run());

    /// <summary>
    /// What is emitted for a planned method: the lean cache with its fused backward when it has one, else the full cache
    /// and its fused backward, if any. The lean program is fused first, since it is the usual outcome for a method with
    /// values to recompute.
    /// </summary>
    public static MethodPlan Fuse(PlannedMethod planned)
    {
        if (planned.Steps.Program.HasFlow)
        {
            // A backward with loops and branches runs as it reads: its steps are small, and the loops are the user's.
            return new MethodPlan(planned.Steps, null);
        }

        var full = new HashSet<string>(planned.FullSizeValues);
        if (planned.Lean is { } lean && Plan(lean, full) is { Loops: not null } leanPlan)
        {
            return leanPlan with { Forward = ForwardPasses.Plan(lean, full) };
        }

        var steps = Plan(planned.Steps, full);
        return steps.Loops is null ? steps : steps with { Forward = ForwardPasses.Plan(planned.Steps, full) };
    }

    /// <summary>The passes of a forward written as a program of statements (<see cref="ForwardPasses"/>), or null.</summary>
    internal static LoopPlan? PlanPasses(CachePlan program, HashSet<string> fullForward, IReadOnlyDictionary<string, bool> sumShapes) =>
        new LoopPlanner(program, fullForward, sumShapes).Run();

    /// <summary>What the planner knows of a local of the backward.</summary>
    private sealed class Value
    {
        public bool Full;

        /// <summary>A small value: the section after which it is known. A full-size one: the first pass that can compute it.</summary>
        public int Level;

        public LaneValue? Definition;
    }

    private LoopPlan? Run()
    {
        var method = _program.Method;

        var doutFull = _program.ReadsDout && method.ReturnKind == ValueKind.Tensor && _fullForward.Contains(method.ReturnedName);
        _values[_program.DoutName] = new Value { Full = doutFull };
        if (doutFull)
        {
            _fullShapes.Add(new ShapeOf(new GradRef(_program.DoutName, ValueKind.Tensor)));
        }

        // Each statement goes to the section where its inputs are first known: small statements between passes, the
        // reductions of full-size values into the pass whose level they have.
        var smalls = new List<(int Level, FusedSection Statement)>();
        var sums = new List<(int Level, LaneSum Sum)>();
        var stores = new List<(int Level, LaneStore Store)>();
        var outputs = new HashSet<string>(_program.Outputs.Select(o => o.LocalName));
        foreach (var block in _program.Blocks)
        {
            foreach (var statement in block.Statements)
            {
                if (statement.Targets.Count != 1)
                {
                    // A called layer's backward: it runs between passes, on whatever its inputs are.
                    if (statement.Value is Call call && call.Args.Any(IsFull))
                    {
                        return null;
                    }

                    foreach (var target in statement.Targets)
                    {
                        _values[target] = new Value { Level = LevelOf(statement.Value) };
                    }

                    smalls.Add((LevelOf(statement.Value), new SmallStatement(block.Step, block.Header, statement)));
                    continue;
                }

                var name = statement.Targets[0];
                if (TryReduction(statement.Value, out var summed, out var shape))
                {
                    Reduce(block, name, summed, shape, sums, smalls);
                }
                else if (IsFull(statement.Value))
                {
                    var definition = new LaneValue(block.Step, block.Header, name, BindSmallParts(block, name, statement.Value, sums, smalls));
                    var level = LevelOf(definition.Value);
                    _values[name] = new Value { Full = true, Level = level, Definition = definition };
                    if (outputs.Contains(name))
                    {
                        stores.Add((level, new LaneStore(block.Step, block.Header, name)));
                    }
                }
                else
                {
                    var value = TakeOutReductions(block, name, statement.Value, sums, smalls);
                    var level = LevelOf(value);
                    _values[name] = new Value { Level = level };
                    smalls.Add((level, new SmallStatement(block.Step, block.Header, statement with { Value = value })));
                }

                if (!_fusible)
                {
                    return null;
                }
            }
        }

        if (!_fusible || (sums.Count == 0 && stores.Count == 0) || _fullShapes.Count == 0)
        {
            return null;
        }

        if (!sums.All(s => HasLaneForm(s.Sum.Value, full: true)) || !_values.Values.All(v => v.Definition is null || HasLaneForm(v.Definition.Value, full: true)))
        {
            return null;
        }

        // Each pass reads the full-size inputs again and recomputes what it needs: past a few passes, the step-by-step
        // form (one pass per step, nothing recomputed) is as good, and the fused code would grow with passes × steps.
        var passes = sums.Select(s => s.Level).Concat(stores.Select(s => s.Level)).Max();
        if (passes >= MaxPasses)
        {
            return null;
        }

        HoistFactors(smalls);
        var sections = new List<FusedSection>();
        var smallsByLevel = smalls.ToLookup(s => System.Math.Min(s.Level, passes + 1), s => s.Statement);
        var sumsByLevel = sums.ToLookup(s => s.Level, s => s.Sum);
        var storesByLevel = stores.ToLookup(s => s.Level, s => s.Store);
        // The statements that make each sum from the sums a pass shared (ShareSums) come right after that pass.
        var afterPass = new List<SmallStatement>();
        for (var level = 0; level <= passes; level++)
        {
            sections.AddRange(afterPass);
            sections.AddRange(smallsByLevel[level]);
            afterPass = new List<SmallStatement>();
            if (sumsByLevel[level].Any() || storesByLevel[level].Any())
            {
                sections.Add(Pass(ShareSums(sumsByLevel[level].ToList(), afterPass), storesByLevel[level].ToList()));
            }
        }

        sections.AddRange(afterPass);
        sections.AddRange(smallsByLevel[passes + 1]);
        return new LoopPlan(_fullShapes.Distinct().ToEquatableArray(), sections.ToEquatableArray());
    }

    /// <summary>
    /// A reduction of a full-size value to a small shape: <c>SumTo(e, s)</c> or <c>SumProductTo(a, b, s)</c>, or to a
    /// number, <c>Sum(e)</c> (<paramref name="shape"/> null), negated or not (<c>dmu = -SumTo(dxmu, muShape)</c> sums
    /// <c>-dxmu</c>).
    /// </summary>
    private bool TryReduction(Adj expression, out Adj summed, out Adj? shape)
    {
        var negated = false;
        var core = expression;
        while (core is Negation negation)
        {
            negated = !negated;
            core = negation.Operand;
        }

        summed = core;
        shape = null;
        if (!IsReductionOfFull(core, out var value, out shape))
        {
            return false;
        }

        summed = negated ? A.Neg(value) : value;
        return true;
    }

    private bool IsReductionOfFull(Adj expression, out Adj value, out Adj? shape)
    {
        value = expression;
        shape = null;
        switch (expression)
        {
            case Call call when call.Is(RuntimeFunctions.SumTo, RuntimeFunctions.SumProductTo) && !IsFull(call.Args[call.Args.Count - 1]):
                value = call.Is(RuntimeFunctions.SumTo) ? call.Args[0] : A.Mul(call.Args[0], call.Args[1]);
                shape = call.Args[call.Args.Count - 1];
                return IsFull(value);
            case Call call when call.Is(RuntimeFunctions.SumAll) && call.Args.Count == 1:
                value = call.Args[0];
                return IsFull(value);
            default:
                return false;
        }
    }

    /// <summary>
    /// The sum <paramref name="name"/> of a full-size value: in the pass that can compute the value, or, when the value
    /// must wait for a later pass, as the combination of its terms' sums (see <see cref="TryFactor"/>).
    /// </summary>
    private GradRef Reduce(BackwardBlock block, string name, Adj summed, Adj? shape, List<(int Level, LaneSum Sum)> sums, List<(int Level, FusedSection Statement)> smalls)
    {
        summed = BindSmallParts(block, name, summed, sums, smalls);
        var level = LevelOf(summed);
        if (shape is not null && TryFactor(summed, level, shape, out var terms))
        {
            // Sum each term in the earliest pass that can, and combine the sums once they are known.
            var combined = Combine(block, name, terms, shape, sums);
            _values[name] = new Value { Level = combined.Level };
            _sumShapes[name] = shape;
            smalls.Add((combined.Level, combined.Statement));
        }
        else
        {
            sums.Add((level, new LaneSum(block.Step, block.Header, name, summed, shape)));
            _values[name] = new Value { Level = level + 1 };
            _sumShapes[name] = shape;
        }

        return new GradRef(name, shape is null ? ValueKind.Double : ValueKind.Tensor);
    }

    /// <summary>
    /// A small statement with the reductions of full-size values inside it (<c>0.5 / sqrtvar * SumProductTo(…)</c>) taken
    /// out as sums of their own (their small parts without a lane form bound to locals, see <see cref="BindSmallParts"/>).
    /// </summary>
    private Adj TakeOutReductions(BackwardBlock block, string name, Adj expression, List<(int Level, LaneSum Sum)> sums, List<(int Level, FusedSection Statement)> smalls)
    {
        if (IsReductionOfFull(expression, out var value, out var shape))
        {
            return Reduce(block, Identifiers.Fresh(name + "Sum", _names), value, shape, sums, smalls);
        }

        return expression switch
        {
            Negation negation => A.Neg(TakeOutReductions(block, name, negation.Operand, sums, smalls)),
            Binary binary => new Binary(binary.Operator, TakeOutReductions(block, name, binary.Left, sums, smalls), TakeOutReductions(block, name, binary.Right, sums, smalls), binary.Kind),
            Call call => TakeOutReductionsOfArgs(block, name, call, sums, smalls),
            _ => expression,
        };
    }

    /// <summary>
    /// A full-size expression with each small part that has no lane form (the user's <c>Sqrt(variance + eps)</c>, a
    /// <c>Sum(dout)</c>) bound once to a local, computed between the passes as soon as its inputs are known; the passes
    /// read such a local like any small tensor or number.
    /// </summary>
    private Adj BindSmallParts(BackwardBlock block, string target, Adj expression, List<(int Level, LaneSum Sum)> sums, List<(int Level, FusedSection Statement)> smalls)
    {
        if (!IsFull(expression))
        {
            if (HasLaneForm(expression, full: false) || expression.Kind is not (ValueKind.Tensor or ValueKind.Double))
            {
                return expression;
            }

            if (!_boundParts.TryGetValue(expression, out var local))
            {
                local = Identifiers.Fresh(target + "Part", _names);
                _boundParts[expression] = local;
                var bound = TakeOutReductions(block, local, expression, sums, smalls);
                var level = LevelOf(bound);
                _values[local] = new Value { Level = level };
                smalls.Add((level, new SmallStatement(block.Step, block.Header, new BackwardStatement(local, bound))));
            }

            return new GradRef(local, expression.Kind);
        }

        return expression switch
        {
            Negation negation => A.Neg(BindSmallParts(block, target, negation.Operand, sums, smalls)),
            Binary binary => new Binary(binary.Operator, BindSmallParts(block, target, binary.Left, sums, smalls), BindSmallParts(block, target, binary.Right, sums, smalls), binary.Kind),
            Call call => BindSmallPartsOfArgs(block, target, call, sums, smalls),
            _ => expression,
        };
    }

    // The argument maps are methods of their own: a lambda in the recursive methods would have them allocate its closure
    // at every node, call or not.
    private Call TakeOutReductionsOfArgs(BackwardBlock block, string name, Call call, List<(int Level, LaneSum Sum)> sums, List<(int Level, FusedSection Statement)> smalls) =>
        WithArgs(call, arg => TakeOutReductions(block, name, arg, sums, smalls));

    private Call BindSmallPartsOfArgs(BackwardBlock block, string target, Call call, List<(int Level, LaneSum Sum)> sums, List<(int Level, FusedSection Statement)> smalls) =>
        WithArgs(call, arg => BindSmallParts(block, target, arg, sums, smalls));

    /// <summary>The call with each argument mapped, or the call itself when no argument changes.</summary>
    private static Call WithArgs(Call call, System.Func<Adj, Adj> map) =>
        call.Args.MapIfChanged(map, static (arg, map) => map(arg)) is { } args ? call with { Args = args } : call;

    /// <summary>A term of a sum: <c>Factor * Term</c>, the factor small (null for 1), negated when <c>Negative</c>.</summary>
    private readonly struct SumTerm
    {
        public SumTerm(bool negative, Adj? factor, Adj term)
        {
            Negative = negative;
            Factor = factor;
            Term = term;
        }

        public bool Negative { get; }

        public Adj? Factor { get; }

        public Adj Term { get; }
    }

    /// <summary>
    /// Splits a full-size value that must wait for a later pass (<c>dxmu</c> waits for <c>dsq</c>) into terms
    /// <c>factor * term</c> whose terms are known earlier (<c>dxmu1 + 2 * dsq * xmu</c>): the sum of such a value is the
    /// combination of the terms' sums, <c>Σ dxmu = Σ dxmu1 + 2 * dsq * Σ xmu</c>, as long as each factor is constant along
    /// the summed axes (checked at run time). It saves the pass that the sum would otherwise need.
    /// </summary>
    /// <remarks>
    /// A factor that the code shows to vary along the sum is not taken out, since the run-time check would refuse it
    /// every time: a column (one value per row) out of a sum that is not along the rows (LayerNorm-like scaling of each
    /// row after centring each column), a row out of a sum along the rows. The sum then waits for its pass.
    /// </remarks>
    private bool TryFactor(Adj summed, int level, Adj shape, out List<SumTerm> terms)
    {
        terms = new List<SumTerm>();
        _expansions.Clear();
        _splitBudget = SplitBudget;
        var target = ShapeConstancy(shape);
        return level > 0
            && Split(summed, false, null, level, terms)
            && terms.Max(t => LevelOf(t.Term)) < level
            && terms.All(t => t.Factor is null || LaneWalks.LaneNodes(t.Factor).All(node => node is not Call call || IsElementwise(call)))
            && terms.All(t => t.Factor is null || CanTakeOut(ConstancyOf(t.Factor), target));
    }

    /// <summary>
    /// Whether the code leaves it possible that a factor constant as <paramref name="factor"/> is constant along a sum
    /// to a value constant as <paramref name="target"/>: it must be constant every way the target is (summing to a row
    /// sums down the rows, to a column along them, to one element both). An unknown factor is left to the run-time
    /// check; so is any factor but a column when the target is unknown (a sum to the shape of a user's expression).
    /// </summary>
    private static bool CanTakeOut(Constancy factor, Constancy target) =>
        factor == Constancy.None || (target == Constancy.None ? factor != Constancy.AlongRows : (target & ~factor) == 0);

    private bool Split(Adj expression, bool negative, Adj? factor, int level, List<SumTerm> terms)
    {
        // Definitions are expanded where they are used, so a value used twice is split twice: a budget keeps a long
        // chain of such values from taking exponential time (the sum then just waits for its pass).
        if (--_splitBudget < 0)
        {
            return false;
        }

        if (LevelOf(expression) < level)
        {
            terms.Add(new SumTerm(negative, factor, expression));
            return true;
        }

        Adj Times(Adj small) => factor is null ? small : A.Mul(factor, small);
        switch (expression)
        {
            case GradRef gradient when _values.TryGetValue(gradient.Name, out var value) && value.Definition is { } definition:
                return Split(definition.Value, negative, factor, level, terms);
            case Negation negation:
                return Split(negation.Operand, !negative, factor, level, terms);
            case Binary { Operator: '+' or '-' } binary:
                return Split(binary.Left, negative, factor, level, terms) && Split(binary.Right, negative ^ binary.Operator == '-', factor, level, terms);
            case Binary { Operator: '*' } binary when IsSmallOrBroadcast(binary.Left):
                return Split(binary.Right, negative, Times(Unbroadcast(binary.Left)), level, terms);
            case Binary { Operator: '*' } binary when IsSmallOrBroadcast(binary.Right):
                return Split(binary.Left, negative, Times(Unbroadcast(binary.Right)), level, terms);
            case Binary { Operator: '/' } binary when IsSmallOrBroadcast(binary.Right):
                var divisor = Unbroadcast(binary.Right);
                return Split(binary.Left, negative, factor is null ? A.Div(A.Lit("1.0"), divisor) : A.Div(factor, divisor), level, terms);
            case Call call when call.Is(RuntimeFunctions.SumTo, RuntimeFunctions.BroadcastTo) && IsFull(call.Args[call.Args.Count - 1]):
                return Split(call.Args[0], negative, factor, level, terms);
            case Call call when call.Is(RuntimeFunctions.SumProductTo) && IsFull(call.Args[2]):
                return Split(A.Mul(call.Args[0], call.Args[1]), negative, factor, level, terms);
            default:
                return false;
        }
    }

    /// <summary>A small value, or one broadcast to the full shape (<c>ExpandAlong(dvariance, 1, xmu.Shape)</c>).</summary>
    private bool IsSmallOrBroadcast(Adj expression) => !IsFull(expression) || expression switch
    {
        Call call when call.Is(RuntimeFunctions.BroadcastTo, RuntimeFunctions.ExpandAlong, RuntimeFunctions.Full) => !IsFull(call.Args[0]),
        Binary binary => IsSmallOrBroadcast(binary.Left) && IsSmallOrBroadcast(binary.Right),
        Negation negation => IsSmallOrBroadcast(negation.Operand),
        _ => false,
    };

    /// <summary>
    /// A factor as the small value it is, before broadcasting: taken out of a sum it multiplies the sum, which has the
    /// small shape. An expansion along an axis is noted, to be checked to be a broadcast.
    /// </summary>
    private Adj Unbroadcast(Adj expression)
    {
        switch (expression)
        {
            case Call call when call.Is(RuntimeFunctions.ExpandAlong):
                _expansions.Add(call);
                return Unbroadcast(call.Args[0]);
            case Call call when call.Is(RuntimeFunctions.BroadcastTo, RuntimeFunctions.Full):
                return Unbroadcast(call.Args[0]);
            case Binary binary:
                return new Binary(binary.Operator, Unbroadcast(binary.Left), Unbroadcast(binary.Right), binary.Left.Kind == ValueKind.Tensor || binary.Right.Kind == ValueKind.Tensor ? ValueKind.Tensor : binary.Kind);
            case Negation negation:
                return A.Neg(Unbroadcast(negation.Operand));
            default:
                return expression;
        }
    }

    /// <summary>
    /// The sums of the terms, as reductions in the passes that can compute them (a term summed twice is summed once),
    /// and the statement that combines them.
    /// </summary>
    private (int Level, FusedSection Statement) Combine(BackwardBlock block, string name, List<SumTerm> terms, Adj shape, List<(int Level, LaneSum Sum)> sums)
    {
        Adj? combination = null;
        var level = 0;
        var factors = new List<Adj>();
        foreach (var term in terms)
        {
            var termLevel = LevelOf(term.Term);
            var existing = sums.FirstOrDefault(s => s.Level == termLevel && s.Sum.Value.Equals(term.Term) && Equals(s.Sum.TargetShape, shape)).Sum;
            var sumName = existing?.Target ?? FreshSumName(term.Term);
            if (existing is null)
            {
                sums.Add((termLevel, new LaneSum(block.Step, block.Header, sumName, term.Term, shape)));
                _values[sumName] = new Value { Level = termLevel + 1 };
                _sumShapes[sumName] = shape;
            }

            Adj part = new GradRef(sumName, ValueKind.Tensor);
            if (term.Factor is { } factor)
            {
                part = A.Mul(factor, part);
                factors.Add(factor);
                level = System.Math.Max(level, LevelOf(factor));
            }

            level = System.Math.Max(level, termLevel + 1);
            combination = combination is null
                ? (term.Negative ? A.Neg(part) : part)
                : term.Negative ? A.Sub(combination, part) : A.Add(combination, part);
        }

        var statement = new BackwardStatement(name, combination!);
        return (level, new FactoredSum(block.Step, block.Header, statement, factors.ToEquatableArray(), _expansions.Distinct().ToEquatableArray(), shape));
    }

    /// <summary>The name of a term's sum: <c>xmuSum</c> for the term <c>xmu</c>, <c>termSum</c> for an expression.</summary>
    private string FreshSumName(Adj term)
    {
        var stem = term switch
        {
            GradRef gradient => gradient.Name,
            PrimalRef primal => primal.Name,
            _ => "term",
        };
        return Identifiers.Fresh(stem + "Sum", _names);
    }

    /// <summary>
    /// Whether an expression is full-size. Along the way it records the full shapes the fused form must check, and
    /// finds the expressions it cannot compute lane by lane (a matrix product, a user's tensor expression).
    /// </summary>
    private bool IsFull(Adj expression)
    {
        switch (expression)
        {
            case GradRef gradient:
                return _values.TryGetValue(gradient.Name, out var value) && value.Full;
            case PrimalRef primal:
                if (primal.Kind == ValueKind.Tensor && _fullForward.Contains(primal.Name))
                {
                    _fullShapes.Add(new ShapeRef(primal.Name));
                    return true;
                }

                return false;
            case ShapeRef shape:
                if (_fullForward.Contains(shape.Name))
                {
                    _fullShapes.Add(shape);
                    return true;
                }

                return false;
            case ShapeOf shapeOf:
                return IsFull(shapeOf.Value);
            case Code:
                // The user's tensor expression: computed whole, as a tensor between the passes (see BindSmallParts).
                return false;
            case Negation negation:
                return IsFull(negation.Operand);
            case Binary binary:
                return IsFull(binary.Left) | IsFull(binary.Right);
            case Call call when call.Function.ShapedAsLast:
                return IsFull(call.Args[call.Args.Count - 1]);
            case Call call when call.Is(RuntimeFunctions.BroadcastShapes):
                // The shape of a full-size value broadcast with another: the full shape, which the fused form checks.
                if (AnyFull(call.Args))
                {
                    _fullShapes.Add(call);
                    return true;
                }

                return false;
            case Call call when call.Is(RuntimeFunctions.SumAll) && call.Args.Count == 1:
                // A sum of all elements is a number: a reduction the fused form takes out into a pass.
                IsFull(call.Args[0]);
                return false;
            case Call { Function.Lane: LaneForm.Function } call:
                return AnyFull(call.Args);
            case Call call:
                foreach (var arg in call.Args)
                {
                    if (IsFull(arg))
                    {
                        _fusible = false;
                        break;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary>
    /// The section an expression can be computed in: for a small expression, the one after which its inputs are all
    /// known; for a full-size one, the first pass that can compute it.
    /// </summary>
    private int LevelOf(Adj expression) => expression switch
    {
        GradRef gradient => _values.TryGetValue(gradient.Name, out var value) ? value.Level : 0,
        ShapeOf shapeOf => LevelOf(shapeOf.Value),
        Member member => LevelOf(member.Target),
        InstanceCall call => System.Math.Max(LevelOf(call.Target), HighestLevelOf(call.Args)),
        Negation negation => LevelOf(negation.Operand),
        Binary binary => System.Math.Max(LevelOf(binary.Left), LevelOf(binary.Right)),
        Call call => HighestLevelOf(call.Args),
        // The user's code replayed (a forward's step on small values): known once the locals it reads are.
        Code code => code.Reads.Select(name => _values.TryGetValue(name, out var read) ? read.Level : 0).DefaultIfEmpty(0).Max(),
        _ => 0,
    };

    private int HighestLevelOf(EquatableArray<Adj> expressions)
    {
        var level = 0;
        foreach (var expression in expressions)
        {
            level = System.Math.Max(level, LevelOf(expression));
        }

        return level;
    }

    /// <summary>Whether any of the expressions is full-size, each looked at (IsFull notes the full shapes it meets).</summary>
    private bool AnyFull(EquatableArray<Adj> expressions)
    {
        var any = false;
        foreach (var expression in expressions)
        {
            any |= IsFull(expression);
        }

        return any;
    }

    /// <summary>
    /// Whether an expression can be computed on lanes as it stands: elementwise functions of tensors (read broadcast) and
    /// numbers. A full-size expression may also sum or broadcast to the full shape (<paramref name="full"/>), which on
    /// lanes is the value itself; a small one may not, since lanes have the full shape.
    /// </summary>
    /// <remarks>
    /// A shape's property or method (<c>xmu.Shape.Dimension(1)</c>) has a lane form but is left out of it: inside the
    /// inner loop it would be asked again for every lane, where bound to a local it is asked once.
    /// </remarks>
    private static bool HasLaneForm(Adj expression, bool full)
    {
        foreach (var node in LaneWalks.LaneNodes(expression))
        {
            var hasLaneForm = node switch
            {
                Code code => code.Kind != ValueKind.Tensor,
                Call call => IsElementwise(call) || (full && call.Function.ShapedAsLast),
                GradRef or PrimalRef or Literal or Negation or Binary => true,
                _ => false,
            };
            if (!hasLaneForm)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A call that applies its function element by element: one of Lane's, or System.Math's on numbers.</summary>
    private static bool IsElementwise(Call call) => call.Function.Lane is LaneForm.Function or LaneForm.Scalar;

    /// <summary>
    /// A pass: the given reductions and stores, preceded by the full-size values they need (recomputed here, in step
    /// order), and the tensors it reads.
    /// </summary>
    private RowPass Pass(List<LaneSum> sums, List<LaneStore> stores)
    {
        var needed = new HashSet<string>();
        foreach (var sum in sums)
        {
            Need(sum.Value, needed);
        }

        foreach (var store in stores)
        {
            Need(new GradRef(store.Target, ValueKind.Tensor), needed);
        }

        // A sum to a column is summed along each row, in a register.
        sums = sums.Select(sum => ShapeConstancy(sum.TargetShape) == Constancy.AlongRows ? sum with { Column = true } : sum).ToList();
        var body = new List<PassStatement>();
        var reads = new List<string>();
        var columns = new List<string>();
        var expansions = new ReadExpansions();
        var sumsByTarget = sums.ToLookup(s => s.Target);
        var storesByTarget = stores.ToLookup(s => s.Target);
        var placed = new HashSet<LaneSum>(ReferenceComparer<LaneSum>.Instance);
        void Add(PassStatement statement, Adj value)
        {
            body.Add(statement);
            CollectReads(value, reads, columns, expansions);
        }

        foreach (var block in _program.Blocks)
        {
            foreach (var statement in block.Statements)
            {
                if (statement.Targets.Count != 1)
                {
                    continue;
                }

                var name = statement.Targets[0];
                if (needed.Contains(name) && _values[name].Definition is { } definition)
                {
                    Add(definition, definition.Value);
                }

                foreach (var sum in sumsByTarget[name])
                {
                    Add(sum, sum.Value);
                    placed.Add(sum);
                }

                body.AddRange(storesByTarget[name]);
            }
        }

        // The sums of factored terms have no statement of their own: they come last, their terms computed by then.
        foreach (var sum in sums.Where(s => !placed.Contains(s)))
        {
            Add(sum, sum.Value);
        }

        var expanded = expansions.ColumnsOnlyExpanded(columns);
        columns.AddRange(expanded.Select(call => ReadName(((Call)call).Args[0])!));
        return new RowPass(reads.Distinct().ToEquatableArray(), body.ToEquatableArray(), columns.Distinct().ToEquatableArray(), expanded.ToEquatableArray());
    }

    private void Need(Adj expression, HashSet<string> needed)
    {
        foreach (var node in LaneWalks.LaneNodes(expression))
        {
            if (node is GradRef gradient && _values.TryGetValue(gradient.Name, out var value) && value.Definition is { } definition
                && needed.Add(gradient.Name))
            {
                Need(definition.Value, needed);
            }
        }
    }

    /// <summary>
    /// The tensors a lane expression loads: tensors it reads that are not themselves computed on lanes; and of those,
    /// the columns (<see cref="IsColumn"/>), read once a row.
    /// </summary>
    private void CollectReads(Adj expression, List<string> reads, List<string> columns, ReadExpansions expansions)
    {
        foreach (var node in LaneWalks.LaneNodes(expression))
        {
            if (node is Call call && call.Is(RuntimeFunctions.ExpandAlong) && ReadName(call.Args[0]) is { } expanded)
            {
                expansions.Expanded(expanded, call);
            }

            if (ReadName(node) is { } name)
            {
                reads.Add(name);
                expansions.Read(name);
                if (IsColumn(node))
                {
                    columns.Add(name);
                }
            }
        }
    }

    /// <summary>The name of a tensor a lane expression loads, if the node is one.</summary>
    private string? ReadName(Adj node) => node switch
    {
        GradRef { Kind: ValueKind.Tensor } gradient when !(_values.TryGetValue(gradient.Name, out var value) && value.Definition is not null) => gradient.Name,
        PrimalRef { Kind: ValueKind.Tensor } primal => primal.Name,
        _ => null,
    };

    /// <summary>
    /// How a pass reads each tensor through <c>ExpandAlong(g, axis, shape)</c>: the gradient of a reduction that did not
    /// keep its axis (<c>Sum(e, axis: 1)</c>, of shape [N]) is not a broadcast, but along the last axis it is one value
    /// per row, read as a column.
    /// </summary>
    private sealed class ReadExpansions
    {
        private readonly Dictionary<string, int> _reads = new();
        private readonly Dictionary<string, List<Call>> _expansions = new();

        public void Read(string name) => _reads[name] = _reads.TryGetValue(name, out var count) ? count + 1 : 1;

        public void Expanded(string name, Call call)
        {
            if (!_expansions.TryGetValue(name, out var calls))
            {
                _expansions[name] = calls = new List<Call>();
            }

            calls.Add(call);
        }

        /// <summary>
        /// The expansions whose tensor, not already a column, the pass reads only through them, all one call along an
        /// axis other than the first: each is read as a column once its axis is found at run time to be the last.
        /// </summary>
        public List<Adj> ColumnsOnlyExpanded(List<string> columns) => _expansions
            .Where(e => !columns.Contains(e.Key) && e.Value.Count == _reads[e.Key] && e.Value.Distinct().Count() == 1
                && e.Value[0].Args[1] is not (Literal { Text: "0" } or Code { Text: "0" }))
            .Select(e => (Adj)e.Value[0])
            .ToList();
    }
}
