using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Differentiate;
using BackpropGen.Generator.Ir;
using BackpropGen.Generator.Lower;
using BackpropGen.Generator.Ops;
using BackpropGen.Generator.Plan;

namespace BackpropGen.Generator.Fuse;

/// <summary>
/// The forward of a method with a fused backward, planned as passes
/// over the rows like that backward: its steps written as statements, elementwise ones by their ops' lane forms
/// (<see cref="Op.OnLanes"/>), a sum or mean along an axis of a full-size value as a sum into the step's shape. The
/// passes return the method's result and the cached steps; the other full-size values between them are never stored.
/// Null when a step is anything else (a product, a call, a reduction of a full-size value other than a sum or mean, a
/// reassignment) or when the planner finds no passes.
/// </summary>
internal static class ForwardPasses
{
    /// <param name="cache">The cache the fused backward reads, which the passes fill.</param>
    /// <param name="full">The method's full-size forward values.</param>
    public static ForwardPlan? Plan(CachePlan cache, HashSet<string> full)
    {
        var method = cache.Program.Method;
        var parameters = new HashSet<string>(method.Parameters.Select(p => p.Name));
        var fullInput = method.Parameters.FirstOrDefault(p => p.Kind == ValueKind.Tensor && full.Contains(p.Name))?.Name;
        var steps = method.Steps();
        if (fullInput is null || steps.Any(s => s.Overwrites) || method.ReturnKind is not (ValueKind.Tensor or ValueKind.Double))
        {
            return null;
        }

        // What the passes return: the result, then every step the cache keeps (a full-size one stored as the passes make
        // it) or keeps the shape of (a full-size one has the full shape).
        var stepNames = new HashSet<string>(steps.Select(s => s.Name));
        if (!stepNames.Contains(method.ReturnedName))
        {
            // A method that returns an input or a value of the user's own code: nothing for passes to make.
            return null;
        }

        var shapeOf = cache.ShapeLocals.ToDictionary(s => s.LocalName, s => s.ValueName);
        var outputs = new List<string> { method.ReturnedName };
        var arguments = new List<CacheArgument>();
        foreach (var field in cache.Fields)
        {
            var isShape = shapeOf.TryGetValue(field.LocalName, out var value);
            value ??= field.LocalName;
            if (parameters.Contains(value) || !stepNames.Contains(value))
            {
                arguments.Add(new CacheArgument(field.ForwardExpression, -1, false));
            }
            else if (full.Contains(value) && isShape)
            {
                arguments.Add(new CacheArgument(Identifiers.Escape(fullInput) + ".Shape", -1, false));
            }
            else
            {
                if (!outputs.Contains(value))
                {
                    outputs.Add(value);
                }

                arguments.Add(new CacheArgument(null, outputs.IndexOf(value), isShape));
            }
        }

        // The user's own statements on the inputs alone (int N = x.Shape[0];) run first, as written.
        var prologue = new List<string>();
        foreach (var node in method.Body.Statements)
        {
            switch (node)
            {
                case ForwardStep:
                    break;
                case ForwardCode code when code.Writes.Count == 0 && code.Reads.All(parameters.Contains):
                    prologue.Add(code.Text);
                    break;
                default:
                    return null;
            }
        }

        var context = new Context(fullInput, parameters, full, new HashSet<string>(cache.NamesInUse()), new List<ShapeLocal>(), new List<BackwardStatement>(), new Dictionary<string, bool>());
        var blocks = new List<BackwardBlock>();
        foreach (var step in steps)
        {
            var value = StepValue(step, context);
            if (value is null)
            {
                return null;
            }

            blocks.Add(new BackwardBlock(step.Number, $"step {step.Number}: {step.Quote}", new[] { new BackwardStatement(step.Name, value) }.ToEquatableArray()));
        }

        if (context.Shapes.Count > 0)
        {
            // The shapes the sums go to, known from the full shape before the first pass.
            blocks.Insert(0, new BackwardBlock(0, "the shapes of the sums along an axis", context.Shapes.ToEquatableArray()));
        }

        var types = method.Locals.GroupBy(l => l.Name).ToDictionary(g => g.Key, g => g.First().TypeName);
        var program = new BackwardProgram(
            method,
            DoutName: "",
            CacheName: "",
            DoutShape: null,
            blocks.ToEquatableArray(),
            outputs.Select(o => new GradientOutput(o, o, types[o])).ToEquatableArray(),
            EquatableArray<GraphEdge>.Empty);
        var plan = new CachePlan(program, EquatableArray<CacheField>.Empty, EquatableArray<string>.Empty, context.ShapeLocals.ToEquatableArray());
        return LoopPlanner.PlanPasses(plan, full, context.SumShapes) is { } loops
            ? new ForwardPlan(plan, loops, arguments.ToEquatableArray(), prologue.ToEquatableArray())
            : null;
    }

    /// <summary>A step as a statement's value: elementwise as its ops' lane forms, each sum or mean along an axis (or of all) of a full-size value as a sum; a step on small values alone as written.</summary>
    private static Adj? StepValue(StepModel step, Context context)
    {
        if (step.Value is OpExpr small && !ReferencesFull(small, context.Full))
        {
            // A step on small values alone runs between the passes as the user wrote it.
            return new Code(small.Text, small.Kind, small.Reads);
        }

        return Expression(step.Value, context, step.Name, whole: true);
    }

    /// <summary>What converting a forward's steps reads and adds to: the full input's shape, the names in use, the shapes the sums go to.</summary>
    private sealed record Context(
        string FullInput, HashSet<string> Parameters, HashSet<string> Full, HashSet<string> Names, List<ShapeLocal> ShapeLocals, List<BackwardStatement> Shapes, Dictionary<string, bool> SumShapes);

    /// <summary>
    /// An expression of elementwise ops, sums of full-size values, inputs, steps and constants as a statement's value;
    /// null for anything else. A sum that is the <paramref name="whole"/> value of <paramref name="step"/> goes to that
    /// step's shape, whose constancy the planner knows from the step; one inside an expression to a shape of its own.
    /// </summary>
    private static Adj? Expression(Expr expression, Context context, string step, bool whole)
    {
        switch (expression)
        {
            case VarExpr variable:
                return context.Parameters.Contains(variable.Name) ? new PrimalRef(variable.Name, variable.Kind) : new GradRef(variable.Name, variable.Kind);
            case ConstExpr constant when constant.Kind != ValueKind.Tensor:
                return new Code(constant.Text, constant.Kind, constant.Reads, Precedence: constant.Precedence);
            case OpExpr { Op.Category: OpCategory.Reduction } op:
                return Sum(op, context, step, whole);
            case OpExpr { Op.OnLanes: { } onLanes } op:
                var args = new List<Adj>(op.Args.Count);
                foreach (var arg in op.Args)
                {
                    if (Expression(arg, context, step, whole: false) is not { } converted)
                    {
                        return null;
                    }

                    args.Add(converted);
                }

                return onLanes(args);
            default:
                return null;
        }
    }

    /// <summary><c>Sum</c> or <c>Mean</c> of a full-size value along axis 0, along another axis kept as 1, or of all its elements, as a sum; null otherwise.</summary>
    private static Adj? Sum(OpExpr op, Context context, string step, bool whole)
    {
        if (op.ArgumentWith(ArgRole.Operand) is not { } operand || !ReferencesFull(operand, context.Full) || Expression(operand, context, step, whole: false) is not { } summed)
        {
            return null;
        }

        var input = Identifiers.Escape(context.FullInput) + ".Shape";
        var reads = new[] { context.FullInput }.ToEquatableArray();
        if (ReferenceEquals(op.Op, Operations.SumAll) || ReferenceEquals(op.Op, Operations.MeanAll))
        {
            var all = A.Call(RuntimeFunctions.SumAll, ValueKind.Double, summed);
            return ReferenceEquals(op.Op, Operations.SumAll) ? all : A.Div(all, new Code(input + ".ElementCount", ValueKind.Double, reads));
        }

        var keeps = op.ArgumentWith(ArgRole.KeepDims) is ConstExpr { Text: "true" };
        if (!(ReferenceEquals(op.Op, Operations.Sum) || ReferenceEquals(op.Op, Operations.Mean))
            || op.ArgumentWith(ArgRole.Axis) is not ConstExpr { Text: var axis }
            || !(keeps || (axis == "0" && op.ArgumentWith(ArgRole.KeepDims) is null or ConstExpr { Text: "false" })))
        {
            return null;
        }

        // Summed to the reduced shape, as SumTo sums: axis 0 to [D] or [1, D], another axis kept as 1 (a column).
        var shaped = whole ? step : Identifiers.Fresh(step + "Sum", context.Names);
        if (!whole)
        {
            // A column when summed along another axis than 0 (kept), a row of the features along axis 0.
            context.SumShapes[shaped] = axis != "0";
        }

        var local = Identifiers.Fresh(shaped + "Shape", context.Names);
        context.ShapeLocals.Add(new ShapeLocal(shaped, local));
        context.Shapes.Add(new BackwardStatement(local, new Code($"{input}.Reduced({axis}, keepDims: {(keeps ? "true" : "false")})", ValueKind.Other, reads)));
        var sum = A.Call(RuntimeFunctions.SumTo, ValueKind.Tensor, summed, new ShapeRef(shaped));
        return ReferenceEquals(op.Op, Operations.Sum) ? sum : A.Div(sum, new Code($"{input}.Dimension({axis})", ValueKind.Double, reads));
    }

    private static bool ReferencesFull(Expr expression, HashSet<string> full) => expression switch
    {
        VarExpr variable => full.Contains(variable.Name),
        OpExpr op => op.Args.Any(arg => ReferencesFull(arg, full)),
        _ => false,
    };
}
