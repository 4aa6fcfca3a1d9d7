using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Differentiate;
using BackpropGen.Generator.Lower;

namespace BackpropGen.Generator.Fuse;

/// <summary>Sums of one pass that share their full-size part, summed once.</summary>
internal sealed partial class LoopPlanner
{
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
        var groups = new List<(List<Adj> Atoms, List<(LaneSum Sum, Monomial Term)> Members)>();
        var statements = new List<(int Order, SmallStatement Statement)>();
        var kept = new List<LaneSum>();
        foreach (var sum in sums)
        {
            var term = Monomial.Of(sum.Value, this);
            var group = groups.FirstOrDefault(g => SameMultiset(g.Atoms, term.Atoms));
            if (group.Atoms is null)
            {
                group = (term.Atoms, new List<(LaneSum, Monomial)>());
                groups.Add(group);
            }

            group.Members.Add((sum, term));
        }

        foreach (var (atoms, members) in groups)
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
                    .Concat(m.Term.Factors.SelectMany(TensorLeaves).Select(A.Shape)))
                .Distinct()
                .ToList();
            var shape = axes.Count switch
            {
                0 => null,
                1 => axes[0],
                _ => new Call("TensorShape.Broadcast", axes.ToEquatableArray(), ValueKind.Other),
            };
            var product = atoms.Skip(1).Aggregate(atoms[0], A.Mul);
            kept.Add(new LaneSum(first.Step, first.Header, name, product, shape));
            var shared = new GradRef(name, shape is null ? ValueKind.Double : ValueKind.Tensor);
            _values[name] = new Value { Level = _values[first.Target].Level };
            foreach (var (sum, term) in members)
            {
                Adj scaled = term.Factors.Count == 0 ? shared : A.Mul(term.Factors.Aggregate(A.Mul), shared);
                Adj value = sum.TargetShape is { } target
                    ? A.TensorCall("SumTo", ValueKind.Tensor, scaled, target)
                    : shape is null ? scaled : A.TensorCall("Sum", ValueKind.Double, scaled);
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

    /// <summary>The tensors a small factor is computed from, whose shapes together make the factor's shape.</summary>
    private static IEnumerable<Adj> TensorLeaves(Adj factor) => factor.Kind != ValueKind.Tensor
        ? Enumerable.Empty<Adj>()
        : factor switch
        {
            GradRef or PrimalRef => new[] { factor },
            Negation negation => TensorLeaves(negation.Operand),
            Binary binary => TensorLeaves(binary.Left).Concat(TensorLeaves(binary.Right)),
            Call call => call.Args.SelectMany(TensorLeaves),
            _ => Enumerable.Empty<Adj>(),
        };

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
                case Call { Function: "Tensor.SumTo" or "Tensor.BroadcastTo" } call when planner.IsFull(call.Args[0]):
                    // Summed or broadcast to the full shape it has already: itself, on lanes.
                    Add(call.Args[0], planner);
                    break;
                case Call { Function: "Tensor.SumProductTo" } call when planner.IsFull(call.Args[0]) || planner.IsFull(call.Args[1]):
                    Add(call.Args[0], planner);
                    Add(call.Args[1], planner);
                    break;
                default:
                    Atoms.Add(value);
                    break;
            }
        }

        /// <summary>Whether a full-size local's definition multiplies out into factors and atoms (rather than being one atom).</summary>
        private static bool IsProduct(Adj definition, LoopPlanner planner) => definition switch
        {
            GradRef or Negation or Binary { Operator: '*' } => true,
            Binary { Operator: '/' } quotient => planner.IsFull(quotient.Left) && !planner.IsFull(quotient.Right),
            Call { Function: "Tensor.SumTo" or "Tensor.BroadcastTo" } call => planner.IsFull(call.Args[0]),
            Call { Function: "Tensor.SumProductTo" } => true,
            _ => false,
        };
    }
}
