using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Lower;
using BackpropGen.Generator.Ops;

namespace BackpropGen.Generator.Differentiate;

/// <summary>
/// The forward's auxiliary outputs (<see cref="Op.Auxiliary"/>): a step whose whole value is an op that declares one
/// runs the op's variant that also returns it, into a local of its own named after the step,
/// <c>var (pooled, pooledArgmax) = Tensor.MaxPool2DWithArgmax(activated, 2, 2);</c> (<c>(h, var hArgmax) = …;</c> for a
/// step that writes over its variable). The local is a local of the method like any other, declared where the step is:
/// the sweeps' rules read it (<see cref="IRuleContext.Aux"/>), and the cache keeps it, or the tape records it at the end of
/// its loop body or arm, only when the backward reads it.
/// </summary>
internal static class AuxiliaryOutputs
{
    /// <summary>The method with those steps' forwards so written and their locals declared, and each step's local by its number.</summary>
    public static (MethodModel Method, Dictionary<int, string> Locals) Record(MethodModel method)
    {
        var locals = new Dictionary<int, string>();
        if (!method.Steps().Any(step => AuxiliaryOf(step) is not null))
        {
            return (method, locals);
        }

        var taken = new HashSet<string>(method.Parameters.Select(p => p.Name).Concat(method.Locals.Select(l => l.Name)));
        var declared = new Dictionary<string, List<LocalModel>>();
        var body = Rewrite(method.Body, 0);
        var all = new List<LocalModel>();
        foreach (var local in method.Locals)
        {
            all.Add(local);
            if (declared.TryGetValue(local.Name, out var after))
            {
                all.AddRange(after);
                declared.Remove(local.Name);
            }
        }

        // Every step's local is listed; were one not, its auxiliary local would still be declared.
        all.AddRange(declared.Values.SelectMany(after => after));
        return (method with { Body = body, Locals = all.ToEquatableArray() }, locals);

        ForwardBlock Rewrite(ForwardBlock block, int depth) =>
            new(block.Statements.Select(statement => Statement(statement, depth)).ToEquatableArray());

        ForwardNode Statement(ForwardNode node, int depth) => node switch
        {
            ForwardStep step when AuxiliaryOf(step.Step) is { } auxiliary => Forward(step.Step, auxiliary, depth),
            ForwardLoop loop => loop with { Body = Rewrite(loop.Body, depth + 1) },
            ForwardBranch branch => branch with { Then = Rewrite(branch.Then, depth + 1), Else = branch.Else is { } otherwise ? Rewrite(otherwise, depth + 1) : null },
            ForwardBlock block => Rewrite(block, depth),
            _ => node,
        };

        ForwardStep Forward(StepModel step, AuxiliaryOutput auxiliary, int depth)
        {
            var local = Identifiers.Fresh(step.Name + auxiliary.Name, taken);
            locals[step.Number] = local;
            if (!declared.TryGetValue(step.Name, out var after))
            {
                declared[step.Name] = after = new List<LocalModel>();
            }

            after.Add(new LocalModel(local, auxiliary.TypeName, ValueKind.Other, depth));
            var call = auxiliary.Forward.Qualified + ArgumentList((OpExpr)step.Value);
            var (name, escaped) = (Identifiers.Escape(step.Name), Identifiers.Escape(local));
            return new ForwardStep(step, step.Overwrites ? $"({name}, var {escaped}) = {call};" : $"var ({name}, {escaped}) = {call};");
        }
    }

    /// <summary>The auxiliary output of a step's op, when the op is the step's whole value.</summary>
    private static AuxiliaryOutput? AuxiliaryOf(StepModel step) => step.Value is OpExpr { Op.Auxiliary: { } auxiliary } ? auxiliary : null;

    /// <summary>
    /// The op's argument list as the user wrote it, when its code is a call of one of the op's methods
    /// (<c>(activated, size: 2, stride: 2)</c>: the variant takes the same parameters); else its arguments in order.
    /// </summary>
    private static string ArgumentList(OpExpr op)
    {
        var open = op.Text.IndexOf('(');
        var callee = open > 0 ? op.Text.Substring(0, open).TrimEnd() : string.Empty;
        var written = op.Text.EndsWith(")", System.StringComparison.Ordinal)
            && op.Op.Methods.Any(method => callee == method.Name || callee.EndsWith("." + method.Name, System.StringComparison.Ordinal));
        return written ? op.Text.Substring(open) : "(" + string.Join(", ", op.Args.Select(ArgumentText)) + ")";
    }

    /// <summary>An argument as the forward reads it: a variable by its local, anything else as the user wrote it.</summary>
    private static string ArgumentText(Expr argument) => argument switch
    {
        VarExpr variable => Identifiers.Escape(variable.Name),
        ConstExpr constant => constant.Text,
        OpExpr op => op.Text,
        CallExpr call => call.Text,
        _ => throw new System.InvalidOperationException($"The step expression {argument.GetType().Name} has no forward text."),
    };
}
