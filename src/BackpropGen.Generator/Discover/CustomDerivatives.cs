using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using static BackpropGen.Generator.Discover.HandWrittenSignatures;

namespace BackpropGen.Generator.Discover;

/// <summary>
/// Checks a <c>[CustomDerivative]</c> method <c>M</c> and the members its author writes beside it, in the generated
/// shapes (SPEC §2): a type <c>MCache</c>, <c>static (R Out, MCache Cache) MForward(P1 p1, …)</c> and
/// <c>static G MBackward(R dout, MCache cache)</c>. The analyzer reports what it finds; the lowering links a call of
/// <c>M</c> to them only when it finds nothing, so that a caller's generated code always compiles.
/// </summary>
internal static class CustomDerivatives
{
    /// <summary>What is missing or does not match, each at the member it is about (at <c>M</c> when the member is missing).</summary>
    public static List<DiagnosticInfo> Check(IMethodSymbol method)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var at = method.Locations.FirstOrDefault(l => l.IsInSource) ?? Location.None;
        var name = method.Name;
        var access = AccessibilityText(method.DeclaredAccessibility);
        var parameters = ParameterList(method.Parameters);
        var differentiable = method.Parameters.Where(p => IsDifferentiable(p, p)).ToList();
        var gradient = GradientText(differentiable);
        var result = TypeText(method.ReturnType);
        var cacheName = GeneratedNames.Cache(name);
        var expectedSelf = $"{access}static Tensor {name}({(parameters.Length > 0 ? parameters : "Tensor x")})";

        void Report(Location location, string problem, string expected) =>
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CustomDerivativeMember, location, name, problem, expected));

        // The method itself: what a generated backward's caller can call (SPEC §1's rules for a [Differentiable] signature).
        var problems = new List<string>();
        if (KnownNames.IsDifferentiable(method))
        {
            problems.Add("it is [Differentiable] too, whose members the generator writes itself");
        }

        if (!method.IsStatic)
        {
            problems.Add("it is not static");
        }

        if (method.IsGenericMethod || method.ContainingType.IsGenericType)
        {
            problems.Add("it is generic or declared in a generic type");
        }

        if (ValueKinds.Of(method.ReturnType) == ValueKind.Other)
        {
            problems.Add($"it returns '{result}', not a Tensor or a double");
        }

        if (method.Parameters.Any(p => p.RefKind != RefKind.None))
        {
            problems.Add("a parameter is not passed by value");
        }

        if (gradient is null)
        {
            problems.Add("it has no Tensor or double parameter without [NoGrad], so there is no gradient to compute");
        }

        if (problems.Count > 0)
        {
            Report(at, string.Join(", ", problems), KnownNames.IsDifferentiable(method) ? $"[CustomDerivative] {Declared(method)}" : expectedSelf);
            return diagnostics;
        }

        var expectedCache = $"{access}sealed record {cacheName}(/* what {GeneratedNames.Backward(name)} reads */)";
        var cache = method.ContainingType.GetTypeMembers(cacheName).FirstOrDefault();
        if (cache is null)
        {
            Report(at, $"its type has no '{cacheName}', the cache its forward returns and its backward reads", expectedCache);
        }
        else if (cache.DeclaredAccessibility < method.DeclaredAccessibility)
        {
            Report(LocationOf(cache, at), $"'{cacheName}' is less accessible than '{name}', whose callers keep it in their caches", expectedCache);
        }

        var cacheText = cache is null ? cacheName : TypeText(cache);
        var forwardName = GeneratedNames.Forward(name);
        var expectedForward = $"{access}static ({result} Out, {cacheText} Cache) {forwardName}({parameters})";
        CheckMember(method, forwardName, expectedForward, at, Report, forward =>
            !SameTypes(forward.Parameters, method.Parameters)
                ? $"its parameters are not those of '{name}' ({parameters})"
                : IsPairOf(forward.ReturnType, method.ReturnType, cache) ? null : $"it returns '{TypeText(forward.ReturnType)}', not the result and the cache");

        var backwardName = GeneratedNames.Backward(name);
        var expectedBackward = $"{access}static {gradient} {backwardName}({result} dout, {cacheText} cache)";
        var backward = CheckMember(method, backwardName, expectedBackward, at, Report, candidate =>
            candidate.Parameters.Length == 2
            && candidate.Parameters.All(p => p.RefKind == RefKind.None)
            && SymbolEqualityComparer.Default.Equals(candidate.Parameters[0].Type, method.ReturnType)
            && (cache is null || SymbolEqualityComparer.Default.Equals(candidate.Parameters[1].Type, cache))
                ? null
                : $"its parameters are not the gradient of the result and the cache ({result} dout, {cacheText} cache)");
        if (backward is not null && !IsGradientOf(backward.ReturnType, differentiable))
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.CustomGradientTypesMismatch,
                LocationOf(backward, at),
                backwardName,
                TypeText(backward.ReturnType),
                name,
                gradient!,
                expectedBackward));
        }

        return diagnostics;
    }

    /// <summary>Whether the method and its members are all there and all match.</summary>
    public static bool IsComplete(IMethodSymbol method) => Check(method).Count == 0;

    /// <summary>
    /// Finds the static method <paramref name="memberName"/> beside <paramref name="method"/>, at least as accessible, on
    /// which <paramref name="mismatch"/> finds nothing to say; reports why none fits. Returns the one found, if any.
    /// </summary>
    private static IMethodSymbol? CheckMember(
        IMethodSymbol method,
        string memberName,
        string expected,
        Location at,
        System.Action<Location, string, string> report,
        System.Func<IMethodSymbol, string?> mismatch)
    {
        var candidates = method.ContainingType.GetMembers(memberName).OfType<IMethodSymbol>().ToList();
        if (candidates.Count == 0)
        {
            report(at, $"its type has no method '{memberName}'", expected);
            return null;
        }

        string? firstProblem = null;
        IMethodSymbol? first = null;
        foreach (var candidate in candidates)
        {
            var problem = !candidate.IsStatic ? "it is not static"
                : candidate.IsGenericMethod ? "it is generic"
                : candidate.DeclaredAccessibility < method.DeclaredAccessibility ? $"it is less accessible than '{method.Name}'"
                : mismatch(candidate);
            if (problem is null)
            {
                return candidate;
            }

            if (first is null)
            {
                (first, firstProblem) = (candidate, problem);
            }
        }

        report(LocationOf(first!, at), $"'{Declared(first!)}' does not fit: {firstProblem}", expected);
        return null;
    }

    /// <summary>Whether a forward's result is the pair (result, cache).</summary>
    private static bool IsPairOf(ITypeSymbol returned, ITypeSymbol result, INamedTypeSymbol? cache) =>
        returned is INamedTypeSymbol { IsTupleType: true, TupleElements.Length: 2 } tuple
        && SymbolEqualityComparer.Default.Equals(tuple.TupleElements[0].Type, result)
        && (cache is null || SymbolEqualityComparer.Default.Equals(tuple.TupleElements[1].Type, cache));
}
