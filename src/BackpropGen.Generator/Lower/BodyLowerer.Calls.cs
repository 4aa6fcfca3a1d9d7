using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Diagnostics;
using BackpropGen.Generator.Discover;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using static BackpropGen.Generator.Lower.SyntaxText;

namespace BackpropGen.Generator.Lower;

/// <summary>Calls of other <c>[Differentiable]</c> methods: each becomes a step of its own, hoisted out of the expression it is nested in.</summary>
internal sealed partial class BodyLowerer
{
    /// <summary>
    /// Hoists the calls of <c>[Differentiable]</c> methods nested in a step's right-hand side into steps of their own,
    /// innermost first, each named after its callee: <c>var loss = SoftmaxLoss(Affine(x, w, b), y);</c> becomes the
    /// steps <c>affine = Affine(x, w, b)</c> and <c>loss = SoftmaxLoss(affine, y)</c>, so that each call keeps its cache.
    /// A call that is the whole right-hand side stays the step itself, unless <paramref name="wholeToo"/>: the right side
    /// of a compound write (<c>loss += Cell(h, x);</c>), whose step is the operator.
    /// </summary>
    private void HoistNestedCalls(ExpressionSyntax value, bool wholeToo = false)
    {
        var whole = wholeToo ? null : Unparenthesized(value);

        List<ExpressionSyntax>? nested = null;
        HashSet<ExpressionSyntax>? arguments = null;
        foreach (var node in value.DescendantNodesAndSelf())
        {
            if (node is not InvocationExpressionSyntax invocation || _hoisted.ContainsKey(invocation))
            {
                continue;
            }

            if (invocation != whole)
            {
                (nested ??= new List<ExpressionSyntax>()).Add(invocation);
            }

            foreach (var argument in ArgumentsToKeep(invocation))
            {
                if ((arguments ??= new HashSet<ExpressionSyntax>()).Add(argument))
                {
                    (nested ??= new List<ExpressionSyntax>()).Add(argument);
                }
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

        foreach (var expression in nested)
        {
            if (_hoisted.ContainsKey(expression))
            {
                // A call that is an argument to keep is listed as both: hoisted once.
                continue;
            }

            if (arguments is not null && arguments.Contains(expression))
            {
                HoistArgument(expression);
                continue;
            }

            var invocation = (InvocationExpressionSyntax)expression;
            if (!IsVaried(invocation)
                || !IsLinkedCall(invocation, out var call)
                || invocation.Ancestors().Any(a => a is LambdaExpressionSyntax or AnonymousMethodExpressionSyntax))
            {
                continue;
            }

            var callee = call.Callee;
            HoistStep(invocation, Camel(callee.Name), callee.ReturnType, name => (LowerCall(name, invocation, call, out var forwardText), forwardText));
        }
    }

    /// <summary>
    /// Makes <paramref name="node"/> a step of its own before the step it is in, its value in a local named after
    /// <paramref name="baseName"/>, which the code around it then reads. <paramref name="lower"/> lowers it, given that
    /// name, to its value and the statement that computes it (null: <c>var name = …;</c> as written).
    /// </summary>
    private void HoistStep(ExpressionSyntax node, string baseName, ITypeSymbol type, System.Func<string, (Expr Value, string? ForwardText)> lower)
    {
        var name = UniqueLocalName(baseName);
        _depths[name] = _depth;
        var kind = ValueKinds.Of(type);
        _locals.Add(new LocalModel(name, TypeName(type), kind, _depth));
        var (value, forwardText) = lower(name);
        var step = new StepModel(++_stepCount, name, kind, value, name + " = " + TextWithHoisted(node, asQuote: true));
        _body.Add(new ForwardStep(step, forwardText ?? $"var {Identifiers.Escape(name)} = {TextWithHoisted(node)};"));
        _hoisted[node] = name;
    }

    /// <summary>A name as a local's: <c>Softplus</c> → <c>softplus</c>.</summary>
    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name.Substring(1);

    /// <summary>
    /// The arguments of a call whose backward reads its arguments (a <c>[DerivativeOf]</c> backward's, a
    /// <c>[Checkpoint]</c> method's) that are differentiable expressions rather than names: each becomes a step of its
    /// own, named after the callee and the parameter (<c>erfX = a - 1.0</c>), so that the caller keeps its value instead
    /// of computing it again in the backward. Calls that are hoisted anyway are left to be.
    /// </summary>
    private IEnumerable<ExpressionSyntax> ArgumentsToKeep(InvocationExpressionSyntax invocation)
    {
        if (!IsVaried(invocation)
            || invocation.Ancestors().Any(a => a is LambdaExpressionSyntax or AnonymousMethodExpressionSyntax)
            || !IsLinkedCall(invocation, out var call)
            || call.Link == CallLink.Cache)
        {
            yield break;
        }

        foreach (var argument in invocation.ArgumentList.Arguments)
        {
            var value = Unparenthesized(argument.Expression);
            if (value is not IdentifierNameSyntax
                && !_hoisted.ContainsKey(value)
                && IsVaried(value)
                && !(value is InvocationExpressionSyntax inner && IsLinkedCall(inner, out _)))
            {
                _keptArguments[value] = (call.Callee.Name, call.Operation.Arguments.FirstOrDefault(a => a.Syntax == argument)?.Parameter?.Name ?? "argument");
                yield return value;
            }
        }
    }

    private void HoistArgument(ExpressionSyntax argument)
    {
        var (callee, parameter) = _keptArguments[argument];
        var type = TypeOf(argument);
        HoistStep(argument, Camel(callee) + char.ToUpperInvariant(parameter[0]) + parameter.Substring(1), type.ConvertedType ?? type.Type!, _ => (LowerExpression(argument), null));
    }

    /// <summary>
    /// Whether a call has a derivative that is a method's backward rather than an op's rule, and if so how it is linked:
    /// a <c>[Differentiable]</c> method's generated backward (given its cache, or, <c>[Checkpoint]</c>, its forward run again),
    /// a <c>[CustomDerivative]</c> method's hand-written one (given its cache), or a <c>[DerivativeOf]</c> backward of
    /// another library's method (given the call's arguments).
    /// </summary>
    private bool IsLinkedCall(InvocationExpressionSyntax invocation, out LinkedCall call)
    {
        call = null!;
        if (InvocationOf(invocation) is not { TargetMethod: var method } bound)
        {
            return false;
        }

        if (KnownNames.IsDifferentiable(method))
        {
            call = new LinkedCall(method, bound, KnownNames.IsCheckpoint(method) ? CallLink.Recomputed : CallLink.Cache, Backward: null);
            return true;
        }

        if (KnownNames.IsCustomDerivative(method))
        {
            call = new LinkedCall(method, bound, CallLink.Cache, Backward: null, HandWritten: true);
            return true;
        }

        if (OperationBinding.Resolve(method) is null && DerivativesOf.BackwardOf(_model.Compilation, method) is { } backward)
        {
            call = new LinkedCall(method, bound, CallLink.Arguments, backward, HandWritten: true);
            return true;
        }

        return false;
    }

    /// <summary>
    /// A call whose derivative is a method's backward: the callee, bound; how its backward is given what it reads; the
    /// <c>[DerivativeOf]</c> backward, for <see cref="CallLink.Arguments"/>; whether a person wrote the backward, whose
    /// gradients are then checked to have their arguments' shapes.
    /// </summary>
    private sealed record LinkedCall(IMethodSymbol Callee, IInvocationOperation Operation, CallLink Link, IMethodSymbol? Backward, bool HandWritten = false);

    private static ExpressionSyntax Unparenthesized(ExpressionSyntax expression)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        return expression;
    }

    /// <summary>
    /// A node's code (<see cref="Flatten"/>), with the calls hoisted out of it replaced by the names of their steps, and
    /// reassigned locals and parameters by the names of their current versions.
    /// </summary>
    private string TextWithHoisted(SyntaxNode node, bool asQuote = false)
    {
        if (node is ExpressionSyntax expression && _hoisted.TryGetValue(expression, out var own))
        {
            return asQuote ? own : Identifiers.Escape(own);
        }

        var replacements = _hoisted.Count == 0 && _versions.Count == 0 ? null : new Dictionary<SyntaxNode, string>();
        if (replacements is not null)
        {
            foreach (var hoisted in _hoisted)
            {
                if (node.Span.Contains(hoisted.Key.Span) && node.SyntaxTree == hoisted.Key.SyntaxTree)
                {
                    replacements[hoisted.Key] = hoisted.Value;
                }
            }

            // A reassigned local or parameter is read as its current version.
            if (_versions.Count > 0)
            {
                foreach (var identifier in node.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
                {
                    if (!IsMemberOrArgumentName(identifier) && CurrentName(identifier) is var current && current != identifier.Identifier.ValueText)
                    {
                        replacements[identifier] = current;
                    }
                }
            }
        }

        // A local declared under a name of its own is declared by that name.
        var renamed = _declaredAs.Count == 0 ? null : RenamedDeclarations(node);
        if ((replacements is null || replacements.Count == 0) && renamed is null)
        {
            return Flatten(node, asQuote);
        }

        replacements ??= new Dictionary<SyntaxNode, string>();
        if (node is IdentifierNameSyntax && replacements.TryGetValue(node, out var version))
        {
            return asQuote ? version : Identifiers.Escape(version);
        }

        var replaced = node.ReplaceSyntax(
            replacements.Keys, (original, _) => NameOfHoisted(replacements[original]).WithTriviaFrom(original),
            renamed?.Keys ?? Enumerable.Empty<SyntaxToken>(), (original, _) => IdentifierOf(renamed![original]).WithTriviaFrom(original),
            Enumerable.Empty<SyntaxTrivia>(), (original, _) => original);
        return Flatten(replaced, asQuote);
    }

    /// <summary>The name of a hoisted step as a node without trivia, so that the code reads <c>ReLU(affine)</c>.</summary>
    private static IdentifierNameSyntax NameOfHoisted(string name) => SyntaxFactory.IdentifierName(IdentifierOf(name));

    private static SyntaxToken IdentifierOf(string name)
    {
        var escaped = Identifiers.Escape(name);
        var none = SyntaxFactory.TriviaList();
        return escaped == name ? SyntaxFactory.Identifier(none, name, none) : SyntaxFactory.VerbatimIdentifier(none, escaped, name, none);
    }

    /// <summary>The identifiers of the declarations in <paramref name="node"/> of locals declared under a name of their own, with those names; null when there are none.</summary>
    private Dictionary<SyntaxToken, string>? RenamedDeclarations(SyntaxNode node)
    {
        Dictionary<SyntaxToken, string>? renamed = null;
        foreach (var declarator in node.DescendantNodesAndSelf().OfType<VariableDeclaratorSyntax>())
        {
            if (_model.GetDeclaredSymbol(declarator, _cancellationToken) is { } local && _declaredAs.TryGetValue(local, out var name))
            {
                (renamed ??= new Dictionary<SyntaxToken, string>())[declarator.Identifier] = name;
            }
        }

        return renamed;
    }

    /// <summary>
    /// The step of a call whose derivative is a method's backward. Linked by its cache, the callee's forward fills a cache
    /// the caller keeps (<paramref name="forwardText"/> the statement that runs it); otherwise the forward is the call as
    /// written (<paramref name="forwardText"/> null) and the backward reads the arguments.
    /// </summary>
    private CallExpr LowerCall(string name, InvocationExpressionSyntax invocation, LinkedCall call, out string? forwardText)
    {
        var callee = call.Callee;
        var calleeType = callee.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        forwardText = null;
        if (call.Link == CallLink.Cache && callee.DeclaredAccessibility < _method.DeclaredAccessibility)
        {
            Report(DiagnosticDescriptors.NotDifferentiable, invocation, Flatten(invocation),
                $"the cache of '{callee.Name}' becomes part of the cache of '{_method.Name}', so '{callee.Name}' must be at least as accessible as '{_method.Name}'");
        }

        if (call.HandWritten && call.Backward is null && !CustomDerivatives.IsComplete(callee))
        {
            Report(DiagnosticDescriptors.NotDifferentiable, invocation, Flatten(invocation),
                $"the hand-written {GeneratedNames.Cache(callee.Name)}, {GeneratedNames.Forward(callee.Name)} and {GeneratedNames.Backward(callee.Name)} of the [CustomDerivative] method '{callee.Name}' are missing or do not match (BPG0018, BPG0021 at '{callee.Name}'); fix them first");
        }

        if (call.Backward is { } backward && !_model.Compilation.IsSymbolAccessibleWithin(backward, _method.ContainingType))
        {
            Report(DiagnosticDescriptors.NotDifferentiable, invocation, Flatten(invocation),
                $"its backward '{backward.ContainingType.Name}.{backward.Name}' ([DerivativeOf]) is not accessible from '{_method.ContainingType.Name}', whose generated backward calls it; make it internal or public");
        }

        if (!call.HandWritten)
        {
            _calls.Add(new CallSite(MethodIdentity.KeyOf(callee), callee.Name, LocationInfo.From(invocation)));
        }

        // A [DerivativeOf] backward marks with [NoGrad] the parameters of the other library's method it gives no gradient.
        var marks = call.Backward is { } of ? of.Parameters.Skip(1).ToList() : callee.Parameters.ToList();
        var parameters = callee.Parameters
            .Select((p, i) => new CalleeParameter(p.Name, ValueKinds.Of(p.Type), ValueKinds.Of(p.Type) != ValueKind.Other && !HasNoGrad(marks[i])))
            .ToEquatableArray();
        var (args, argTexts) = LowerArguments(call.Operation, withTexts: true);
        string? cacheLocal = null;
        if (call.Link == CallLink.Cache)
        {
            cacheLocal = UniqueLocalName(name + "Cache");
            _depths[cacheLocal] = _depth;
            _locals.Add(new LocalModel(cacheLocal, calleeType + "." + GeneratedNames.Cache(callee.Name), ValueKind.Other, _depth));
            forwardText = $"var ({Identifiers.Escape(name)}, {Identifiers.Escape(cacheLocal)}) = {calleeType}.{GeneratedNames.Forward(callee.Name)}({string.Join(", ", argTexts)});";
        }

        return new CallExpr(
            call.Backward is { } derivative ? derivative.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : calleeType,
            callee.Name,
            cacheLocal,
            parameters,
            ValueKinds.Of(callee.ReturnType),
            args,
            TextWithHoisted(invocation),
            ReadsOf(invocation))
        {
            Link = call.Link,
            BackwardName = call.Backward?.Name ?? GeneratedNames.Backward(callee.Name),
            HandWritten = call.HandWritten,
        };
    }
}
