using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Ir;
using BackpropGen.Generator.Lower;
using BackpropGen.Generator.Ops;

namespace BackpropGen.Generator.Differentiate;

/// <summary>
/// Reverse-mode differentiation of a step program: walks the steps that lie between a differentiable parameter and the
/// result in reverse order and applies each operation's rule from <see cref="Operations"/>. A value used once gets
/// one gradient <c>dv</c>; a value used k times gets the numbered partials <c>dv1 … dvk</c> in the order the sweep
/// produces them, summed where the last one is known (at the value's own step, or in step 0 for parameters).
/// </summary>
internal sealed class ReverseSweep : ExpressionAdjoints
{
    private readonly MethodModel _method;
    private readonly Dictionary<string, int> _uses = new();
    private readonly Dictionary<string, List<string>> _partials = new();
    private readonly string _dout;
    private List<BackwardStatement> _statements = new();
    private int _temporaries;
    private readonly List<string> _variables = new();
    private readonly HashSet<(string Value, string Partial)> _reducedPartials = new();

    private ReverseSweep(MethodModel method, IReadOnlyDictionary<int, string> auxiliaries)
        : base(auxiliaries)
    {
        _method = method;
        foreach (var name in method.Parameters.Select(p => p.Name).Concat(method.Locals.Select(l => l.Name)))
        {
            Taken.Add(name);
        }

        _dout = Fresh("dout");
    }

    public static BackwardProgram Differentiate(MethodModel method, IReadOnlyDictionary<int, string> auxiliaries) => new ReverseSweep(method, auxiliaries).Run();

    private BackwardProgram Run()
    {
        var cache = Fresh("cache");
        var steps = _method.Steps();
        var active = ActiveSteps(steps);
        CountUses(active);
        _partials[_method.ReturnedName] = new List<string> { _dout };

        var blocks = new List<BackwardBlock>();
        AddForwardEdges(active);

        foreach (var step in Enumerable.Reverse(active))
        {
            CurrentStep = step.Name;
            _statements = new List<BackwardStatement>();
            var gradient = GradientOf(step.Name, step.Kind, out var reduced);
            if (reduced && !ExpandsGradient(step.Value))
            {
                gradient = A.Call(RuntimeFunctions.BroadcastTo, ValueKind.Tensor, gradient, new ShapeRef(step.Name));
            }

            VisitStep(step, gradient, new PrimalRef(step.Name, step.Kind));
            blocks.Add(new BackwardBlock(step.Number, $"step {step.Number}: {step.Quote}", _statements.ToEquatableArray()));
        }

        CurrentStep = null;
        _statements = new List<BackwardStatement>();
        var outputs = new List<GradientOutput>();
        foreach (var parameter in _method.Parameters.Where(p => p.IsDifferentiable))
        {
            var gradient = FullGradientOf(parameter.Name, parameter.Kind);
            var name = gradient is GradRef reference && reference.Name != _dout ? reference.Name : Bind(GradientName(parameter.Name), gradient);
            outputs.Add(new GradientOutput(parameter.Name, name, parameter.TypeName));
        }

        blocks.Add(new BackwardBlock(0, "step 0", _statements.ToEquatableArray()));
        var doutShape = _method.ReturnKind == ValueKind.Tensor ? new ShapeRef(_method.ReturnedName) : null;
        return new BackwardProgram(_method, _dout, cache, doutShape, blocks.ToEquatableArray(), outputs.ToEquatableArray(), Edges.ToEquatableArray());
    }

    /// <summary>Steps whose value reaches the result; the others need no gradient.</summary>
    private List<StepModel> ActiveSteps(List<StepModel> steps)
    {
        var useful = new HashSet<string> { _method.ReturnedName };
        var active = new List<StepModel>();
        foreach (var step in Enumerable.Reverse(steps))
        {
            if (!useful.Contains(step.Name))
            {
                continue;
            }

            active.Add(step);
            foreach (var name in VariablesOf(step.Value))
            {
                useful.Add(name);
            }
        }

        active.Reverse();

        return active;
    }

    private void CountUses(List<StepModel> active)
    {
        _uses[_method.ReturnedName] = 1;
        foreach (var step in active)
        {
            foreach (var name in VariablesOf(step.Value))
            {
                _uses[name] = _uses.TryGetValue(name, out var count) ? count + 1 : 1;
            }
        }
    }

    /// <summary>The variables an expression reads, left to right, with repeats; in a list lent by the sweep.</summary>
    private List<string> VariablesOf(Expr expression)
    {
        _variables.Clear();
        AddVariables(expression, _variables);
        return _variables;
    }

    /// <summary>
    /// The whole gradient of a value in the value's own shape: its gradient as summed, expanded by <c>BroadcastTo</c> when
    /// every partial was left in a reduction's reduced shape.
    /// </summary>
    private Adj FullGradientOf(string name, ValueKind kind)
    {
        var gradient = GradientOf(name, kind, out var reduced);
        return reduced ? A.Call(RuntimeFunctions.BroadcastTo, ValueKind.Tensor, gradient, new ShapeRef(name)) : gradient;
    }

    /// <summary>
    /// The whole gradient of a value, once every use has contributed: its one partial, or the sum of its partials.
    /// <paramref name="reduced"/> tells that every partial is in a reduction's reduced shape (a sum with any full-size
    /// partial broadcasts to the full size).
    /// </summary>
    private Adj GradientOf(string name, ValueKind kind, out bool reduced)
    {
        reduced = _partials.TryGetValue(name, out var known) && known.Count > 0 && known.All(p => _reducedPartials.Contains((name, p)));
        if (!_partials.TryGetValue(name, out var partials) || partials.Count == 0)
        {
            // A differentiable parameter that does not reach the result: its gradient is zero.
            return kind == ValueKind.Tensor
                ? A.Call(RuntimeFunctions.Zeros, ValueKind.Tensor, new ShapeRef(name))
                : new Literal("0.0", ValueKind.Double);
        }

        Adj sum = new GradRef(partials[0], kind);
        foreach (var partial in partials.Skip(1))
        {
            sum = A.Add(sum, new GradRef(partial, kind));
        }

        return partials.Count == 1 ? sum : new GradRef(Bind(GradientName(name), sum), kind);
    }

    protected override void Contribute(string name, Adj gradient, bool reduced = false)
    {
        string partial;
        if (_uses[name] == 1 && gradient is GradRef reference && !reduced)
        {
            // The one gradient of a value used once needs no name of its own (a reduction's, which only broadcasts,
            // is still named, so that its step's block says what it is: var dexps = dsums).
            partial = reference.Name;
            PartialsOf(name).Add(partial);
            AddGradientEdge(name, partial);
        }
        else
        {
            partial = Bind(ReservePartial(name), gradient);
        }

        if (reduced)
        {
            _reducedPartials.Add((name, partial));
        }
    }

    /// <summary>
    /// The name of the next gradient contribution to a value: <c>dv</c> for a value used once, else the numbered
    /// partial <c>dv1, dv2, …</c> (the result's first partial is <c>dout</c> itself).
    /// </summary>
    private string ReservePartial(string name)
    {
        var partials = PartialsOf(name);
        var partial = _uses[name] == 1
            ? GradientName(name)
            : Fresh(GradientBaseName(name) + (partials.Count + 1 + (name == _method.ReturnedName ? -1 : 0)));
        partials.Add(partial);
        AddGradientEdge(name, partial);
        return partial;
    }

    private List<string> PartialsOf(string name)
    {
        if (!_partials.TryGetValue(name, out var partials))
        {
            partials = new List<string>();
            _partials[name] = partials;
        }

        return partials;
    }

    private string GradientName(string name) => Fresh(GradientBaseName(name));

    private static string GradientBaseName(string name) => "d" + name;

    protected override string TemporaryName() => Fresh("dtmp" + ++_temporaries);

    protected override string TupleTarget(string name) => ReservePartial(name);

    protected override void Add(BackwardStatement statement) => _statements.Add(statement);

    protected override string Bind(string name, Adj value)
    {
        _statements.Add(new BackwardStatement(name, value));
        return name;
    }

    /// <summary>A backward local name that no forward value and no earlier backward local uses.</summary>

}
