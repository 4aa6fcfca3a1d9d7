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
internal sealed class ReverseSweep
{
    private readonly MethodModel _method;
    private readonly Dictionary<string, int> _uses = new();
    private readonly Dictionary<string, List<string>> _partials = new();
    private readonly HashSet<string> _taken = new();
    private readonly string _dout;
    private List<BackwardStatement> _statements = new();
    private int _temporaries;
    private readonly List<GraphEdge> _edges = new();
    private readonly List<string> _variables = new();
    private readonly HashSet<(string Value, string Partial)> _reducedPartials = new();
    private string? _currentStep;

    private ReverseSweep(MethodModel method)
    {
        _method = method;
        foreach (var name in method.Parameters.Select(p => p.Name).Concat(method.Locals.Select(l => l.Name)))
        {
            _taken.Add(name);
        }

        _dout = Fresh("dout");
    }

    public static BackwardProgram Differentiate(MethodModel method) => new ReverseSweep(method).Run();

    private BackwardProgram Run()
    {
        var cache = Fresh("cache");
        var steps = _method.Steps();
        var active = ActiveSteps(steps);
        CountUses(active);
        _partials[_method.ReturnedName] = new List<string> { _dout };

        var blocks = new List<BackwardBlock>();
        var inputs = new HashSet<string>();
        foreach (var step in active)
        {
            inputs.Clear();
            foreach (var input in VariablesOf(step.Value))
            {
                if (inputs.Add(input))
                {
                    _edges.Add(new GraphEdge(input, step.Name, string.Empty, IsGradient: false));
                }
            }
        }

        foreach (var step in Enumerable.Reverse(active))
        {
            _currentStep = step.Name;
            _statements = new List<BackwardStatement>();
            var gradient = GradientOf(step.Name, step.Kind, out var reduced);
            if (reduced && !ExpandsGradient(step.Value))
            {
                gradient = A.Call(RuntimeFunctions.BroadcastTo, ValueKind.Tensor, gradient, new ShapeRef(step.Name));
            }

            Visit(step.Value, gradient, new PrimalRef(step.Name, step.Kind));
            blocks.Add(new BackwardBlock(step.Number, $"step {step.Number}: {step.Quote}", _statements.ToEquatableArray()));
        }

        _currentStep = null;
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
        return new BackwardProgram(_method, _dout, cache, doutShape, blocks.ToEquatableArray(), outputs.ToEquatableArray(), _edges.ToEquatableArray());
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

    /// <remarks>Only an op's operands carry a gradient back: what it reads in another role (a condition) is not a use.</remarks>
    private static void AddVariables(Expr expression, List<string> variables)
    {
        if (expression is VarExpr variable)
        {
            variables.Add(variable.Name);
            return;
        }

        if (expression is OpExpr op)
        {
            for (var i = 0; i < op.Args.Count; i++)
            {
                if (op.Op.RoleAt(i) == ArgRole.Operand)
                {
                    AddVariables(op.Args[i], variables);
                }
            }

            return;
        }

        if (expression is CallExpr call)
        {
            foreach (var arg in call.Args)
            {
                AddVariables(arg, variables);
            }
        }
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

    /// <summary>Sends <paramref name="gradient"/> (the gradient of <paramref name="node"/>) to the node's differentiable leaves.</summary>
    private void Visit(Expr node, Adj gradient, Adj value)
    {
        switch (node)
        {
            case VarExpr variable:
                Contribute(variable.Name, gradient);
                return;
            case OpExpr op:
                VisitOp(op, gradient, value);
                return;
            case CallExpr call:
                VisitCall(call, gradient);
                return;
        }
    }

    /// <summary>
    /// The rule of a call of another <c>[Differentiable]</c> method is that method's generated backward, given the
    /// callee's cache kept by the forward: <c>var (dx, dW, db) = Layers.AffineBackward(dh, hCache);</c>.
    /// </summary>
    private void VisitCall(CallExpr call, Adj gradient)
    {
        var differentiable = Enumerable.Range(0, call.Parameters.Count).Where(i => call.Parameters[i].IsDifferentiable).ToList();
        if (differentiable.All(i => call.Args[i] is ConstExpr))
        {
            return;
        }

        var kind = differentiable.Count == 1 ? call.Parameters[differentiable[0]].Kind : ValueKind.Other;
        var backward = new Call(
            new Function(call.ContainingType, GeneratedNames.Backward(call.Method), LaneForm.None),
            new[] { gradient, new PrimalRef(call.CacheLocal, ValueKind.Other) }.ToEquatableArray(),
            kind);
        if (differentiable.Count == 1)
        {
            var argument = call.Args[differentiable[0]];
            Visit(argument, backward, ValueOf(argument));
            return;
        }

        // Several gradients come back as one tuple: deconstruct it into the arguments' partials, or into temporaries for
        // arguments that are expressions, which are then differentiated further.
        var targets = new List<string>();
        var pending = new List<(Expr Argument, string Gradient)>();
        foreach (var i in differentiable)
        {
            switch (call.Args[i])
            {
                case ConstExpr:
                    targets.Add("_");
                    break;
                case VarExpr variable:
                    targets.Add(ReservePartial(variable.Name));
                    break;
                case var argument:
                    var temporary = TemporaryName();
                    targets.Add(temporary);
                    pending.Add((argument, temporary));
                    break;
            }
        }

        _statements.Add(new BackwardStatement(targets.ToEquatableArray(), backward));
        foreach (var (argument, temporary) in pending)
        {
            Visit(argument, new GradRef(temporary, argument.Kind), ValueOf(argument));
        }
    }

    private void VisitOp(OpExpr op, Adj gradient, Adj value)
    {
        var rule = op.Op;
        var context = new RuleContext(gradient, value, op);
        if (rule.Reduced is { } reducedRule && op.ArgumentWith(ArgRole.Operand) is VarExpr input && ReducedGradientBroadcasts(op))
        {
            Contribute(input.Name, reducedRule(context), reduced: true);
            return;
        }

        var adjoints = rule.Adjoints(context);
        var uses = 0;
        for (var i = 0; i < op.Args.Count; i++)
        {
            // Constant arguments (eps, 1.0 / N) get no gradient, so they do not count as uses.
            uses += adjoints[i] is { } adjoint && op.Args[i] is not ConstExpr ? A.CountUses(adjoint, gradient) : 0;
        }

        if (gradient is not (GradRef or PrimalRef) && uses > 1)
        {
            // A compound gradient used by several arguments is computed once.
            context = new RuleContext(new GradRef(Bind(TemporaryName(), gradient), gradient.Kind), value, op);
            adjoints = rule.Adjoints(context);
        }

        var tensorArguments = op.Args.Count(a => a.Kind == ValueKind.Tensor);
        for (var i = 0; i < op.Args.Count; i++)
        {
            var argument = op.Args[i];
            if (adjoints[i] is not { } adjoint || argument is ConstExpr)
            {
                continue;
            }

            adjoint = Unbroadcast(adjoint, argument, context.Arg(i), rule.Broadcasts && tensorArguments > 1);
            Visit(argument, adjoint, ValueOf(argument));
        }
    }

    /// <summary>
    /// A gradient that flowed through a broadcast is summed back to the argument's shape (the seed's
    /// <c>np.sum(dout, axis=0)</c>); a tensor gradient of a double argument is summed to a double.
    /// </summary>
    private static Adj Unbroadcast(Adj adjoint, Expr argument, Adj argumentValue, bool mayBroadcast)
    {
        if (argument.Kind == ValueKind.Double && adjoint.Kind == ValueKind.Tensor)
        {
            return adjoint is Negation negation
                ? A.Neg(A.Call(RuntimeFunctions.SumAll, ValueKind.Double, negation.Operand))
                : A.Call(RuntimeFunctions.SumAll, ValueKind.Double, adjoint);
        }

        return mayBroadcast && argument.Kind == ValueKind.Tensor ? SumTo(adjoint, A.Shape(argumentValue)) : adjoint;
    }

    /// <summary>
    /// <c>SumTo(g, shape)</c>, written so that no needless full-size tensor is made: a negation is taken after the sum
    /// (<c>-SumTo(g, s)</c>, a negated row rather than a negated matrix), and the sum of a product of two tensors is
    /// <c>SumProductTo(a, b, s)</c>, which sums the products as it makes them (the seed's
    /// <c>dgamma = np.sum(dgammax * xhat, axis=0)</c>).
    /// </summary>
    private static Adj SumTo(Adj adjoint, Adj shape) => adjoint switch
    {
        Negation negation => A.Neg(SumTo(negation.Operand, shape)),
        Binary { Operator: '*', Left.Kind: ValueKind.Tensor, Right.Kind: ValueKind.Tensor } product =>
            A.Call(RuntimeFunctions.SumProductTo, ValueKind.Tensor, product.Left, product.Right, shape),
        _ => A.Call(RuntimeFunctions.SumTo, ValueKind.Tensor, adjoint, shape),
    };

    private void Contribute(string name, Adj gradient, bool reduced = false)
    {
        string partial;
        if (_uses[name] == 1 && gradient is GradRef reference && !reduced)
        {
            // The one gradient of a value used once needs no name of its own (a reduction's, which only broadcasts,
            // is still named, so that its step's block says what it is: var dexps = dsums).
            partial = reference.Name;
            PartialsOf(name).Add(partial);
            RecordGradientEdge(name, partial);
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
    /// A reduction's gradient left in the reduced shape broadcasts back along the reduced axis when that axis is kept
    /// (<c>keepDims: true</c>) or is the first one (NumPy aligns shapes on the right).
    /// </summary>
    private static bool ReducedGradientBroadcasts(OpExpr op) =>
        op.ArgumentWith(ArgRole.Axis) is ConstExpr { Text: "0" } || op.ArgumentWith(ArgRole.KeepDims) is ConstExpr { Text: "true" };

    /// <summary>
    /// Whether a step's rule multiplies its gradient by a tensor of the step's own shape (<c>2 * dsq * xmu</c>,
    /// <c>out * g</c>, a mask), so that a gradient in a reduced shape comes out full-size without being expanded first.
    /// </summary>
    private static bool ExpandsGradient(Expr value) =>
        value is OpExpr { Kind: ValueKind.Tensor, Op.ScalesGradient: true } op
        && op.ArgumentWith(ArgRole.Operand) is { Kind: ValueKind.Tensor };

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
        RecordGradientEdge(name, partial);
        return partial;
    }

    private void RecordGradientEdge(string value, string gradient)
    {
        if (_currentStep is not null)
        {
            _edges.Add(new GraphEdge(_currentStep, value, gradient, IsGradient: true));
        }
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

    private string TemporaryName() => Fresh("dtmp" + ++_temporaries);

    private string Bind(string name, Adj value)
    {
        _statements.Add(new BackwardStatement(name, value));
        return name;
    }

    /// <summary>A backward local name that no forward value and no earlier backward local uses.</summary>
    private string Fresh(string name)
    {
        var candidate = name;
        while (_taken.Contains(candidate))
        {
            candidate += "_";
        }

        _taken.Add(candidate);
        return candidate;
    }

    private static Adj ValueOf(Expr expression) => expression switch
    {
        VarExpr variable => new PrimalRef(variable.Name, variable.Kind),
        ConstExpr constant => new Code(constant.Text, constant.Kind, constant.Reads, Precedence: constant.Precedence),
        OpExpr op => new Code(op.Text, op.Kind, op.Reads, OutputShape(op), op.Op.Precedence),
        CallExpr call => new Code(call.Text, call.Kind, call.Reads, Precedence: Precedence.Primary),
        _ => throw new System.InvalidOperationException($"The step expression {expression.GetType().Name} has no value in the backward."),
    };

    /// <summary>
    /// The shape of an operation from its arguments' shapes: an elementwise operation's is its tensor argument's shape,
    /// or the broadcast of both, others' as their rule says. The backward need not compute <c>Log(sums)</c> to learn the
    /// shape of <c>sums</c>, nor <c>Dot(x, w)</c> to learn that of <c>Dot(x, w) + b</c>.
    /// </summary>
    private static Adj? OutputShape(OpExpr op)
    {
        var rule = op.Op;
        if (op.Kind != ValueKind.Tensor)
        {
            return null;
        }

        if (!rule.IsElementwise)
        {
            return rule.OutputShape is { } shape ? shape(op.Args.Select(a => A.Shape(ValueOf(a))).ToList()) : null;
        }

        var tensors = op.Args.Where(a => a.Kind == ValueKind.Tensor).ToList();

        return tensors.Count switch
        {
            1 => A.Shape(ValueOf(tensors[0])),
            2 => A.Call(RuntimeFunctions.BroadcastShapes, ValueKind.Other, A.Shape(ValueOf(tensors[0])), A.Shape(ValueOf(tensors[1]))),
            _ => null,
        };
    }

    private sealed class RuleContext : IRuleContext
    {
        private readonly OpExpr _op;

        public RuleContext(Adj gradient, Adj output, OpExpr op)
        {
            G = gradient;
            Out = output;
            _op = op;
        }

        public Adj G { get; }

        public Adj Out { get; }

        public Adj Arg(int index) => ValueOf(_op.Args[index]);

        public int ArgumentCount => _op.Args.Count;
    }
}
