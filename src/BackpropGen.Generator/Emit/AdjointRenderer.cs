using System.Collections.Generic;
using System.Linq;
using System.Text;
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

    /// <summary>A renderer for the same plan as <paramref name="other"/>, sharing what it knows of the cache.</summary>
    protected AdjointRenderer(AdjointRenderer other)
    {
        _cachedValues = other._cachedValues;
        _shapeLocals = other._shapeLocals;
    }

    /// <summary>The text being written, reused from one rendered expression to the next.</summary>
    private readonly StringBuilder _text = new();

    public string Render(Adj expression)
    {
        _text.Clear();
        Write(_text, expression);
        return _text.ToString();
    }

    /// <summary>
    /// Appends an expression's code to <paramref name="text"/> and returns its precedence. Writing into one builder
    /// rather than joining the strings of sub-expressions keeps the cost linear in the length of the code.
    /// </summary>
    protected int Write(StringBuilder text, Adj expression)
    {
        if (TryWriteSpecially(text, expression, out var special))
        {
            return special;
        }

        switch (expression)
        {
            case GradRef gradient:
                text.Append(Identifiers.Escape(gradient.Name));
                return Primary;
            case PrimalRef primal:
                text.Append(Identifiers.Escape(primal.Name));
                return Primary;
            case ShapeRef shape:
                if (_cachedValues.Contains(shape.Name) || !_shapeLocals.TryGetValue(shape.Name, out var local))
                {
                    text.Append(Identifiers.Escape(shape.Name)).Append(".Shape");
                }
                else
                {
                    text.Append(local);
                }

                return Primary;
            case ShapeOf shapeOf:
                WriteOperand(text, shapeOf.Value, Primary);
                text.Append(".Shape");
                return Primary;
            case Code code:
                text.Append(code.Text);
                return code.Precedence ?? PrecedenceOf(code.Text);
            case Literal literal:
                text.Append(literal.Text);
                return Primary;
            case Member member:
                WriteOperand(text, member.Target, Primary);
                text.Append('.').Append(member.Name);
                return Primary;
            case InstanceCall call:
                WriteOperand(text, call.Target, Primary);
                text.Append('.').Append(call.Name);
                WriteArguments(text, call.Args);
                return Primary;
            case Negation negation:
            {
                text.Append('-');
                var start = text.Length;
                WriteOperand(text, negation.Operand, Unary);

                // "--x" would read as a decrement.
                if (text.Length > start && text[start] == '-')
                {
                    text.Insert(start, '(').Append(')');
                }

                return Unary;
            }

            case Binary binary:
            {
                var precedence = binary.Operator is '+' or '-' ? Additive : Multiplicative;

                // Left-associative: a right operand of equal precedence keeps its parentheses, since floating-point
                // addition and multiplication are not associative.
                WriteOperand(text, binary.Left, precedence);
                text.Append(' ').Append(binary.Operator).Append(' ');
                WriteOperand(text, binary.Right, precedence + 1);
                return precedence;
            }

            case Call call:
                text.Append(Qualify(call.Function));
                WriteArguments(text, call.Args);
                return Primary;
            default:
                text.Append("default");
                return Lowest;
        }
    }

    /// <summary>A hook for a renderer that spells some nodes its own way (the lane form of a fused pass).</summary>
    protected virtual bool TryWriteSpecially(StringBuilder text, Adj expression, out int precedence)
    {
        precedence = Lowest;
        return false;
    }

    /// <summary><c>(a, b, …)</c>.</summary>
    protected void WriteArguments(StringBuilder text, EquatableArray<Adj> args)
    {
        text.Append('(');
        for (var k = 0; k < args.Count; k++)
        {
            if (k > 0)
            {
                text.Append(", ");
            }

            Write(text, args[k]);
        }

        text.Append(')');
    }

    /// <summary>An operand, in parentheses when it binds less tightly than <paramref name="required"/>.</summary>
    private void WriteOperand(StringBuilder text, Adj expression, int required)
    {
        var start = text.Length;
        if (Write(text, expression) < required)
        {
            text.Insert(start, '(').Append(')');
        }
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
