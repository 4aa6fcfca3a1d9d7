using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Differentiate;
using BackpropGen.Generator.Lower;

namespace BackpropGen.Generator.Fuse;

/// <summary>The small factors of full-size products, multiplied once between the passes rather than on every lane.</summary>
internal sealed partial class LoopPlanner
{
    private Dictionary<string, bool>? _constantDownRows;

    /// <summary>
    /// Multiplies the small factors of each full-size product once, between the passes: <c>dxmu1 = dxhat * ivar</c>, with
    /// <c>dxhat = dout * gamma</c>, becomes <c>dxmu1 = dout * dxmu1Factor</c> with <c>dxmu1Factor = gamma * ivar</c>. A pass
    /// then loads one small row for the product instead of one per factor (the small rows a pass reads are what it keeps
    /// in the first-level cache), and multiplies once less per lane.
    /// </summary>
    /// <remarks>
    /// Only factors that are constant down the rows are multiplied together: a row (<c>gamma</c>) times a column
    /// (LayerNorm's <c>1.0 / std</c>) would be a full-size tensor, made and read in memory where the pass had two small
    /// rows. Shapes are not known at compile time, so this follows where each factor comes from (<see cref="IsConstantDownRows"/>);
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
                if (term.Factors.Count < 2 || !term.Factors.Any(f => f.Kind == ValueKind.Tensor) || !term.Factors.All(IsConstantDownRows))
                {
                    continue;
                }

                var factorName = Identifiers.Fresh(name + "Factor", _names);
                var level = term.Factors.Max(LevelOf);
                _values[factorName] = new Value { Level = level };
                var header = $"{definition.Header} (the factors of {name} that are the same in every row, multiplied once)";
                smalls.Add((level, new SmallStatement(definition.Step, header, new BackwardStatement(factorName, term.Factors.Aggregate(A.Mul)))));
                Adj hoisted = A.Mul(term.Atoms.Aggregate(A.Mul), new GradRef(factorName, ValueKind.Tensor));
                value.Definition = definition with { Value = term.Negative ? A.Neg(hoisted) : hoisted };
            }
        }
    }

    /// <summary>
    /// Whether a small value is, as far as the code shows, the same in every row: a number; a reduction along axis 0 or
    /// of all elements; an input that is not full-size (a per-feature <c>gamma</c>, as layers have them); a sum to the
    /// shape of such a value; and elementwise functions of these. A reduction along another axis (LayerNorm's
    /// <c>Mean(x, axis: 1, keepDims: true)</c>) varies down the rows, and so does anything the code does not tell.
    /// </summary>
    private bool IsConstantDownRows(Adj factor)
    {
        _constantDownRows ??= ForwardConstantDownRows();
        return factor.Kind != ValueKind.Tensor || factor switch
        {
            PrimalRef primal => _constantDownRows.TryGetValue(primal.Name, out var constant) && constant,
            GradRef gradient => IsBackwardLocalConstantDownRows(gradient.Name),
            Negation negation => IsConstantDownRows(negation.Operand),
            Binary binary => IsConstantDownRows(binary.Left) && IsConstantDownRows(binary.Right),
            Call { Function: "Tensor.SumTo" or "Tensor.SumProductTo" } call => ShapeIsConstantDownRows(call.Args[call.Args.Count - 1]),
            Call call when IsElementwise(call) => call.Args.All(IsConstantDownRows),
            _ => false,
        };
    }

    private bool ShapeIsConstantDownRows(Adj shape) => shape switch
    {
        ShapeRef named => _constantDownRows!.TryGetValue(named.Name, out var constant) && constant,
        ShapeOf of => IsConstantDownRows(of.Value),
        _ => false,
    };

    /// <summary>A local of the backward, by its statement in the step-by-step form; a local the planner made (a bound part, a sum of terms) is not judged.</summary>
    private bool IsBackwardLocalConstantDownRows(string name)
    {
        if (_constantDownRows!.TryGetValue(name, out var known))
        {
            return known;
        }

        // Assumed not while it is judged, so that a cycle cannot recurse for ever.
        _constantDownRows[name] = false;
        var statement = _program.Blocks.SelectMany(b => b.Statements).FirstOrDefault(s => s.Targets.Count == 1 && s.Targets[0] == name);
        var constant = statement is not null && !IsFull(statement.Value) && IsConstantDownRows(statement.Value);
        _constantDownRows[name] = constant;
        return constant;
    }

    /// <summary>The forward's small values and inputs, each marked whether it is constant down the rows.</summary>
    private Dictionary<string, bool> ForwardConstantDownRows()
    {
        var method = _program.Method;
        var constant = new Dictionary<string, bool>();
        foreach (var parameter in method.Parameters)
        {
            constant[parameter.Name] = parameter.Kind != ValueKind.Tensor || !_fullForward.Contains(parameter.Name);
        }

        foreach (var step in method.Body.Select(s => s.Step).Where(s => s is not null).Select(s => s!))
        {
            constant[step.Name] = step.Kind != ValueKind.Tensor || (!_fullForward.Contains(step.Name) && ConstantDownRows(step.Value, constant));
        }

        return constant;
    }

    private static bool ConstantDownRows(Expr expression, Dictionary<string, bool> constant) => expression switch
    {
        _ when expression.Kind != ValueKind.Tensor => true,
        VarExpr variable => constant.TryGetValue(variable.Name, out var known) && known,
        OpExpr { Op: OpKind.SumAll or OpKind.MeanAll } => true,
        OpExpr { Op: OpKind.Sum or OpKind.Mean or OpKind.Max } op => op.Args.Count > 1 && op.Args[1] is ConstExpr { Text: "0" },
        OpExpr op when DerivativeRules.Table[op.Op].Elementwise => op.Args.All(arg => ConstantDownRows(arg, constant)),
        _ => false,
    };
}
