using System.Linq;
using System.Threading;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Discover;
using BackpropGen.Generator.Lower;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BackpropGen.Generator;

/// <summary>
/// The first two stages, run in order on one method: discovery checks it and finds its body, lowering turns the body
/// into the step IR. The generator and the analyzer both run this, so that what the analyzer reports is exactly why the
/// generator emits nothing.
/// </summary>
internal static class FrontEnd
{
    /// <summary>The method the generator's attribute provider found.</summary>
    public static LoweringResult Run(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetNode is not MethodDeclarationSyntax syntax || context.TargetSymbol is not IMethodSymbol method)
        {
            return new LoweringResult(null, EquatableArray<DiagnosticInfo>.Empty);
        }

        try
        {
            return Run(MethodDiscovery.WithoutNullableAnalysis(context.SemanticModel, syntax.SyntaxTree), syntax, method, cancellationToken);
        }
        catch (System.Exception exception) when (exception is not System.OperationCanceledException)
        {
            // An exception here would fail the generator run and drop every method's code (CS8785); it costs this
            // method only, and the generator reports it (BPG0099). Its callers get no code either.
            return WithoutCode(MethodIdentity.Of(method), EquatableArray<DiagnosticInfo>.Empty, EquatableArray<CallSite>.Empty) with
            {
                Failure = exception.GetType().Name + ": " + exception.Message,
            };
        }
    }

    /// <summary>Checks and lowers one method.</summary>
    public static LoweringResult Run(SemanticModel model, MethodDeclarationSyntax syntax, IMethodSymbol method, CancellationToken cancellationToken) =>
        Lower(MethodDiscovery.Discover(model, syntax, method, cancellationToken), cancellationToken);

    /// <summary>
    /// Checks and lowers the <c>[Differentiable]</c> method of this compilation with documentation id
    /// <paramref name="key"/>, as a callee; null when it is another assembly's (generated with it) or not differentiable.
    /// </summary>
    public static LoweringResult? RunCallee(Compilation compilation, string key, CancellationToken cancellationToken) =>
        MethodDiscovery.DiscoverCallee(compilation, key, cancellationToken) is { } callee ? Lower(callee, cancellationToken) : null;

    private static LoweringResult Lower(DiscoveredMethod method, CancellationToken cancellationToken)
    {
        if (!method.CanLower)
        {
            return WithoutCode(method.Identity, method.Diagnostics, EquatableArray<CallSite>.Empty);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var body = BodyLowerer.Lower(method, cancellationToken);
        if (method.Diagnostics.Count > 0)
        {
            // A signature's errors (not static, not partial, a name taken) and the body's are reported together, not the
            // body's only once the signature is fixed.
            return WithoutCode(method.Identity, method.Diagnostics.Concat(body.Diagnostics).ToEquatableArray(), body.Calls);
        }

        if (body.Method is not null && method.HasCompileErrors)
        {
            // Code that does not compile can bind in surprising ways (`var y = a async b;` declares a local 'b' that
            // shadows a parameter); its diagnostics are still useful while typing, but no code is generated for it:
            // it could not compile either, and would only add errors to the user's own.
            return WithoutCode(method.Identity, body.Diagnostics, body.Calls);
        }

        return new LoweringResult(body.Method, body.Diagnostics, LinkOf(method.Identity, body.Method is not null, body.Calls), body.Calls);
    }

    /// <summary>A method that gets no code: still a node of the call graph, so that its callers get none either.</summary>
    private static LoweringResult WithoutCode(MethodIdentity identity, EquatableArray<DiagnosticInfo> diagnostics, EquatableArray<CallSite> calls) =>
        new(null, diagnostics, LinkOf(identity, lowered: false, calls), calls);

    /// <summary>
    /// A method as the call graph sees it. Its callees are those it calls whether or not it lowered, so that a cycle
    /// through a method with errors is still seen as one.
    /// </summary>
    private static MethodLink LinkOf(MethodIdentity identity, bool lowered, EquatableArray<CallSite> calls) => new(
        identity.Key,
        identity.Name,
        identity.HintName,
        lowered,
        calls.Count == 0 ? EquatableArray<string>.Empty : calls.Select(c => c.CalleeKey).Distinct().ToEquatableArray());
}
