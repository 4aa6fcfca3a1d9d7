using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Differentiate;
using BackpropGen.Generator.Lower;
using BackpropGen.Generator.Plan;
using Microsoft.CodeAnalysis.CSharp;

namespace BackpropGen.Generator.Emit;

/// <summary>Spells backward expressions as C#, with the fewest parentheses that keep C#'s evaluation order.</summary>
internal class AdjointRenderer
{
    private const int Lowest = Precedence.Lowest;
    private const int Additive = Precedence.Additive;
    private const int Multiplicative = Precedence.Multiplicative;
    private const int Unary = Precedence.Unary;
    private const int Primary = Precedence.Primary;

    private readonly HashSet<string> _cachedValues;
    private readonly Dictionary<string, string> _shapeLocals;

    public AdjointRenderer(CachePlan plan)
    {
        _cachedValues = new HashSet<string>(plan.CachedValues);
        _shapeLocals = plan.ShapeLocals.ToDictionary(s => s.ValueName, s => s.LocalName);
    }

    public string Render(Adj expression) => Render(expression, out _);

    protected string Render(Adj expression, out int precedence)
    {
        if (TryRenderSpecially(expression, out var special, out precedence))
        {
            return special;
        }

        switch (expression)
        {
            case GradRef gradient:
                precedence = Primary;
                return Identifiers.Escape(gradient.Name);
            case PrimalRef primal:
                precedence = Primary;
                return Identifiers.Escape(primal.Name);
            case ShapeRef shape:
                precedence = Primary;
                return _cachedValues.Contains(shape.Name) || !_shapeLocals.TryGetValue(shape.Name, out var local)
                    ? Identifiers.Escape(shape.Name) + ".Shape"
                    : local;
            case ShapeOf shapeOf:
                precedence = Primary;
                return Operand(shapeOf.Value, Primary) + ".Shape";
            case Code code:
                precedence = code.Precedence ?? PrecedenceOf(code.Text);
                return code.Text;
            case Literal literal:
                precedence = Primary;
                return literal.Text;
            case Member member:
                precedence = Primary;
                return Operand(member.Target, Primary) + "." + member.Name;
            case InstanceCall call:
                precedence = Primary;
                return Operand(call.Target, Primary) + "." + call.Name + "(" + string.Join(", ", call.Args.Select(Render)) + ")";
            case Negation negation:
            {
                precedence = Unary;
                var operand = Operand(negation.Operand, Unary);
                return "-" + (operand.StartsWith("-") ? "(" + operand + ")" : operand);
            }

            case Binary binary:
            {
                precedence = binary.Operator is '+' or '-' ? Additive : Multiplicative;

                // Left-associative: a right operand of equal precedence keeps its parentheses, since floating-point
                // addition and multiplication are not associative.
                return Operand(binary.Left, precedence) + " " + binary.Operator + " " + Operand(binary.Right, precedence + 1);
            }

            case Call call:
                precedence = Primary;
                return Qualify(call.Function) + "(" + string.Join(", ", call.Args.Select(Render)) + ")";
            default:
                precedence = Lowest;
                return "default";
        }
    }

    /// <summary>A hook for a renderer that spells some nodes its own way (the lane form of a fused pass).</summary>
    protected virtual bool TryRenderSpecially(Adj expression, out string text, out int precedence)
    {
        text = string.Empty;
        precedence = Lowest;
        return false;
    }

    private string Operand(Adj expression, int required)
    {
        var text = Render(expression, out var precedence);
        return precedence < required ? "(" + text + ")" : text;
    }

    private static string Qualify(string function) =>
        function.StartsWith("global::") ? function
        : function.StartsWith("Math.") ? "global::System." + function
        : "global::BackpropGen." + function;

    /// <summary>
    /// The precedence of user code that came without one: a name or a plain number without parsing, anything else by
    /// parsing it (the lowering gives the user's constants theirs, so this is rare).
    /// </summary>
    private static int PrecedenceOf(string code) => IsNameOrNumber(code) ? Primary : ParsedPrecedenceOf(code);

    private static bool IsNameOrNumber(string code)
    {
        if (code.Length == 0)
        {
            return false;
        }

        foreach (var c in code)
        {
            if (!(char.IsLetterOrDigit(c) || c is '_' or '.' or '@'))
            {
                return false;
            }
        }

        return true;
    }

    private static int ParsedPrecedenceOf(string code) => Precedence.Of(SyntaxFactory.ParseExpression(code));
}
