using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Differentiate;
using BackpropGen.Generator.Ir;
using BackpropGen.Generator.Lower;
using BackpropGen.Generator.Ops;

namespace BackpropGen.Generator.Fuse;

/// <summary>
/// Products of full-size values and small factors: the sums of one product in a pass shared, and the small factors of a
/// product multiplied once between the passes.
/// </summary>
internal sealed partial class LoopPlanner
{
    /// <summary>How each forward value and judged backward local is constant (<see cref="ConstancyOf"/>).</summary>
    private Dictionary<string, Constancy>? _constancy;

    /// <summary>The target shape of each sum the planner made (null for a sum to a number), for <see cref="ConstancyOf"/>.</summary>
    private readonly Dictionary<string, Adj?> _sumShapes = new();

    /// <summary>The backward's single-target statements by their target, for <see cref="ConstancyOf"/>.</summary>
    private Dictionary<string, BackwardStatement>? _statementsByTarget;

    /// <summary>
    /// The sums a pass accumulates, with those whose full-size part is one product (<c>dgamma = Σ dout * xmu * ivar</c>,
    /// <c>divar = Σ dout * gamma * xmu</c>) summed once per product, the small factors taken out: the pass adds
    /// <c>dout * xmu</c> into one accumulator, and <paramref name="afterPass"/> gets the statements that make each sum of
    /// it (<c>dgamma = SumTo(ivar * doutXmuSum, gammaShape)</c>). The BatchNorm backward's pass 1 adds three rows
    /// (<c>dout</c>, <c>dout * xmu</c>, <c>xmu</c>) instead of five, and reads no factor.
    /// </summary>
    /// <remarks>
    /// Taking a factor f out of a sum to shape T is only valid along axes where f is constant, which at compile time is not
    /// known. So the shared accumulator keeps every axis that any of its sums' targets or factors has: its shape is the
    /// broadcast of them all (J), along whose summed axes every factor is constant, and from which each target is a further
    /// sum: <c>SumTo(f * t, T) = SumTo(f * SumTo(t, J), T)</c>. For BatchNorm J is a row of D; with a scalar gamma,
    /// <c>dgamma</c> is still the sum of a row. Products are not multiplied out over sums: <c>Σ dout * (x - mu)</c> as
    /// <c>Σ dout * x - mu * Σ dout</c> would lose the digits that the subtraction cancels.
    /// </remarks>
    private List<LaneSum> ShareSums(List<LaneSum> sums, List<SmallStatement> afterPass)
    {
        var groups = new List<(List<Adj> Atoms, Constancy Target, List<(LaneSum Sum, Monomial Term)> Members)>();
        var statements = new List<(int Order, SmallStatement Statement)>();
        var kept = new List<LaneSum>();
        foreach (var sum in sums)
        {
            // Sums to rows and sums to columns are not shared: an accumulator with the axes of both would be full-size.
            var target = ShapeConstancy(sum.TargetShape);
            var term = Monomial.Of(sum.Value, this);
            term.KeepInFactorsNotConstantLike(target, this);
            var group = groups.FirstOrDefault(g => g.Target == target && SameMultiset(g.Atoms, term.Atoms));
            if (group.Atoms is null)
            {
                group = (term.Atoms, target, new List<(LaneSum, Monomial)>());
                groups.Add(group);
            }

            group.Members.Add((sum, term));
        }

        foreach (var (atoms, _, members) in groups)
        {
            // A product summed once, with no factor to take out, is already as cheap as it gets.
            if (members.Count == 1 && members[0].Term.Factors.Count == 0)
            {
                kept.Add(members[0].Sum);
                continue;
            }

            var first = members[0].Sum;
            var name = Identifiers.Fresh(string.Concat(atoms.Select(AtomStem).Select((stem, k) => k == 0 ? stem : Capitalized(stem))) + "Sum", _names);
            var axes = members
                .SelectMany(m => (m.Sum.TargetShape is { } target ? new[] { target } : Enumerable.Empty<Adj>())
                    .Concat(m.Term.Factors.SelectMany(LaneWalks.TensorLeaves).Select(A.Shape)))
                .Distinct()
                .ToList();
            var shape = axes.Count switch
            {
                0 => null,
                1 => axes[0],
                _ => new Call(RuntimeFunctions.BroadcastShapes, axes.ToEquatableArray(), ValueKind.Other),
            };
            var product = atoms.Skip(1).Aggregate(atoms[0], A.Mul);
            kept.Add(new LaneSum(first.Step, first.Header, name, product, shape));
            _sumShapes[name] = shape;
            var shared = new GradRef(name, shape is null ? ValueKind.Double : ValueKind.Tensor);
            _values[name] = new Value { Level = _values[first.Target].Level };
            foreach (var (sum, term) in members)
            {
                Adj scaled = term.Factors.Count == 0 ? shared : A.Mul(term.Factors.Aggregate(A.Mul), shared);
                Adj value = sum.TargetShape is { } target
                    ? A.Call(RuntimeFunctions.SumTo, ValueKind.Tensor, scaled, target)
                    : shape is null ? scaled : A.Call(RuntimeFunctions.SumAll, ValueKind.Double, scaled);
                statements.Add((sums.IndexOf(sum), new SmallStatement(sum.Step, sum.Header, new BackwardStatement(sum.Target, term.Negative ? A.Neg(value) : value))));
            }
        }

        // In the order the sums came, which is the order of their steps.
        afterPass.AddRange(statements.OrderBy(s => s.Order).Select(s => s.Statement));
        return kept;
    }

    private static bool SameMultiset(List<Adj> left, List<Adj> right)
    {
        if (left.Count != right.Count)
        {
            return false;
        }

        var rest = new List<Adj>(right);
        return left.All(rest.Remove);
    }

    private static string AtomStem(Adj atom) => atom switch
    {
        GradRef gradient => gradient.Name,
        PrimalRef primal => primal.Name,
        _ => "term",
    };

    private static string Capitalized(string stem) => char.ToUpperInvariant(stem[0]) + stem.Substring(1);

    /// <summary>
    /// A full-size value as <c>±(factors) * (atoms)</c>: small factors (numbers, reduced tensors) times full-size atoms,
    /// following the definitions of full-size locals that are themselves such products (<c>dxhat = dgammax * gamma</c>).
    /// A full-size value of any other form (a sum, a function) is one atom.
    /// </summary>
    private sealed class Monomial
    {
        public bool Negative;
        public readonly List<Adj> Factors = new();
        public readonly List<Adj> Atoms = new();

        public static Monomial Of(Adj value, LoopPlanner planner)
        {
            var term = new Monomial();
            term.Add(value, planner);
            return term;
        }

        private void Add(Adj value, LoopPlanner planner)
        {
            if (!planner.IsFull(value))
            {
                Factors.Add(value);
                return;
            }

            switch (value)
            {
                case GradRef gradient when planner._values.TryGetValue(gradient.Name, out var local) && local.Definition is { } definition
                    && IsProduct(definition.Value, planner):
                    Add(definition.Value, planner);
                    break;
                case Negation negation:
                    Negative = !Negative;
                    Add(negation.Operand, planner);
                    break;
                case Binary { Operator: '*' } product:
                    Add(product.Left, planner);
                    Add(product.Right, planner);
                    break;
                case Binary { Operator: '/' } quotient when planner.IsFull(quotient.Left) && !planner.IsFull(quotient.Right):
                    Add(quotient.Left, planner);
                    Factors.Add(A.Div(A.Lit("1.0"), quotient.Right));
                    break;
                case Call call when call.Is(RuntimeFunctions.SumTo, RuntimeFunctions.BroadcastTo) && planner.IsFull(call.Args[0]):
                    // Summed or broadcast to the full shape it has already: itself, on lanes.
                    Add(call.Args[0], planner);
                    break;
                case Call call when call.Is(RuntimeFunctions.SumProductTo) && (planner.IsFull(call.Args[0]) || planner.IsFull(call.Args[1])):
                    Add(call.Args[0], planner);
                    Add(call.Args[1], planner);
                    break;
                default:
                    Atoms.Add(value);
                    break;
            }
        }

        /// <summary>
        /// Moves into the atoms, to be summed with them, the factors that a sum to a value constant as
        /// <paramref name="target"/> is cannot take out: those not constant along every axis the sum sums over (a column
        /// <c>1.0 / std</c> in the sum down the rows to LayerNorm's <c>dgamma</c>, a row <c>gamma</c> in its sums along
        /// the rows). Taken out, they would give the shared accumulator the axes of both, the full shape.
        /// </summary>
        public void KeepInFactorsNotConstantLike(Constancy target, LoopPlanner planner)
        {
            for (var k = Factors.Count - 1; k >= 0; k--)
            {
                if ((target & ~planner.ConstancyOf(Factors[k])) != 0)
                {
                    Atoms.Add(Factors[k]);
                    Factors.RemoveAt(k);
                }
            }
        }

        /// <summary>Whether a full-size local's definition multiplies out into factors and atoms (rather than being one atom).</summary>
        private static bool IsProduct(Adj definition, LoopPlanner planner) => definition switch
        {
            GradRef or Negation or Binary { Operator: '*' } => true,
            Binary { Operator: '/' } quotient => planner.IsFull(quotient.Left) && !planner.IsFull(quotient.Right),
            Call call when call.Is(RuntimeFunctions.SumTo, RuntimeFunctions.BroadcastTo) => planner.IsFull(call.Args[0]),
            Call call when call.Is(RuntimeFunctions.SumProductTo) => true,
            _ => false,
        };
    }

    /// <summary>
    /// Multiplies the small factors of each full-size product once, between the passes: <c>dxmu1 = dxhat * ivar</c>, with
    /// <c>dxhat = dout * gamma</c>, becomes <c>dxmu1 = dout * dxmu1Factor</c> with <c>dxmu1Factor = gamma * ivar</c>. A pass
    /// then loads one small row for the product instead of one per factor (the small rows a pass reads are what it keeps
    /// in the first-level cache), and multiplies once less per lane.
    /// </summary>
    /// <remarks>
    /// Only factors that are all constant the same way are multiplied together, rows (<c>gamma * ivar</c>) or columns
    /// (LayerNorm's <c>2 * dvariance / D</c>, one value per row): a row (<c>gamma</c>) times a column (LayerNorm's
    /// <c>1.0 / std</c>) would be a full-size tensor, made and read in memory where the pass had two small operands.
    /// Shapes are not known at compile time, so this follows where each factor comes from (<see cref="ConstancyOf"/>);
    /// a wrong guess costs speed, never correctness, since the product is the same either way.
    /// </remarks>
    private void HoistFactors(List<(int Level, FusedSection Statement)> smalls)
    {
        foreach (var block in _program.Blocks)
        {
            foreach (var statement in block.Statements.Where(s => s.Targets.Count == 1))
            {
                var name = statement.Targets[0];
                if (!_values.TryGetValue(name, out var value) || value.Definition is not { } definition)
                {
                    continue;
                }

                var term = Monomial.Of(definition.Value, this);
                var common = term.Factors.Aggregate(Constancy.Everywhere, (all, factor) => all & ConstancyOf(factor));
                if (term.Factors.Count < 2 || !term.Factors.Any(f => f.Kind == ValueKind.Tensor) || common == Constancy.None)
                {
                    continue;
                }

                var factorName = Identifiers.Fresh(name + "Factor", _names);
                var level = term.Factors.Max(LevelOf);
                _values[factorName] = new Value { Level = level };
                _constancy![factorName] = common;
                var where = (common & Constancy.DownRows) != 0 ? "in every row" : "along each row";
                var header = $"{definition.Header} (the factors of {name} that are the same {where}, multiplied once)";
                smalls.Add((level, new SmallStatement(definition.Step, header, new BackwardStatement(factorName, term.Factors.Aggregate(A.Mul)))));
                Adj hoisted = A.Mul(term.Atoms.Aggregate(A.Mul), new GradRef(factorName, ValueKind.Tensor));
                value.Definition = definition with { Value = term.Negative ? A.Neg(hoisted) : hoisted };
            }
        }
    }

    /// <summary>
    /// Along which ways through the rows a small value is, as far as the code shows, the same: down the rows (a row, as
    /// a reduction along axis 0 or a per-feature <c>gamma</c> makes), along each row (a column, as LayerNorm's
    /// <c>Mean(x, axis: 1, keepDims: true)</c> makes), both (a number, a reduction of all elements) or neither (a full-size
    /// value, or anything the code does not tell).
    /// </summary>
    [System.Flags]
    private enum Constancy
    {
        None = 0,
        DownRows = 1,
        AlongRows = 2,
        Everywhere = DownRows | AlongRows,
    }

    /// <summary>
    /// How a small value is constant (<see cref="Constancy"/>): numbers everywhere; a reduction along axis 0 (or of all
    /// elements) down the rows, one along another axis that keeps it along the rows; an input that is not full-size down
    /// the rows (a per-feature <c>gamma</c>, as layers have them); a sum as the value whose shape it sums to; an
    /// elementwise function as all its arguments are.
    /// </summary>
    /// <remarks>
    /// The shapes are only known at run time, so this is a guess from where each value comes from. Where the planner
    /// uses it to take a factor out of a sum (<see cref="ShareSums"/>) or multiply factors once (<see cref="HoistFactors"/>),
    /// a wrong guess costs speed, never correctness; where it reads a value or sums into it as a column, a wrong guess
    /// is found by the run-time check and the step-by-step form runs.
    /// </remarks>
    private Constancy ConstancyOf(Adj value)
    {
        _constancy ??= ForwardConstancy();
        return value.Kind != ValueKind.Tensor ? Constancy.Everywhere : value switch
        {
            PrimalRef primal => _constancy.TryGetValue(primal.Name, out var known) ? known : Constancy.None,
            GradRef gradient => BackwardLocalConstancy(gradient.Name),
            Negation negation => ConstancyOf(negation.Operand),
            Binary binary => ConstancyOf(binary.Left) & ConstancyOf(binary.Right),
            Call call when call.Is(RuntimeFunctions.SumTo, RuntimeFunctions.SumProductTo) => ShapeConstancy(call.Args[call.Args.Count - 1]),
            Call call when IsElementwise(call) => call.Args.Aggregate(Constancy.Everywhere, (all, arg) => all & ConstancyOf(arg)),
            _ => Constancy.None,
        };
    }

    /// <summary>How a value of the shape is constant: null (a sum to a number) everywhere; else as the value the shape is of.</summary>
    private Constancy ShapeConstancy(Adj? shape)
    {
        _constancy ??= ForwardConstancy();
        return shape switch
        {
            null => Constancy.Everywhere,
            ShapeRef named => _constancy.TryGetValue(named.Name, out var known) ? known
                : _forwardSumShapes is not null && _forwardSumShapes.TryGetValue(named.Name, out var column) ? (column ? Constancy.AlongRows : Constancy.DownRows)
                : Constancy.None,
            ShapeOf of => ConstancyOf(of.Value),
            Call call when call.Is(RuntimeFunctions.BroadcastShapes) => call.Args.Aggregate(Constancy.Everywhere, (all, arg) => all & ShapeConstancy(arg)),
            _ => Constancy.None,
        };
    }

    /// <summary>
    /// Whether a small tensor is, as the code shows, one value per row, which a pass reads once a row and sums into in a
    /// register: a column, constant along the rows but not down them.
    /// </summary>
    private bool IsColumn(Adj value) => ConstancyOf(value) == Constancy.AlongRows;

    /// <summary>
    /// A local of the backward: a sum the planner made, as its target shape; else by its statement in the step-by-step
    /// form; a local the planner made otherwise (a bound part, a product of factors) is not judged.
    /// </summary>
    private Constancy BackwardLocalConstancy(string name)
    {
        if (_constancy!.TryGetValue(name, out var known))
        {
            return known;
        }

        if (_sumShapes.TryGetValue(name, out var shape))
        {
            return _constancy[name] = ShapeConstancy(shape);
        }

        // Assumed nothing while it is judged, so that a cycle cannot recurse for ever.
        _constancy[name] = Constancy.None;
        _statementsByTarget ??= _program.Blocks.SelectMany(b => b.Statements).Where(s => s.Targets.Count == 1)
            .GroupBy(s => s.Targets[0]).ToDictionary(g => g.Key, g => g.First());
        var constancy = _statementsByTarget.TryGetValue(name, out var statement) && !IsFull(statement.Value) ? ConstancyOf(statement.Value) : Constancy.None;
        _constancy[name] = constancy;
        return constancy;
    }

    /// <summary>The forward's values and inputs, each with how it is constant.</summary>
    private Dictionary<string, Constancy> ForwardConstancy()
    {
        var method = _program.Method;
        var constancy = new Dictionary<string, Constancy>();
        foreach (var parameter in method.Parameters)
        {
            constancy[parameter.Name] = parameter.Kind != ValueKind.Tensor ? Constancy.Everywhere
                : _fullForward.Contains(parameter.Name) ? Constancy.None : Constancy.DownRows;
        }

        foreach (var step in method.Steps())
        {
            constancy[step.Name] = step.Kind != ValueKind.Tensor ? Constancy.Everywhere
                : _fullForward.Contains(step.Name) ? Constancy.None : ForwardConstancy(step.Value, constancy);
        }

        return constancy;
    }

    private static Constancy ForwardConstancy(Expr expression, Dictionary<string, Constancy> constancy) => expression switch
    {
        _ when expression.Kind != ValueKind.Tensor => Constancy.Everywhere,
        VarExpr variable => constancy.TryGetValue(variable.Name, out var known) ? known : Constancy.None,
        OpExpr { Op.Category: OpCategory.Reduction } op => op.ArgumentWith(ArgRole.Axis) switch
        {
            null or ConstExpr { Text: "0" } => Constancy.DownRows,
            _ when op.ArgumentWith(ArgRole.KeepDims) is ConstExpr { Text: "true" } => Constancy.AlongRows,
            _ => Constancy.None,
        },
        OpExpr { Op.IsElementwise: true } op => op.Args.Aggregate(Constancy.Everywhere, (all, arg) => all & ForwardConstancy(arg, constancy)),
        _ => Constancy.None,
    };
}
