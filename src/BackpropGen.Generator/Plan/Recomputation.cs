using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Differentiate;
using BackpropGen.Generator.Ir;
using BackpropGen.Generator.Lower;
using BackpropGen.Generator.Ops;

namespace BackpropGen.Generator.Plan;

/// <summary>
/// The lean cache: full-size forward values that one cheap elementwise step computes from the inputs and small values
/// (BatchNorm's <c>xmu = x - mu</c> and <c>xhat = xmu * ivar</c>) are recomputed by the backward instead of being kept.
/// The cache then holds the inputs, which the caller holds anyway, and vectors; a fused backward recomputes them in
/// registers as it reads the inputs, which costs less than reading them back from memory.
/// </summary>
internal static class Recomputation
{
    /// <summary>
    /// The program with the values worth recomputing recomputed, each in a block of its own ahead of the backward's,
    /// and read from there instead of the cache; null when there is none.
    /// </summary>
    /// <param name="program">The differentiated method.</param>
    /// <param name="full">Its full-size forward values (<see cref="FullSizeValues"/>).</param>
    public static BackwardProgram? Rewrite(BackwardProgram program, HashSet<string> full)
    {
        var method = program.Method;
        var parameters = new HashSet<string>(method.Parameters.Select(p => p.Name));
        var read = new HashSet<string>();
        var readByCode = new HashSet<string>();
        foreach (var block in program.Blocks)
        {
            foreach (var statement in block.Statements)
            {
                foreach (var node in A.Nodes(statement.Value))
                {
                    switch (node)
                    {
                        case PrimalRef { Kind: ValueKind.Tensor } primal:
                            read.Add(primal.Name);
                            break;
                        case Code code:
                            readByCode.UnionWith(code.Reads);
                            break;
                    }
                }
            }
        }

        // A value the user's own code reads in the backward (a recomputed sub-expression) stays in the cache anyway.
        read.ExceptWith(readByCode);
        var recomputed = new Dictionary<string, ValueKind>();
        var blocks = new List<BackwardBlock>();
        foreach (var step in method.Steps())
        {
            if (step.Kind != ValueKind.Tensor || !full.Contains(step.Name) || !read.Contains(step.Name)
                || !CanRecompute(step.Value, name => parameters.Contains(name) || recomputed.ContainsKey(name) || !full.Contains(name)))
            {
                continue;
            }

            var value = FromForward(step.Value, recomputed);
            recomputed[step.Name] = step.Kind;
            var header = $"recomputed: step {step.Number}, {step.Quote} (not kept in the cache)";
            blocks.Add(new BackwardBlock(step.Number, header, new[] { new BackwardStatement(step.Name, value) }.ToEquatableArray()));
        }

        if (blocks.Count == 0)
        {
            return null;
        }

        Adj? ReadRecomputed(Adj node) => node is PrimalRef primal && recomputed.ContainsKey(primal.Name) ? new GradRef(primal.Name, primal.Kind) : null;
        foreach (var block in program.Blocks)
        {
            // A statement that reads no recomputed value, and a block of such statements, are kept as they are.
            var statements = block.Statements.MapIfChanged(
                (System.Func<Adj, Adj?>)ReadRecomputed,
                static (statement, read) => A.Map(statement.Value, read) is var value && !ReferenceEquals(value, statement.Value) ? statement with { Value = value } : statement);
            blocks.Add(statements is { } changed ? block with { Statements = changed } : block);
        }

        return program with { Blocks = blocks.ToEquatableArray() };
    }

    /// <summary>A step of ops that are cheap to recompute (<see cref="Op.Recompute"/>) on values that are there to read in the backward.</summary>
    private static bool CanRecompute(Expr expression, System.Func<string, bool> available) => expression switch
    {
        VarExpr variable => available(variable.Name),
        ConstExpr constant => constant.Kind != ValueKind.Tensor,
        OpExpr op => op.Op.Recompute is not null && op.Args.All(arg => CanRecompute(arg, available)),
        _ => false,
    };

    /// <summary>A forward step as a backward expression: inputs and small values read from the cache, recomputed ones as locals.</summary>
    private static Adj FromForward(Expr expression, IReadOnlyDictionary<string, ValueKind> recomputed)
    {
        switch (expression)
        {
            case VarExpr variable:
                return recomputed.ContainsKey(variable.Name) ? new GradRef(variable.Name, variable.Kind) : new PrimalRef(variable.Name, variable.Kind);
            case ConstExpr constant:
                return new Code(constant.Text, constant.Kind, constant.Reads, Precedence: constant.Precedence);
            case OpExpr op:
                return op.Op.Recompute!(op.Args.Select(arg => FromForward(arg, recomputed)).ToList());
            default:
                throw new System.InvalidOperationException("Only cheap steps are recomputed.");
        }
    }
}
