using System.Collections.Generic;
using System.Linq;
using System.Text;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Differentiate;
using BackpropGen.Generator.Ir;
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

    /// <summary>The text being written, reused from one rendered expression to the next.</summary>
    protected StringBuilder Text { get; } = new();

    /// <summary>The text copied out of <see cref="Text"/> into a line (netstandard2.0 cannot append one builder to another).</summary>
    private char[] _copy = new char[256];

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

    public string Render(Adj expression)
    {
        Text.Clear();
        Write(expression);
        return Text.ToString();
    }

    /// <summary>An expression to be written into a line as code (<c>writer.Line($"var y = {renderer.Spell(value)};")</c>), with no string made for it.</summary>
    public SpelledExpression Spell(Adj expression) => new(this, expression);

    /// <summary>Appends the code of <paramref name="expression"/> to <paramref name="target"/>.</summary>
    internal void AppendTo(StringBuilder target, Adj expression)
    {
        Text.Clear();
        Write(expression);
        var length = Text.Length;
        if (_copy.Length < length)
        {
            _copy = new char[System.Math.Max(length, 2 * _copy.Length)];
        }

        Text.CopyTo(0, _copy, 0, length);
        target.Append(_copy, 0, length);
    }

    /// <summary>An expression and the renderer that spells it, for <see cref="IndentedWriter.LineHandler"/>.</summary>
    internal readonly struct SpelledExpression
    {
        private readonly AdjointRenderer _renderer;
        private readonly Adj _expression;

        public SpelledExpression(AdjointRenderer renderer, Adj expression)
        {
            _renderer = renderer;
            _expression = expression;
        }

        public void AppendTo(StringBuilder target) => _renderer.AppendTo(target, _expression);
    }

    /// <summary>
    /// Appends an expression's code to the text being written and returns its precedence. Writing into one builder
    /// rather than joining the strings of sub-expressions keeps the cost linear in the length of the code.
    /// </summary>
    protected int Write(Adj expression)
    {
        if (TryWriteSpecially(expression, out var special))
        {
            return special;
        }

        switch (expression)
        {
            case GradRef gradient:
                Text.Append(Identifiers.Escape(gradient.Name));
                return Primary;
            case PrimalRef primal:
                Text.Append(Identifiers.Escape(primal.Name));
                return Primary;
            case ShapeRef shape:
                if (_cachedValues.Contains(shape.Name) || !_shapeLocals.TryGetValue(shape.Name, out var local))
                {
                    Text.Append(Identifiers.Escape(shape.Name)).Append(".Shape");
                }
                else
                {
                    Text.Append(local);
                }

                return Primary;
            case ShapeOf shapeOf:
                WriteOperand(shapeOf.Value, Primary);
                Text.Append(".Shape");
                return Primary;
            case Code code:
                Text.Append(code.Text);
                return code.Precedence ?? PrecedenceOf(code.Text);
            case Literal literal:
                Text.Append(literal.Text);
                return Primary;
            case Member member:
                WriteOperand(member.Target, Primary);
                Text.Append('.').Append(member.Name);
                return Primary;
            case InstanceCall call:
                WriteOperand(call.Target, Primary);
                Text.Append('.').Append(call.Name);
                WriteArguments(call.Args);
                return Primary;
            case Negation negation:
            {
                Text.Append('-');
                var start = Text.Length;
                WriteOperand(negation.Operand, Unary);

                // "--x" would read as a decrement.
                if (Text.Length > start && Text[start] == '-')
                {
                    Text.Insert(start, '(').Append(')');
                }

                return Unary;
            }

            case Binary binary:
            {
                var precedence = binary.Operator is '+' or '-' ? Additive : Multiplicative;

                // Left-associative: a right operand of equal precedence keeps its parentheses, since floating-point
                // addition and multiplication are not associative.
                WriteOperand(binary.Left, precedence);
                Text.Append(' ').Append(binary.Operator).Append(' ');
                WriteOperand(binary.Right, precedence + 1);
                return precedence;
            }

            case Call call:
                Text.Append(call.Function.Owner).Append('.').Append(call.Function.Name);
                WriteArguments(call.Args);
                return Primary;
            default:
                // A node kind this renderer does not know: failing costs the method its code (BPG0099), where
                // writing anything would compile into a wrong backward.
                throw new System.InvalidOperationException($"The backward expression {expression.GetType().Name} has no spelling.");
        }
    }

    /// <summary>A hook for a renderer that spells some nodes its own way (the lane form of a fused pass).</summary>
    protected virtual bool TryWriteSpecially(Adj expression, out int precedence)
    {
        precedence = Lowest;
        return false;
    }

    /// <summary><c>(a, b, …)</c>.</summary>
    protected void WriteArguments(EquatableArray<Adj> args)
    {
        Text.Append('(');
        for (var k = 0; k < args.Count; k++)
        {
            if (k > 0)
            {
                Text.Append(", ");
            }

            Write(args[k]);
        }

        Text.Append(')');
    }

    /// <summary>An operand, in parentheses when it binds less tightly than <paramref name="required"/>.</summary>
    private void WriteOperand(Adj expression, int required)
    {
        var start = Text.Length;
        if (Write(expression) < required)
        {
            Text.Insert(start, '(').Append(')');
        }
    }

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
