using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Ir;
using BackpropGen.Generator.Lower;
using BackpropGen.Generator.Ops;

namespace BackpropGen.Generator.Differentiate;

/// <summary>
/// The chain rule through one step's right-hand side, shared by the two sweeps: a gradient arriving at an operation is
/// sent to its arguments by the op's rule (<see cref="Operations"/>), summed back over broadcasts, down to the variables
/// the expression reads, where the sweep decides how each contribution is kept (<see cref="Contribute"/>).
/// </summary>
internal abstract class ExpressionAdjoints
{
    /// <summary>The op that is the whole value of the step being differentiated, and the local of its auxiliary output.</summary>
    private (OpExpr? Op, Adj? Local) _stepAuxiliary;

    protected ExpressionAdjoints(IReadOnlyDictionary<int, string> auxiliaries) => Auxiliaries = auxiliaries;

    /// <summary>The locals the forward keeps its steps' auxiliary outputs in, by step number (<see cref="AuxiliaryOutputs"/>).</summary>
    protected IReadOnlyDictionary<int, string> Auxiliaries { get; }

    /// <summary>Keeps a gradient contribution to <paramref name="name"/> (<paramref name="reduced"/>: in a reduction's reduced shape).</summary>
    protected abstract void Contribute(string name, Adj gradient, bool reduced = false);

    /// <summary>Binds <paramref name="value"/> to the backward local <paramref name="name"/>, and returns the name.</summary>
    protected abstract string Bind(string name, Adj value);

    /// <summary>A fresh name for a gradient that is bound because more than one expression reads it.</summary>
    protected abstract string TemporaryName();

    /// <summary>The name a called method's tuple of gradients gives the gradient of the variable <paramref name="name"/>.</summary>
    protected abstract string TupleTarget(string name);

    /// <summary>After a tuple of gradients is deconstructed: the variables that received one, and the names they received.</summary>
    protected virtual void Received(List<(string Variable, string Target)> received)
    {
    }

    /// <summary>Adds a statement to the backward being written.</summary>
    protected abstract void Add(BackwardStatement statement);

    /// <summary>The names the backward uses: the forward's, and each backward local once it is made.</summary>
    protected HashSet<string> Taken { get; } = new();

    /// <summary>A backward local name that no forward value and no earlier backward local uses.</summary>
    protected string Fresh(string name)
    {
        var candidate = name;
        while (Taken.Contains(candidate))
        {
            candidate += "_";
        }

        Taken.Add(candidate);
        return candidate;
    }

    /// <remarks>Only an op's operands carry a gradient back: what it reads in another role (a condition) is not a use.</remarks>
    /// <summary>The graph's edges: forward from each input of a step to it, and gradients from a step back to what it reads.</summary>
    protected List<GraphEdge> Edges { get; } = new();

    /// <summary>The step whose backward is being written, whose gradients <see cref="AddGradientEdge"/> draws from it.</summary>
    protected string? CurrentStep { get; set; }

    /// <summary>An edge from each variable a step reads, once, to the step.</summary>
    protected void AddForwardEdges(IEnumerable<StepModel> steps)
    {
        var inputs = new List<string>();
        foreach (var step in steps)
        {
            inputs.Clear();
            AddVariables(step.Value, inputs);
            foreach (var input in inputs.Distinct())
            {
                Edges.Add(new GraphEdge(input, step.Name, string.Empty, IsGradient: false));
            }
        }
    }

    /// <summary>A gradient edge from the current step to <paramref name="value"/>, labelled <paramref name="gradient"/>.</summary>
    protected void AddGradientEdge(string value, string gradient)
    {
        if (CurrentStep is not null)
        {
            Edges.Add(new GraphEdge(CurrentStep, value, gradient, IsGradient: true));
        }
    }

    /// <summary>The variables an expression reads as operands; with <paramref name="skipped"/>, not those of the ops it picks (nor inside them).</summary>
    protected static void AddVariables(Expr expression, List<string> variables, System.Func<OpExpr, bool>? skipped = null)
    {
        if (expression is OpExpr picked && skipped is not null && skipped(picked))
        {
            return;
        }

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
                    AddVariables(op.Args[i], variables, skipped);
                }
            }

            return;
        }

        if (expression is CallExpr call)
        {
            foreach (var arg in call.Args)
            {
                AddVariables(arg, variables, skipped);
            }
        }
    }


    /// <summary>
    /// Sends <paramref name="gradient"/>, the gradient of <paramref name="step"/>'s value <paramref name="value"/>, through
    /// the step's expression; the rule of the op that is the step's whole value reads its auxiliary output from its local.
    /// </summary>
    protected void VisitStep(StepModel step, Adj gradient, Adj value)
    {
        _stepAuxiliary = step.Value is OpExpr op && Auxiliaries.TryGetValue(step.Number, out var local) ? (op, new PrimalRef(local, ValueKind.Other)) : default;
        Visit(step.Value, gradient, value);
        _stepAuxiliary = default;
    }

    /// <summary>Sends <paramref name="gradient"/> (the gradient of <paramref name="node"/>) to the node's differentiable leaves.</summary>
    protected void Visit(Expr node, Adj gradient, Adj value)
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
    /// callee's cache kept by the forward: <c>var (dx, dW, db) = Layers.AffineBackward(dh, hCache);</c>. A
    /// <c>[CustomDerivative]</c>'s hand-written backward is called the same way; a <c>[DerivativeOf]</c> backward is given
    /// the call's arguments (<c>Special.ErfBackward(dy, x)</c>), and a <c>[Checkpoint]</c> method's backward the cache
    /// of its forward run again on them (<c>Layers.BlockBackward(dh, Layers.BlockForward(h, w).Cache)</c>). Each tensor
    /// gradient a hand-written backward returns is checked to have its argument's shape.
    /// </summary>
    private void VisitCall(CallExpr call, Adj gradient)
    {
        var differentiable = Enumerable.Range(0, call.Parameters.Count).Where(i => call.Parameters[i].IsDifferentiable).ToList();
        if (differentiable.All(i => call.Args[i] is ConstExpr))
        {
            return;
        }

        var kind = differentiable.Count == 1 ? call.Parameters[differentiable[0]].Kind : ValueKind.Other;
        var read = call.Link switch
        {
            CallLink.Arguments => call.Args.Select(ValueOf),
            CallLink.Recomputed => new Adj[]
            {
                new Member(
                    new Call(new Function(call.ContainingType, GeneratedNames.Forward(call.Method), LaneForm.None), call.Args.Select(ValueOf).ToEquatableArray(), ValueKind.Other),
                    "Cache",
                    ValueKind.Other),
            },
            _ => new Adj[] { new PrimalRef(call.CacheLocal!, ValueKind.Other) },
        };
        var backward = new Call(
            new Function(call.ContainingType, call.BackwardName, LaneForm.None),
            new[] { gradient }.Concat(read).ToEquatableArray(),
            kind);
        if (differentiable.Count == 1)
        {
            var argument = call.Args[differentiable[0]];
            Visit(argument, Checked(call, differentiable[0], backward), ValueOf(argument));
            return;
        }

        // Several gradients come back as one tuple: deconstruct it into the arguments' partials, or into temporaries for
        // arguments that are expressions (or whose gradient is checked first), which are then differentiated further.
        var targets = new List<string>();
        List<(string Variable, string Target)>? received = null;
        var pending = new List<(int Parameter, string Gradient)>();
        foreach (var i in differentiable)
        {
            switch (call.Args[i])
            {
                case ConstExpr:
                    targets.Add("_");
                    break;
                case VarExpr variable when !IsChecked(call, i):
                    var target = TupleTarget(variable.Name);
                    targets.Add(target);
                    (received ??= new List<(string, string)>()).Add((variable.Name, target));
                    break;
                default:
                    var temporary = TemporaryName();
                    targets.Add(temporary);
                    pending.Add((i, temporary));
                    break;
            }
        }

        Add(new BackwardStatement(targets.ToEquatableArray(), backward));
        if (received is not null)
        {
            Received(received);
        }

        foreach (var (parameter, temporary) in pending)
        {
            var argument = call.Args[parameter];
            Visit(argument, Checked(call, parameter, new GradRef(temporary, argument.Kind)), ValueOf(argument));
        }
    }

    /// <summary>Whether the gradient of a call's parameter is checked: a tensor's, from a hand-written backward.</summary>
    private static bool IsChecked(CallExpr call, int parameter) => call.HandWritten && call.Parameters[parameter].Kind == ValueKind.Tensor;

    /// <summary>
    /// A hand-written backward's gradient of a tensor parameter, checked to have its argument's shape
    /// (<c>StepFailure.Returned("SoftplusBackward", "x", …, x.Shape)</c>): one of another shape would otherwise broadcast
    /// on into wrong gradients, where a generated backward's cannot be wrong.
    /// </summary>
    private static Adj Checked(CallExpr call, int parameter, Adj gradient) => IsChecked(call, parameter)
        ? A.Call(
            RuntimeFunctions.ReturnedGradient,
            ValueKind.Tensor,
            new Literal("\"" + call.BackwardName + "\"", ValueKind.Other),
            new Literal("\"" + call.Parameters[parameter].Name + "\"", ValueKind.Other),
            gradient,
            A.Shape(ValueOf(call.Args[parameter])))
        : gradient;

    private void VisitOp(OpExpr op, Adj gradient, Adj value)
    {
        var rule = op.Op;
        var auxiliary = ReferenceEquals(op, _stepAuxiliary.Op) ? _stepAuxiliary.Local : null;
        var context = new RuleContext(gradient, value, op, auxiliary);
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
            context = new RuleContext(new GradRef(Bind(TemporaryName(), gradient), gradient.Kind), value, op, auxiliary);
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


    /// <summary>
    /// A reduction's gradient left in the reduced shape broadcasts back along the reduced axis when that axis is kept
    /// (<c>keepDims: true</c>) or is the first one (NumPy aligns shapes on the right).
    /// </summary>
    protected static bool ReducedGradientBroadcasts(OpExpr op) =>
        op.ArgumentWith(ArgRole.Axis) is ConstExpr { Text: "0" } || op.ArgumentWith(ArgRole.KeepDims) is ConstExpr { Text: "true" };

    /// <summary>
    /// Whether a step's rule multiplies its gradient by a tensor of the step's own shape (<c>2 * dsq * xmu</c>,
    /// <c>out * g</c>, a mask), so that a gradient in a reduced shape comes out full-size without being expanded first.
    /// </summary>
    protected static bool ExpandsGradient(Expr value) =>
        value is OpExpr { Kind: ValueKind.Tensor, Op.ScalesGradient: true } op
        && op.ArgumentWith(ArgRole.Operand) is { Kind: ValueKind.Tensor };


    protected static Adj ValueOf(Expr expression) => expression switch
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

    protected sealed class RuleContext : IRuleContext
    {
        private readonly OpExpr _op;
        private readonly Adj? _auxiliary;

        public RuleContext(Adj gradient, Adj output, OpExpr op, Adj? auxiliary)
        {
            G = gradient;
            Out = output;
            _op = op;
            _auxiliary = auxiliary;
        }

        public Adj G { get; }

        public Adj Out { get; }

        public Adj Arg(int index) => ValueOf(_op.Args[index]);

        /// <summary>
        /// The auxiliary output as the forward kept it; for an op nested in a step's expression, which has no local of
        /// its own, the variant called again on the arguments (<c>MaxPool2DWithArgmax(Relu(a), 2, 2).Argmax</c>).
        /// </summary>
        public Adj Aux => _auxiliary ?? (_op.Op.Auxiliary is { } auxiliary
            ? new Member(new Call(auxiliary.Forward, Enumerable.Range(0, ArgumentCount).Select(Arg).ToEquatableArray(), ValueKind.Other), auxiliary.Name, ValueKind.Other)
            : throw new System.InvalidOperationException($"The rule of {_op.Op.Name} reads an auxiliary output that the op does not declare."));

        public int ArgumentCount => _op.Args.Count;
    }
}
