using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Diagnostics;
using BackpropGen.Generator.Discover;
using BackpropGen.Generator.Ops;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace BackpropGen.Generator.Lower;

/// <summary>
/// Lowers the body of a <c>[Differentiable]</c> method to the step IR: each statement that computes a value depending on
/// a differentiable parameter becomes a numbered step whose right-hand side is a tree of operations (<see cref="Operations"/>);
/// everything else is kept verbatim. Anything that cannot be differentiated is reported at the offending code.
/// </summary>
internal sealed class BodyLowerer
{
    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>How <see cref="TypeFormat"/> spells a <c>Tensor</c> without a nullable annotation.</summary>
    private const string TensorTypeName = "global::" + KnownNames.Tensor;

    private readonly SemanticModel _model;
    private readonly IMethodSymbol _method;
    private readonly CancellationToken _cancellationToken;
    private readonly List<DiagnosticInfo> _diagnostics = new();
    private readonly HashSet<ISymbol> _varied = new(SymbolEqualityComparer.Default);

    /// <summary>
    /// The names of <see cref="_varied"/>: a name that is none of them cannot refer to a varied value, which the checks
    /// learn without asking what it refers to (type and method names have no operation, so asking is a semantic query).
    /// </summary>
    private readonly HashSet<string> _variedNames = new();
    private readonly Dictionary<ExpressionSyntax, bool> _variedMemo = new();
    private readonly Dictionary<IdentifierNameSyntax, ISymbol?> _symbols = new();
    private readonly Dictionary<ExpressionSyntax, ExpressionType> _types = new();
    private readonly Dictionary<SyntaxNode, IOperation> _operations;
    private readonly Dictionary<InvocationExpressionSyntax, string> _hoisted = new();
    private readonly List<LocalModel> _locals = new();
    private readonly List<ForwardStatement> _body = new();
    private readonly List<CallSite> _calls = new();
    private readonly HashSet<string> _declaredNames;

    /// <summary>Locals whose type a record cannot hold (a <c>Span</c>, a pointer), by name, with their declarations.</summary>
    private readonly Dictionary<string, VariableDeclaratorSyntax> _unkeepableLocals = new();
    private bool _hasCompileErrors;
    private int _stepCount;

    private BodyLowerer(SemanticModel model, IMethodSymbol method, MethodScan scan, CancellationToken cancellationToken)
    {
        _model = model;
        _method = method;
        _declaredNames = scan.DeclaredNames;
        _cancellationToken = cancellationToken;

        // Most nodes of a body have an operation: sized once, the map is not grown entry by entry.
        _operations = new Dictionary<SyntaxNode, IOperation>(scan.NodeCount);
    }

    /// <summary>Lowers the body of a method discovery found fit to lower (<see cref="DiscoveredMethod.CanLower"/>).</summary>
    public static LoweredBody Lower(DiscoveredMethod method, CancellationToken cancellationToken)
    {
        var lowerer = new BodyLowerer(method.Model, method.Method, method.Scan, cancellationToken);
        var result = lowerer.LowerBody(method.Syntax, method.ContainingTypes, method.Identity);
        var lowered = lowerer._diagnostics.Count > 0 || lowerer._hasCompileErrors ? null : result;
        return new LoweredBody(lowered, lowerer._diagnostics.ToEquatableArray(), lowerer._calls.ToEquatableArray());
    }

    private MethodModel? LowerBody(MethodDeclarationSyntax syntax, EquatableArray<ContainingType> containingTypes, MethodIdentity identity)
    {
        IndexOperations((SyntaxNode?)syntax.Body ?? syntax.ExpressionBody);
        var parameters = _method.Parameters.Select(LowerParameter).ToEquatableArray();
        if (!parameters.Any(p => p.IsDifferentiable))
        {
            Report(DiagnosticDescriptors.NoDifferentiableParameter, syntax.Identifier.GetLocation(), _method.Name);
            return null;
        }

        string? returned = null;

        if (syntax.ExpressionBody is { } arrow)
        {
            CheckStatement(arrow.Expression);
            returned = LowerReturn(arrow.Expression);
        }
        else if (syntax.Body is { } block)
        {
            var statements = block.Statements;
            for (var i = 0; i < statements.Count; i++)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                var statement = statements[i];
                if (statement is LocalDeclarationStatementSyntax or ExpressionStatementSyntax or ReturnStatementSyntax)
                {
                    // Other statements (loops, branches) are reported whole; what they contain is not looked into.
                    CheckStatement(statement);
                }

                if (statement is ReturnStatementSyntax { Expression: { } value })
                {
                    if (i != statements.Count - 1)
                    {
                        Report(DiagnosticDescriptors.MissingReturn, statement, _method.Name);
                        return null;
                    }

                    returned = LowerReturn(value);
                }
                else
                {
                    LowerStatement(statement);
                }
            }
        }

        if (returned is null)
        {
            Report(DiagnosticDescriptors.MissingReturn, syntax.Identifier.GetLocation(), _method.Name);
            return null;
        }

        CheckUnkeepableReads();

        var (fileUsings, namespaceUsings) = CollectUsings(syntax);
        var ns = _method.ContainingNamespace.IsGlobalNamespace ? string.Empty : _method.ContainingNamespace.ToDisplayString();

        return new MethodModel(
            ns,
            containingTypes,
            fileUsings,
            namespaceUsings,
            SyntaxFacts.GetText(_method.DeclaredAccessibility),
            _method.Name,
            TypeName(_method.ReturnType),
            ValueKinds.Of(_method.ReturnType),
            parameters,
            _locals.ToEquatableArray(),
            _body.ToEquatableArray(),
            returned,
            identity.Key,
            identity.HintName);
    }

    /// <summary>
    /// What a step reads may be kept in the cache record for the backward; a record cannot hold a ref struct or a
    /// pointer, so a step that reads one is reported at the local's declaration.
    /// </summary>
    private void CheckUnkeepableReads()
    {
        if (_unkeepableLocals.Count == 0)
        {
            return;
        }

        var reported = new HashSet<string>();
        foreach (var statement in _body)
        {
            if (statement.Step is not { } step)
            {
                continue;
            }

            foreach (var name in ReadsOf(step.Value))
            {
                if (_unkeepableLocals.TryGetValue(name, out var declarator) && reported.Add(name))
                {
                    Report(DiagnosticDescriptors.UnsupportedStatement, declarator,
                        "ref struct or pointer local read by a step",
                        $"step {step.Number} reads '{name}', and what a step reads is kept in the cache record for the backward, which cannot hold a ref struct or a pointer; compute what the step needs from '{name}' in a local of its own (var n = {name}.Length;), or use an array");
                }
            }
        }
    }

    /// <summary>What a step's value reads: an operation's or a call's reads are those of its whole expression.</summary>
    private static EquatableArray<string> ReadsOf(Expr expression) => expression switch
    {
        ConstExpr constant => constant.Reads,
        OpExpr op => op.Reads,
        CallExpr call => call.Reads,
        _ => EquatableArray<string>.Empty,
    };

    private ParameterModel LowerParameter(IParameterSymbol parameter)
    {
        var kind = ValueKinds.Of(parameter.Type);
        var noGrad = HasNoGrad(parameter);
        var differentiable = kind != ValueKind.Other && !noGrad;
        if (differentiable)
        {
            MarkVaried(parameter);
        }

        return new ParameterModel(parameter.Name, TypeName(parameter.Type), kind, differentiable);
    }

    private void MarkVaried(ISymbol symbol)
    {
        _varied.Add(symbol);
        _variedNames.Add(symbol.Name);
    }

    private void LowerStatement(StatementSyntax statement)
    {
        switch (statement)
        {
            case EmptyStatementSyntax:
                return;
            case LocalDeclarationStatementSyntax declaration:
                LowerDeclaration(declaration);
                return;
            case ExpressionStatementSyntax { Expression: InvocationExpressionSyntax or AwaitExpressionSyntax } call when !IsVaried(call.Expression):
                // A call made for its effect (Debug.Assert, logging) computes no value: it is replayed as written.
                _body.Add(new ForwardStatement(Flatten(statement), null));
                return;
            case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax }:
                // Reported by CheckAssignments.
                return;
            case ReturnStatementSyntax:
                Report(DiagnosticDescriptors.MissingReturn, statement, _method.Name);
                return;
            default:
                var (construct, advice) = DescribeUnsupported(statement);
                // A local function is pointed at by its name; other statements by their keyword (for, if, try, …).
                var location = statement is LocalFunctionStatementSyntax function ? function.Identifier.GetLocation() : FirstTokenLocation(statement);
                Report(DiagnosticDescriptors.UnsupportedStatement, location, construct, advice);
                return;
        }
    }

    private void LowerDeclaration(LocalDeclarationStatementSyntax declaration)
    {
        if (declaration.UsingKeyword.IsKind(SyntaxKind.UsingKeyword) || declaration.AwaitKeyword.IsKind(SyntaxKind.AwaitKeyword))
        {
            Report(DiagnosticDescriptors.UnsupportedStatement, FirstTokenLocation(declaration), "using declaration", "dispose resources outside the [Differentiable] method");
            return;
        }

        if (declaration.Declaration.Type is RefTypeSyntax)
        {
            Report(DiagnosticDescriptors.UnsupportedStatement, FirstTokenLocation(declaration), "ref local", "declare a plain local that holds the value");
            return;
        }

        var declarators = declaration.Declaration.Variables;
        StepModel? step = null;
        foreach (var declarator in declarators)
        {
            if ((OperationOf(declarator) is IVariableDeclaratorOperation declared ? declared.Symbol : _model.GetDeclaredSymbol(declarator, _cancellationToken)) is not ILocalSymbol local)
            {
                _hasCompileErrors = true;
                continue;
            }

            var kind = ValueKinds.Of(local.Type);
            if (local.Type.IsRefLikeType || local.Type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer)
            {
                _unkeepableLocals[local.Name] = declarator;
            }

            // A var local's inferred type carries a nullable annotation that its value never needs.
            var localType = kind == ValueKind.Other ? local.Type : local.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated);
            _locals.Add(new LocalModel(local.Name, TypeName(localType), kind));
            if (declarator.Initializer is not { Value: { } value })
            {
                if (kind != ValueKind.Other)
                {
                    Report(DiagnosticDescriptors.UnsupportedStatement, declarator, "declaration without a value", "give the local its value where it is declared");
                }

                continue;
            }

            if (kind == ValueKind.Other || declaration.IsConst || !IsVaried(value))
            {
                continue;
            }

            if (declarators.Count > 1)
            {
                Report(DiagnosticDescriptors.UnsupportedStatement, declaration, "declaration of several steps", "declare one value per statement, so that each is one step");
                return;
            }

            MarkVaried(local);
            HoistNestedCalls(value);
            var quote = local.Name + " = " + TextWithHoisted(value, asQuote: true);
            var lowered = LowerStepValue(local.Name, value, out var callText);
            step = new StepModel(++_stepCount, local.Name, kind, lowered, quote);
            if (callText is not null)
            {
                _body.Add(new ForwardStatement(callText, step));
                return;
            }
        }

        _body.Add(new ForwardStatement(TextWithHoisted(declaration), step));
    }

    /// <summary>The returned value: a variable, or a final expression that becomes one more step named <c>result</c>.</summary>
    private string LowerReturn(ExpressionSyntax value)
    {
        var unwrapped = Unparenthesized(value);

        if (unwrapped is IdentifierNameSyntax identifier && SymbolOf(identifier) is ILocalSymbol or IParameterSymbol)
        {
            return identifier.Identifier.ValueText;
        }

        var name = UniqueLocalName("result");
        var kind = ValueKinds.Of(_method.ReturnType);
        _locals.Add(new LocalModel(name, TypeName(_method.ReturnType), kind));
        string? callText = null;
        StepModel? step = null;
        if (IsVaried(value))
        {
            HoistNestedCalls(value);
            step = new StepModel(++_stepCount, name, kind, LowerStepValue(name, value, out callText), name + " = " + TextWithHoisted(value, asQuote: true));
        }

        _body.Add(new ForwardStatement(callText ?? $"var {name} = {TextWithHoisted(value)};", step));
        return name;
    }

    /// <summary>
    /// A step's right-hand side. A call of another <c>[Differentiable]</c> method that is the whole right-hand side
    /// becomes a <see cref="CallExpr"/>, and <paramref name="forwardText"/> the statement that runs the callee's
    /// forward and keeps its cache: <c>var (h, hCache) = global::Layers.AffineForward(x, W, b);</c>.
    /// </summary>
    private Expr LowerStepValue(string name, ExpressionSyntax value, out string? forwardText)
    {
        forwardText = null;
        var unwrapped = Unparenthesized(value);

        if (unwrapped is not InvocationExpressionSyntax invocation || !IsDifferentiableCall(invocation, out var callee, out var operation))
        {
            return LowerExpression(value);
        }

        return LowerCall(name, invocation, callee, operation, out forwardText);
    }

    /// <summary>
    /// Hoists the calls of <c>[Differentiable]</c> methods nested in a step's right-hand side into steps of their own,
    /// innermost first, each named after its callee: <c>var loss = SoftmaxLoss(Affine(x, w, b), y);</c> becomes the
    /// steps <c>affine = Affine(x, w, b)</c> and <c>loss = SoftmaxLoss(affine, y)</c>, so that each call keeps its cache.
    /// A call that is the whole right-hand side stays the step itself.
    /// </summary>
    private void HoistNestedCalls(ExpressionSyntax value)
    {
        var whole = Unparenthesized(value);

        List<InvocationExpressionSyntax>? nested = null;
        foreach (var node in value.DescendantNodesAndSelf())
        {
            if (node is InvocationExpressionSyntax invocation && invocation != whole && !_hoisted.ContainsKey(invocation))
            {
                (nested ??= new List<InvocationExpressionSyntax>()).Add(invocation);
            }
        }

        if (nested is null)
        {
            return;
        }

        // Ordered by where they end: an inner call before the call that contains it, left arguments before right ones.
        // (The walk is in pre-order, by where calls start; a stable sort keeps it for calls that end together.)
        if (nested.Count > 1)
        {
            nested = nested.OrderBy(i => i.Span.End).ToList();
        }

        foreach (var invocation in nested)
        {
            if (!IsVaried(invocation)
                || !IsDifferentiableCall(invocation, out var callee, out var operation)
                || invocation.Ancestors().Any(a => a is LambdaExpressionSyntax or AnonymousMethodExpressionSyntax))
            {
                continue;
            }

            var name = UniqueLocalName(char.ToLowerInvariant(callee.Name[0]) + callee.Name.Substring(1));
            var kind = ValueKinds.Of(callee.ReturnType);
            _locals.Add(new LocalModel(name, TypeName(callee.ReturnType), kind));
            var lowered = LowerCall(name, invocation, callee, operation, out var forwardText);
            var step = new StepModel(++_stepCount, name, kind, lowered, name + " = " + TextWithHoisted(invocation, asQuote: true));
            _body.Add(new ForwardStatement(forwardText, step));
            _hoisted[invocation] = name;
        }
    }

    /// <summary>Whether a call is of another <c>[Differentiable]</c> method, and if so which, bound.</summary>
    private bool IsDifferentiableCall(InvocationExpressionSyntax invocation, out IMethodSymbol callee, out IInvocationOperation operation)
    {
        callee = null!;
        operation = null!;
        if (InvocationOf(invocation) is not { TargetMethod: var method } bound || !KnownNames.IsDifferentiable(method))
        {
            return false;
        }

        callee = method;
        operation = bound;
        return true;
    }

    private static ExpressionSyntax Unparenthesized(ExpressionSyntax expression)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        return expression;
    }

    /// <summary>
    /// A node's code (<see cref="Flatten"/>), with the calls hoisted out of it replaced by the names of their steps.
    /// </summary>
    private string TextWithHoisted(SyntaxNode node, bool asQuote = false)
    {
        if (node is InvocationExpressionSyntax call && _hoisted.TryGetValue(call, out var own))
        {
            return asQuote ? own : Identifiers.Escape(own);
        }

        var inside = _hoisted.Count == 0
            ? null
            : _hoisted.Keys.Where(i => node.Span.Contains(i.Span) && node.SyntaxTree == i.SyntaxTree).ToList();
        if (inside is null || inside.Count == 0)
        {
            return Flatten(node, asQuote);
        }

        var replaced = node.ReplaceNodes(inside, (original, _) => NameOfHoisted(_hoisted[original]).WithTriviaFrom(original));
        return Flatten(replaced, asQuote);
    }

    /// <summary>The name of a hoisted step as a node without trivia, so that the code reads <c>ReLU(affine)</c>.</summary>
    private static IdentifierNameSyntax NameOfHoisted(string name)
    {
        var escaped = Identifiers.Escape(name);
        var none = SyntaxFactory.TriviaList();
        return SyntaxFactory.IdentifierName(escaped == name
            ? SyntaxFactory.Identifier(none, name, none)
            : SyntaxFactory.VerbatimIdentifier(none, escaped, name, none));
    }

    /// <summary>The step of a call of another <c>[Differentiable]</c> method: the callee's forward fills a cache the caller keeps.</summary>
    private CallExpr LowerCall(string name, InvocationExpressionSyntax invocation, IMethodSymbol callee, IInvocationOperation operation, out string forwardText)
    {
        if (callee.DeclaredAccessibility < _method.DeclaredAccessibility)
        {
            Report(DiagnosticDescriptors.NotDifferentiable, invocation, Flatten(invocation),
                $"the cache of '{callee.Name}' becomes part of the cache of '{_method.Name}', so '{callee.Name}' must be at least as accessible as '{_method.Name}'");
        }

        _calls.Add(new CallSite(MethodIdentity.KeyOf(callee), callee.Name, LocationInfo.From(invocation)));
        var parameters = callee.Parameters
            .Select(p => new CalleeParameter(p.Name, ValueKinds.Of(p.Type), ValueKinds.Of(p.Type) != ValueKind.Other && !HasNoGrad(p)))
            .ToEquatableArray();
        var (args, argTexts) = LowerArguments(operation, withTexts: true);
        var cacheLocal = UniqueLocalName(name + "Cache");
        var calleeType = callee.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        _locals.Add(new LocalModel(cacheLocal, calleeType + "." + GeneratedNames.Cache(callee.Name), ValueKind.Other));
        forwardText = $"var ({Identifiers.Escape(name)}, {Identifiers.Escape(cacheLocal)}) = {calleeType}.{GeneratedNames.Forward(callee.Name)}({string.Join(", ", argTexts)});";
        return new CallExpr(
            calleeType,
            callee.Name,
            cacheLocal,
            parameters,
            ValueKinds.Of(callee.ReturnType),
            args,
            TextWithHoisted(invocation),
            ReadsOf(invocation));
    }

    private static bool HasNoGrad(IParameterSymbol parameter) =>
        parameter.GetAttributes().Any(a => KnownNames.IsBackpropGenType(a.AttributeClass, KnownNames.NoGradAttributeName));

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

    private string UniqueLocalName(string name)
    {
        var taken = new HashSet<string>(_locals.Select(l => l.Name).Concat(_method.Parameters.Select(p => p.Name)).Concat(_declaredNames));
        var candidate = name;
        for (var i = 2; taken.Contains(candidate); i++)
        {
            candidate = name + i;
        }

        return candidate;
    }

    /// <summary>
    /// True when the expression is a differentiable value (Tensor or double) that depends on a differentiable parameter.
    /// Values of other types (<c>x.Shape[0]</c>) break the dependence: they have no gradient.
    /// </summary>
    private bool IsVaried(ExpressionSyntax expression)
    {
        if (_variedMemo.TryGetValue(expression, out var known))
        {
            return known;
        }

        if (expression is IdentifierNameSyntax name && !_variedNames.Contains(name.Identifier.ValueText))
        {
            return false;
        }

        var result = false;
        var kind = ValueKinds.Of(TypeOf(expression).Type);
        if (kind != ValueKind.Other)
        {
            if (expression is IdentifierNameSyntax)
            {
                var symbol = SymbolOf((IdentifierNameSyntax)expression);
                result = symbol is not null && _varied.Contains(symbol);
            }
            else
            {
                result = HasVariedChild(expression);
            }
        }

        _variedMemo[expression] = result;
        return result;
    }

    /// <summary>
    /// Whether an expression below the node is varied, looking through every kind of node between them: argument lists,
    /// a switch expression's arms, initializers, collection elements. A construct whose value depends on a
    /// differentiable value is then lowered as such, and reported where it has no rule, never taken for a constant.
    /// </summary>
    private bool HasVariedChild(SyntaxNode node)
    {
        foreach (var child in node.ChildNodes())
        {
            if (child is ExpressionSyntax expression ? IsVaried(expression) : HasVariedChild(child))
            {
                return true;
            }
        }

        return false;
    }

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

    private Expr LowerExpression(ExpressionSyntax expression)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        if (expression is InvocationExpressionSyntax call && _hoisted.TryGetValue(call, out var hoisted))
        {
            return new VarExpr(hoisted, ValueKinds.Of(TypeOf(expression).Type));
        }

        if (!IsVaried(expression))
        {
            var type = TypeOf(expression);
            return new ConstExpr(Flatten(expression), ValueKinds.Of(type.ConvertedType ?? type.Type), ReadsOf(expression), Precedence.Of(expression));
        }

        var kind = ValueKinds.Of(TypeOf(expression).Type);
        switch (expression)
        {
            case ParenthesizedExpressionSyntax parenthesized:
                return LowerExpression(parenthesized.Expression);
            case IdentifierNameSyntax identifier:
                return new VarExpr(identifier.Identifier.ValueText, kind);
            case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryPlusExpression } plus:
                return LowerExpression(plus.Operand);
            case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression } minus:
                return Op(Operations.Negate, kind, expression, LowerExpression(minus.Operand));
            case BinaryExpressionSyntax binary when BinaryOp(binary) is { } op:
                return Op(op, kind, expression, LowerExpression(binary.Left), LowerExpression(binary.Right));
            case InvocationExpressionSyntax invocation:
                return LowerInvocation(invocation, kind);
            default:
                Report(DiagnosticDescriptors.NotDifferentiable, expression, Flatten(expression), ExplainNotDifferentiable(expression));
                return new ConstExpr(expression.ToString(), kind, EquatableArray<string>.Empty);
        }
    }

    private static Op? BinaryOp(BinaryExpressionSyntax binary) => binary.Kind() switch
    {
        SyntaxKind.AddExpression => Operations.Add,
        SyntaxKind.SubtractExpression => Operations.Subtract,
        SyntaxKind.MultiplyExpression => Operations.Multiply,
        SyntaxKind.DivideExpression => Operations.Divide,
        _ => null,
    };

    /// <summary>A call, bound; null when it does not bind to one method.</summary>
    private IInvocationOperation? InvocationOf(InvocationExpressionSyntax invocation) =>
        (OperationOf(invocation) ?? _model.GetOperation(invocation, _cancellationToken)) as IInvocationOperation;

    private Expr LowerInvocation(InvocationExpressionSyntax invocation, ValueKind kind)
    {
        if (InvocationOf(invocation) is not { TargetMethod: var callee } operation)
        {
            _hasCompileErrors = true;
            return new ConstExpr(invocation.ToString(), kind, EquatableArray<string>.Empty);
        }

        var op = OperationBinding.Resolve(callee);
        if (op is null)
        {
            var reason = KnownNames.IsDifferentiable(callee)
                ? $"a call of the [Differentiable] method '{callee.Name}' must be a whole step of its own (var h = {callee.Name}(…);), so that its cache can be kept"
                : $"BackpropGen has no derivative rule for '{callee.ContainingType.Name}.{callee.Name}'; use the BackpropGen.Tensor operations or System.Math functions listed in the README, or compute it from them in steps"
                  + (callee.Locations.Any(l => l.IsInSource)
                      ? $"; or, since '{callee.Name}' is your own, mark it [Differentiable] (its body written as steps) and call it as a step of its own (var h = {callee.Name}(…);)"
                      : string.Empty);
            Report(DiagnosticDescriptors.NotDifferentiable, invocation, Flatten(invocation), reason);
            return new ConstExpr(invocation.ToString(), kind, EquatableArray<string>.Empty);
        }

        var (args, _) = LowerArguments(operation, withTexts: false);
        return new OpExpr(op, kind, args, TextWithHoisted(invocation), ReadsOf(invocation));
    }

    /// <summary>
    /// A call's arguments in the callee's parameter order, defaults filled in; and, <paramref name="withTexts"/>, each as
    /// code to pass it on (else no texts).
    /// </summary>
    private (EquatableArray<Expr> Args, IReadOnlyList<string> Texts) LowerArguments(IInvocationOperation operation, bool withTexts)
    {
        var call = operation.Syntax as InvocationExpressionSyntax;
        var args = new List<Expr>(operation.Arguments.Length);

        // Null when no texts are wanted: texts?.Add(…) then does not even compute the text.
        var texts = withTexts ? new List<string>() : null;
        foreach (var argument in InParameterOrder(operation.Arguments))
        {
            switch (argument)
            {
                case { ArgumentKind: ArgumentKind.DefaultValue, Parameter: { } parameter }:
                    var literal = LiteralText(parameter.ExplicitDefaultValue);
                    args.Add(new ConstExpr(literal, ValueKinds.Of(parameter.Type), EquatableArray<string>.Empty));
                    texts?.Add(literal);
                    break;
                case { ArgumentKind: ArgumentKind.ParamArray } when argument.Value is IArrayCreationOperation { IsImplicit: true }:
                    // params given as a list (Reshape(x, 2, 3), Reshape(x, 12)): shape numbers, which have no gradient.
                    // The argument's own syntax is not one of the call's arguments (Roslyn gives it the syntax of the call,
                    // or of the argument the call is nested in), so it is read only through the array's elements.
                    ReportVariedParams(argument);
                    var elements = ParamsText(argument);
                    args.Add(new ConstExpr(elements, ValueKind.Other, EquatableArray<string>.Empty));
                    texts?.Add(elements);
                    break;
                case { Syntax: ArgumentSyntax syntax } when call is not null && syntax.Parent == call.ArgumentList:
                    args.Add(LowerExpression(syntax.Expression));
                    texts?.Add(TextWithHoisted(syntax.Expression));
                    break;
                default:
                    // An argument that is none of the call's own arguments: lowering its syntax would mean lowering what
                    // contains the call, without end. Reported, so that the method gets a reason instead of code.
                    Report(DiagnosticDescriptors.NotDifferentiable, operation.Syntax, Flatten(operation.Syntax),
                        "BackpropGen cannot read the arguments of this call; pass each argument as a plain value");
                    args.Add(new ConstExpr(Flatten(argument.Syntax), ValueKind.Other, EquatableArray<string>.Empty));
                    texts?.Add(Flatten(argument.Syntax));
                    break;
            }
        }

        return (args.ToEquatableArray(), texts ?? (IReadOnlyList<string>)System.Array.Empty<string>());
    }

    /// <summary>The arguments by their parameters' positions (named arguments may come in another order).</summary>
    private static IEnumerable<IArgumentOperation> InParameterOrder(System.Collections.Immutable.ImmutableArray<IArgumentOperation> arguments)
    {
        for (var k = 1; k < arguments.Length; k++)
        {
            if ((arguments[k].Parameter?.Ordinal ?? 0) < (arguments[k - 1].Parameter?.Ordinal ?? 0))
            {
                return arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0);
            }
        }

        return arguments;
    }

    /// <summary>The elements of an expanded <c>params</c> argument, as an array the generated call can pass.</summary>
    private string ParamsText(IArgumentOperation argument)
    {
        var array = (IArrayCreationOperation)argument.Value;
        var elements = array.Initializer is { } initializer
            ? string.Join(", ", initializer.ElementValues.Select(e => TextWithHoisted(e.Syntax)))
            : string.Empty;
        return "new " + array.Type!.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + " { " + elements + " }";
    }

    /// <summary>
    /// The elements of an expanded <c>params</c> list are passed as written, with no gradient: one that depends on a
    /// differentiable value (<c>Concat(a, b)</c> of tensors) is reported rather than silently cut.
    /// </summary>
    private void ReportVariedParams(IArgumentOperation argument)
    {
        if (((IArrayCreationOperation)argument.Value).Initializer is not { } initializer)
        {
            return;
        }

        foreach (var element in initializer.ElementValues)
        {
            if (element.Syntax is ExpressionSyntax expression && IsVaried(expression))
            {
                Report(DiagnosticDescriptors.NotDifferentiable, expression, Flatten(expression),
                    "a value passed in a 'params' list has no gradient rule; pass the values as arguments of their own, or combine them with Tensor operations");
            }
        }
    }

    private Expr Op(Op op, ValueKind kind, ExpressionSyntax syntax, params Expr[] args) =>
        new OpExpr(op, kind, args.ToEquatableArray(), TextWithHoisted(syntax), ReadsOf(syntax));

    private static string LiteralText(object? value) => value switch
    {
        bool b => b ? "true" : "false",
        null => "null",
        System.IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };

    /// <summary>The locals and parameters of this method that an expression reads, in order of first appearance.</summary>
    private EquatableArray<string> ReadsOf(ExpressionSyntax? expression)
    {
        if (expression is null)
        {
            return EquatableArray<string>.Empty;
        }

        var names = new List<string>();

        // The steps hoisted out of it are read as the locals that hold their values.
        foreach (var hoisted in _hoisted)
        {
            if (hoisted.Key != expression && expression.Span.Contains(hoisted.Key.Span) && expression.SyntaxTree == hoisted.Key.SyntaxTree)
            {
                names.Add(hoisted.Value);
            }
        }

        foreach (var node in expression.DescendantNodesAndSelf())
        {
            if (node is not IdentifierNameSyntax identifier || IsMemberOrArgumentName(identifier))
            {
                // Not a value: and such names have no operation of their own, so asking would cost a semantic query.
                continue;
            }

            var symbol = SymbolOf(identifier);
            if (symbol is ILocalSymbol or IParameterSymbol
                && SymbolEqualityComparer.Default.Equals(symbol.ContainingSymbol, _method)
                && !names.Contains(symbol.Name))
            {
                names.Add(symbol.Name);
            }
        }

        return names.ToEquatableArray();
    }

    /// <summary>
    /// The checks of one statement, in one walk of it: assignments anywhere in it (every value of a step program is
    /// assigned once), and differentiable values read into something without a gradient.
    /// </summary>
    private void CheckStatement(SyntaxNode node)
    {
        // A call made for its effect (Console.WriteLine(x)) feeds nothing, so it cuts no gradient.
        var checkCuts = node is not ExpressionStatementSyntax;
        HashSet<SyntaxNode>? reported = null;
        foreach (var descendant in node.DescendantNodesAndSelf())
        {
            switch (descendant)
            {
                case IdentifierNameSyntax identifier when checkCuts:
                    CheckGradientCut(identifier, node, ref reported);
                    break;
                case AssignmentExpressionSyntax assignment:
                    ReportWrite(assignment, assignment.Left);
                    break;
                case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } prefix:
                    ReportWrite(prefix, prefix.Operand);
                    break;
                case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression } postfix:
                    ReportWrite(postfix, postfix.Operand);
                    break;
                case ArgumentSyntax { RefKindKeyword.RawKind: (int)SyntaxKind.RefKeyword or (int)SyntaxKind.OutKeyword } argument:
                    Report(DiagnosticDescriptors.NotDifferentiable, argument, Flatten(argument),
                        "passing a value by 'ref' or 'out' lets a call change it behind the steps; pass it by value and use the result");
                    break;
            }
        }
    }

    /// <summary>
    /// Reports where a differentiable value is read into something that has no gradient (<c>y.ToArray()</c>,
    /// a lambda, a cast to another type): whatever is computed from it afterwards would silently get a zero gradient.
    /// Reading a value's shape (<c>x.Shape[0]</c>, <c>x.Rank</c>, <c>x.Length</c>) is fine: a shape has no gradient.
    /// </summary>
    private void CheckGradientCut(IdentifierNameSyntax identifier, SyntaxNode statement, ref HashSet<SyntaxNode>? reported)
    {
        if (IsMemberOrArgumentName(identifier) || !_variedNames.Contains(identifier.Identifier.ValueText))
        {
            return;
        }

        var symbol = SymbolOf(identifier);
        if (symbol is null || !_varied.Contains(symbol))
        {
            return;
        }

        if (identifier.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Shape" or "Rank" or "Length" } shapeRead
            && shapeRead.Expression == identifier)
        {
            return;
        }

        if (IsInNameof(identifier, statement))
        {
            // nameof(x) reads the name, not the value.
            return;
        }

        for (var ancestor = identifier.Parent; ancestor is not null && ancestor != statement.Parent; ancestor = ancestor.Parent)
        {
            if (ancestor is ArgumentSyntax or ArgumentListSyntax or BracketedArgumentListSyntax
                || ancestor is MemberAccessExpressionSyntax { Parent: InvocationExpressionSyntax call } && call.Expression == ancestor)
            {
                // Not a value of its own: an argument, or the method group of a call.
                continue;
            }

            if (ancestor is not ExpressionSyntax expression)
            {
                break;
            }

            if (TypeOf(expression).Type is { TypeKind: TypeKind.Error } || OperationOf(expression) is IInvalidOperation)
            {
                // A call of a name that does not exist (a typo, an operation BackpropGen lacks): the compiler reports
                // it (CS0103, CS0117), and advice about gradients would send the user the wrong way.
                _hasCompileErrors = true;
                break;
            }

            if (ValueKinds.Of(TypeOf(expression).Type) == ValueKind.Other)
            {
                if ((reported ??= new HashSet<SyntaxNode>()).Add(expression))
                {
                    Report(DiagnosticDescriptors.NotDifferentiable, expression, Flatten(expression),
                        $"it turns '{symbol.Name}' into a value without a gradient, so everything computed from it would get a zero gradient; "
                        + $"compute with Tensor operations instead, or mark the parameter [NoGrad] if '{symbol.Name}' needs no gradient");
                }

                break;
            }
        }
    }

    /// <summary>The name of a member (<c>x.Shape</c>) or of an argument (<c>axis: 0</c>): not a value.</summary>
    private static bool IsMemberOrArgumentName(IdentifierNameSyntax identifier) =>
        identifier.Parent is MemberAccessExpressionSyntax access && access.Name == identifier || identifier.Parent is NameColonSyntax;

    /// <summary>Whether a name is inside <c>nameof(…)</c> within the statement (the ancestors above it cannot be).</summary>
    private static bool IsInNameof(IdentifierNameSyntax identifier, SyntaxNode statement)
    {
        for (var ancestor = identifier.Parent; ancestor is not null && ancestor != statement.Parent; ancestor = ancestor.Parent)
        {
            if (ancestor is InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" } })
            {
                return true;
            }
        }

        return false;
    }

    private void ReportWrite(ExpressionSyntax write, ExpressionSyntax target)
    {
        var symbol = _model.GetSymbolInfo(target, _cancellationToken).Symbol;
        if (symbol is ILocalSymbol or IParameterSymbol && SymbolEqualityComparer.Default.Equals(symbol.ContainingSymbol, _method))
        {
            Report(DiagnosticDescriptors.Reassignment, write, Flatten(write), symbol.Name);
        }
        else if (symbol is ILocalSymbol or IParameterSymbol)
        {
            // A lambda's own locals: the lambda is reported where it is used in a step, if it is.
        }
        else
        {
            Report(DiagnosticDescriptors.UnsupportedStatement, write, "write to '" + Flatten(target) + "'",
                "a [Differentiable] method computes its result from its inputs only; return the value instead of storing it");
        }
    }

    private static (string Construct, string Advice) DescribeUnsupported(StatementSyntax statement) => statement switch
    {
        ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax =>
            ("loop", "write each iteration as its own step, or use a Tensor operation that covers the whole loop (Sum, Dot, …)"),
        IfStatementSyntax or SwitchStatementSyntax =>
            ("branch", "compute both sides with Tensor operations and select with Maximum, Minimum or Relu, or write one [Differentiable] method per branch"),
        TryStatementSyntax or ThrowStatementSyntax => ("try/throw", "validate inputs before calling the method"),
        LocalFunctionStatementSyntax => ("local function", "make it a [Differentiable] method of its own, or inline its steps"),
        BlockSyntax => ("nested block", "write the steps directly in the method body"),
        UsingStatementSyntax or LockStatementSyntax or FixedStatementSyntax or UnsafeStatementSyntax or CheckedStatementSyntax =>
            ("'" + statement.GetFirstToken().ValueText + "' statement", "write the steps directly in the method body"),
        GotoStatementSyntax or LabeledStatementSyntax or BreakStatementSyntax or ContinueStatementSyntax =>
            ("jump", "the body runs straight through: remove the jump"),
        YieldStatementSyntax => ("yield", "return one value"),
        _ => ("'" + statement.Kind() + "'", "write each value as a local declaration"),
    };

    private static string ExplainNotDifferentiable(ExpressionSyntax expression) => expression switch
    {
        ConditionalExpressionSyntax => "a conditional expression has no derivative at the switch; select with Maximum, Minimum or Relu instead",
        SwitchExpressionSyntax => "a switch expression is not differentiated yet; select with Maximum, Minimum or Relu, or write one [Differentiable] method per case",
        LambdaExpressionSyntax or AnonymousMethodExpressionSyntax => "a lambda cannot be differentiated; write its body as steps",
        ElementAccessExpressionSyntax => "element access is not differentiable; use Pick, Sum or Reshape on the whole tensor",
        CastExpressionSyntax => "a conversion of a differentiable value cuts its gradient; compute with Tensor and double throughout",
        MemberAccessExpressionSyntax => "reading a member of a differentiable value is not a differentiable operation",
        BinaryExpressionSyntax => "only +, -, * and / are differentiable operators",
        _ => "it is not one of the differentiable operations (see the README's op table)",
    };

    private static (EquatableArray<string> File, EquatableArray<string> Namespace) CollectUsings(MethodDeclarationSyntax syntax)
    {
        var file = new List<string>();
        var inNamespace = new List<string>();
        foreach (var ancestor in syntax.Ancestors())
        {
            switch (ancestor)
            {
                // A node's ToString leaves out its leading and trailing trivia (comments, line breaks) without making a new node.
                case BaseNamespaceDeclarationSyntax ns:
                    inNamespace.InsertRange(0, ns.Usings.Select(u => u.ToString()));
                    break;
                case CompilationUnitSyntax unit:
                    file.AddRange(unit.Usings.Where(u => !u.GlobalKeyword.IsKind(SyntaxKind.GlobalKeyword)).Select(u => u.ToString()));
                    break;
            }
        }

        return (file.ToEquatableArray(), inNamespace.ToEquatableArray());
    }

    /// <summary>
    /// A node's code on one line, its comments dropped and each run of whitespace between tokens made one space:
    /// steps are quoted in comments and replayed as single lines.
    /// </summary>
    /// <remarks>A quote (<paramref name="asQuote"/>) names identifiers as a reader says them: <c>var</c>, not <c>@var</c>.</remarks>
    internal static string Flatten(SyntaxNode node, bool asQuote = false)
    {
        // Most steps are written on one line with single spaces: their code is already flat, and read straight from the
        // source text (a rewritten node has none, and writes itself out).
        var written = node.SyntaxTree.TryGetText(out var source) ? source.ToString(node.Span) : node.ToString();
        if (!node.ContainsDiagnostics && IsFlat(written))
        {
            return written;
        }

        var text = new StringBuilder();
        SyntaxToken previous = default;
        foreach (var token in node.DescendantTokens())
        {
            if (text.Length > 0 && (previous.HasTrailingTrivia || token.HasLeadingTrivia))
            {
                text.Append(' ');
            }

            text.Append(asQuote && token.IsKind(SyntaxKind.IdentifierToken) ? token.ValueText : token.Text);
            previous = token;
        }

        return text.ToString();
    }

    /// <summary>
    /// Whether code reads the same flattened: no whitespace but single spaces, no comment or directive, and no escaped
    /// identifier (which a quote spells unescaped). A string literal with such text in it is flattened the long way.
    /// </summary>
    private static bool IsFlat(string code)
    {
        for (var i = 0; i < code.Length; i++)
        {
            var c = code[i];
            if (c is '@' or '\\' or '#'
                || (c == ' ' && i + 1 < code.Length && code[i + 1] == ' ')
                || (c != ' ' && char.IsWhiteSpace(c))
                || (c == '/' && i + 1 < code.Length && code[i + 1] is '/' or '*'))
            {
                return false;
            }
        }

        return true;
    }

    private static Location FirstTokenLocation(StatementSyntax statement) => statement.GetFirstToken().GetLocation();

    private void Report(DiagnosticDescriptor descriptor, SyntaxNode node, params string[] args) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, node, args));

    private void Report(DiagnosticDescriptor descriptor, Location location, params string[] args) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, args));
}
