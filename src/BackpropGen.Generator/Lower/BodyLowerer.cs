using System.Collections.Generic;
using System.Linq;
using System.Threading;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Diagnostics;
using BackpropGen.Generator.Discover;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using static BackpropGen.Generator.Lower.SyntaxText;

namespace BackpropGen.Generator.Lower;

/// <summary>
/// Lowers the body of a <c>[Differentiable]</c> method to the step IR: each statement that computes a value depending on
/// a differentiable parameter becomes a numbered step whose right-hand side is a tree of operations (<see cref="Operations"/>);
/// everything else is kept verbatim. Anything that cannot be differentiated is reported at the offending code.
/// </summary>
internal sealed partial class BodyLowerer
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
    private readonly Dictionary<ExpressionSyntax, string> _hoisted = new();

    /// <summary>The callee and parameter of each argument <see cref="ArgumentsToKeep"/> found, which name its step.</summary>
    private readonly Dictionary<ExpressionSyntax, (string Callee, string Parameter)> _keptArguments = new();
    private readonly List<LocalModel> _locals = new();
    /// <summary>The statements of the block being lowered: the body's, or a loop's or a branch's while it is lowered.</summary>
    private List<ForwardNode> _body = new();

    /// <summary>The latest version of each local or parameter the body reassigns (<c>y_2</c> after <c>y = y * 2.0;</c>).</summary>
    private readonly Dictionary<ISymbol, string> _versions = new(SymbolEqualityComparer.Default);

    /// <summary>How many versions each reassigned local or parameter has had, its declaration the first.</summary>
    private readonly Dictionary<ISymbol, int> _versionCounts = new(SymbolEqualityComparer.Default);

    /// <summary>The names of <see cref="_versions"/>' symbols: a name that is none of them needs no lookup.</summary>
    private readonly HashSet<string> _reassignedNames = new();

    /// <summary>
    /// The locals declared under a name of their own because an earlier local of a scope beside theirs took their name
    /// (<c>t2</c> for the <c>t</c> of a branch's second arm, <c>i2</c> for the counter of a second loop): every value of
    /// the method has one name in the cache, the tape and the backward.
    /// </summary>
    private readonly Dictionary<ISymbol, string> _declaredAs = new(SymbolEqualityComparer.Default);
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
                if (statement is not ReturnStatementSyntax && Returns(statement))
                {
                    returned = LowerReturningStatements(statements.Skip(i).ToList());
                    break;
                }

                CheckSimpleStatement(statement);
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
            new ForwardBlock(_body.ToEquatableArray()),
            returned,
            identity.Key,
            identity.HintName);
    }

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
                _body.Add(new ForwardCode(TextWithHoisted(statement)));
                return;
            case ExpressionStatementSyntax { Expression: var write } when IsVersionedWrite(write):
                LowerReassignment(write);
                return;
            case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax or PrefixUnaryExpressionSyntax or PostfixUnaryExpressionSyntax }:
                // Reported by CheckStatement.
                return;
            case ReturnStatementSyntax:
                Report(DiagnosticDescriptors.MissingReturn, statement, _method.Name);
                return;
            case ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax:
                LowerLoop(statement);
                return;
            case IfStatementSyntax branch:
                LowerBranch(branch, System.Array.Empty<StatementSyntax>());
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

            // A var local's inferred type carries a nullable annotation that its value never needs, and that only a
            // compilation with nullable analysis infers (var words = x.ToArray(); is int[]? with it, int[] without).
            var localType = kind == ValueKind.Other && !declaration.Declaration.Type.IsVar ? local.Type : local.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated);
            var name = DeclareLocal(local, TypeName(localType), kind);
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
            if (Unparenthesized(value) is ConditionalExpressionSyntax choice)
            {
                DeclareForArms(name, TypeName(localType));
                LowerChoice(name, kind, choice);
                return;
            }

            HoistNestedCalls(value);
            var quote = name + " = " + TextWithHoisted(value, asQuote: true);
            var lowered = LowerStepValue(name, value, out var callText);
            step = new StepModel(++_stepCount, name, kind, lowered, quote);
            if (callText is not null)
            {
                _body.Add(new ForwardStep(step, callText));
                return;
            }
        }

        _body.Add(step is null
            ? new ForwardCode(
                TextWithHoisted(declaration),
                declarators.Select(d => _model.GetDeclaredSymbol(d, _cancellationToken) is { } declared ? CurrentName(declared) : d.Identifier.ValueText).ToEquatableArray(),
                Reads: declarators.SelectMany(d => ReadsOf(d.Initializer?.Value)).Distinct().ToEquatableArray())
            : new ForwardStep(step, TextWithHoisted(declaration)));
    }

    /// <summary>A statement of the forward: a step when it computes one, else code kept as written.</summary>
    private static ForwardNode Statement(StepModel? step, string text) => step is null ? new ForwardCode(text) : new ForwardStep(step, text);

    /// <summary>The returned value: a variable, or a final expression that becomes one more step named <c>result</c>.</summary>
    private string LowerReturn(ExpressionSyntax value)
    {
        var unwrapped = Unparenthesized(value);

        if (unwrapped is IdentifierNameSyntax identifier && SymbolOf(identifier) is ILocalSymbol or IParameterSymbol)
        {
            return CurrentName(identifier);
        }

        var name = UniqueLocalName("result");
        _depths[name] = 0;
        var kind = ValueKinds.Of(_method.ReturnType);
        _locals.Add(new LocalModel(name, TypeName(_method.ReturnType), kind));
        string? callText = null;
        StepModel? step = null;
        if (IsVaried(value))
        {
            HoistNestedCalls(value);
            step = new StepModel(++_stepCount, name, kind, LowerStepValue(name, value, out callText), name + " = " + TextWithHoisted(value, asQuote: true));
        }

        _body.Add(Statement(step, callText ?? $"var {name} = {TextWithHoisted(value)};"));
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

        if (unwrapped is not InvocationExpressionSyntax invocation || !IsLinkedCall(invocation, out var call))
        {
            return LowerExpression(value);
        }

        return LowerCall(name, invocation, call, out forwardText);
    }

    /// <summary>
    /// Adds a local of the body, at the current depth, and returns its name: its own, or a new one when a local of a scope
    /// beside its own (lowered before it) has the name already (<see cref="_declaredAs"/>).
    /// </summary>
    private string DeclareLocal(ILocalSymbol local, string typeName, ValueKind kind)
    {
        var name = local.Name;
        if (_locals.Any(l => l.Name == name))
        {
            name = UniqueLocalName(local.Name);
            _declaredAs[local] = name;
            SetVersion(local, name);
        }

        _locals.Add(new LocalModel(name, typeName, kind, _depth));
        _depths[name] = _depth;
        return name;
    }

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

    private static Location FirstTokenLocation(StatementSyntax statement) => statement.GetFirstToken().GetLocation();

    private void Report(DiagnosticDescriptor descriptor, SyntaxNode node, params string[] args) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, node, args));

    private void Report(DiagnosticDescriptor descriptor, Location location, params string[] args) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, args));
}
