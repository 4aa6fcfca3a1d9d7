using System.Linq;
using BackpropGen.Generator.Common;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace BackpropGen.Generator.Lower;

/// <summary>What the body's syntax binds to: operations, symbols and types, each asked of the semantic model once.</summary>
internal sealed partial class BodyLowerer
{
    /// <summary>
    /// The symbol a name refers to, looked up once: the same names are read by the dependence analysis, the gradient-cut
    /// check and the reads of every enclosing operation.
    /// </summary>
    private ISymbol? SymbolOf(IdentifierNameSyntax identifier)
    {
        if (!_symbols.TryGetValue(identifier, out var symbol))
        {
            symbol = ReferencedSymbol(identifier) ?? _model.GetSymbolInfo(identifier, _cancellationToken).Symbol;
            _symbols[identifier] = symbol;
        }

        return symbol;
    }

    /// <summary>
    /// The body's operations by their syntax, the outermost explicit one for each node: the body is bound once, and the
    /// lowering reads what it needs from the operations, where asking the semantic model about each node costs a lookup
    /// (and often a rebinding) every time. A node with no operation (a type name, a node in code that does not compile) is
    /// still asked of the semantic model.
    /// </summary>
    private void IndexOperations(SyntaxNode? body)
    {
        if (body is null || _model.GetOperation(body, _cancellationToken) is not { } root)
        {
            return;
        }

        foreach (var operation in root.DescendantsAndSelf())
        {
            if (!operation.IsImplicit && !_operations.ContainsKey(operation.Syntax))
            {
                _operations[operation.Syntax] = operation;
            }
        }
    }

    private IOperation? OperationOf(SyntaxNode node) => _operations.TryGetValue(node, out var operation) ? operation : null;

    /// <summary>What a name refers to, from its operation (or the call it names), or null when the operations do not say.</summary>
    private ISymbol? ReferencedSymbol(IdentifierNameSyntax identifier) => OperationOf(identifier) switch
    {
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation parameter => parameter.Parameter,
        IFieldReferenceOperation field => field.Field,
        IPropertyReferenceOperation property => property.Property,
        IMethodReferenceOperation method => method.Method,
        null when identifier.Parent is InvocationExpressionSyntax call && call.Expression == identifier
            && OperationOf(call) is IInvocationOperation invocation => invocation.TargetMethod,
        _ => null,
    };

    /// <summary>An expression's type, looked up once: the analysis, the lowering and the checks all ask for it.</summary>
    private ExpressionType TypeOf(ExpressionSyntax expression)
    {
        if (!_types.TryGetValue(expression, out var type))
        {
            // Parentheses have no operation of their own: the expression inside has the same types.
            if (expression is ParenthesizedExpressionSyntax parenthesized)
            {
                type = TypeOf(parenthesized.Expression);
            }
            else if (OperationOf(expression) is { } operation)
            {
                // An implicit conversion of the value (int to double for an operator's operand) is its parent, on the
                // expression or on parentheses around it.
                var converted = operation.Parent is IConversionOperation { IsImplicit: true, Syntax: ExpressionSyntax converts } conversion
                    && Unparenthesized(converts) == expression
                    ? conversion.Type
                    : operation.Type;
                type = new ExpressionType(operation.Type, converted);
            }
            else if (expression.Parent is InvocationExpressionSyntax call && call.Expression == expression
                && OperationOf(call) is IInvocationOperation)
            {
                // The method group of a bound call (Sum in Sum(x), Tensor.Sum in Tensor.Sum(x)) is no value: no type.
                type = default;
            }
            else
            {
                var info = _model.GetTypeInfo(expression, _cancellationToken);
                type = new ExpressionType(info.Type, info.ConvertedType);
            }

            _types[expression] = type;
        }

        return type;
    }

    /// <summary>An expression's own type and the type it is converted to where it is used, as <see cref="TypeInfo"/> has them.</summary>
    private readonly struct ExpressionType
    {
        public ExpressionType(ITypeSymbol? type, ITypeSymbol? convertedType)
        {
            Type = type;
            ConvertedType = convertedType;
        }

        public ITypeSymbol? Type { get; }

        public ITypeSymbol? ConvertedType { get; }
    }

    /// <summary>A call, bound; null when it does not bind to one method.</summary>
    private IInvocationOperation? InvocationOf(InvocationExpressionSyntax invocation) =>
        (OperationOf(invocation) ?? _model.GetOperation(invocation, _cancellationToken)) as IInvocationOperation;

    /// <summary>
    /// A type as the generated code spells it (fully qualified, with its nullable annotation). The types of nearly every
    /// parameter and local, <c>Tensor</c> and <c>double</c>, are spelled without asking Roslyn, which is slow at it.
    /// </summary>
    private static string TypeName(ITypeSymbol type) => type switch
    {
        { SpecialType: SpecialType.System_Double } => "double",
        { SpecialType: SpecialType.System_Int32 } => "int",
        { NullableAnnotation: not NullableAnnotation.Annotated } when ValueKinds.Of(type) == ValueKind.Tensor => TensorTypeName,
        _ => type.ToDisplayString(TypeFormat),
    };

    private static bool HasNoGrad(IParameterSymbol parameter) => KnownNames.IsNoGrad(parameter);

    private static string LiteralText(object? value) => value switch
    {
        bool b => b ? "true" : "false",
        null => "null",
        System.IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };
}
