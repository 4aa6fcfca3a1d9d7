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
            _depths[name] = _depth;
            var kind = ValueKinds.Of(callee.ReturnType);
            _locals.Add(new LocalModel(name, TypeName(callee.ReturnType), kind, _depth));
            var lowered = LowerCall(name, invocation, callee, operation, out var forwardText);
            var step = new StepModel(++_stepCount, name, kind, lowered, name + " = " + TextWithHoisted(invocation, asQuote: true));
            _body.Add(new ForwardStep(step, forwardText));
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
    /// A node's code (<see cref="Flatten"/>), with the calls hoisted out of it replaced by the names of their steps, and
    /// reassigned locals and parameters by the names of their current versions.
    /// </summary>
    private string TextWithHoisted(SyntaxNode node, bool asQuote = false)
    {
        if (node is InvocationExpressionSyntax call && _hoisted.TryGetValue(call, out var own))
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
        _depths[cacheLocal] = _depth;
        var calleeType = callee.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        _locals.Add(new LocalModel(cacheLocal, calleeType + "." + GeneratedNames.Cache(callee.Name), ValueKind.Other, _depth));
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
}
