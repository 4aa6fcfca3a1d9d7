using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BackpropGen.Generator.Common;

/// <summary>How tightly C# binds an expression, from loosest to tightest: the emitter parenthesizes by it.</summary>
internal static class Precedence
{
    public const int Lowest = 0;
    public const int Additive = 1;
    public const int Multiplicative = 2;
    public const int Unary = 3;
    public const int Primary = 4;

    /// <summary>
    /// The precedence of user code as it was written (<c>1.0 / N</c> is multiplicative), read off its syntax when it is
    /// lowered, so that the emitter need not parse the text again to know when to parenthesize it.
    /// </summary>
    public static int Of(ExpressionSyntax expression) => expression switch
    {
        IdentifierNameSyntax or LiteralExpressionSyntax or InvocationExpressionSyntax or MemberAccessExpressionSyntax
            or ElementAccessExpressionSyntax or ParenthesizedExpressionSyntax => Primary,
        PrefixUnaryExpressionSyntax or CastExpressionSyntax => Unary,
        BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.MultiplyExpression) || binary.IsKind(SyntaxKind.DivideExpression)
            || binary.IsKind(SyntaxKind.ModuloExpression) => Multiplicative,
        BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.AddExpression) || binary.IsKind(SyntaxKind.SubtractExpression) => Additive,
        _ => Lowest,
    };
}
