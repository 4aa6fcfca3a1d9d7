using System.Linq;
using BackpropGen.Generator.Differentiate;
using BackpropGen.Generator.Discover;
using BackpropGen.Generator.Emit;
using BackpropGen.Generator.Plan;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BackpropGen.Generator;

/// <summary>
/// The pipeline, one stage per folder: discover <c>[Differentiable]</c> methods and lower their bodies to the step IR,
/// differentiate with the rule table, plan the cache and the fused passes, emit the source. It reports no diagnostics: the
/// <see cref="Analyze.DifferentiableAnalyzer"/> does, from the same discovery and lowering.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class DifferentiableGenerator : IIncrementalGenerator
{
    /// <summary>Names of the tracked pipeline steps, for incrementality tests.</summary>
    public static class TrackingNames
    {
        public const string Lowered = nameof(Lowered);
        public const string Methods = nameof(Methods);
        public const string Differentiated = nameof(Differentiated);
        public const string Planned = nameof(Planned);
    }

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var lowered = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.DifferentiableAttribute,
                static (node, _) => node is MethodDeclarationSyntax,
                static (target, cancellationToken) => MethodDiscovery.Discover(target, cancellationToken))
            .WithTrackingName(TrackingNames.Lowered);

        // A method with errors gets no code; why is reported by DifferentiableAnalyzer, which runs the same discovery.
        var plans = lowered
            .Where(static result => result.Method is not null)
            .Select(static (result, _) => result.Method!)
            .WithTrackingName(TrackingNames.Methods)
            .Select(static (method, _) => ReverseSweep.Differentiate(method))
            .WithTrackingName(TrackingNames.Differentiated)
            .Select(static (program, _) => MethodPlanner.Plan(program))
            .WithTrackingName(TrackingNames.Planned);

        context.RegisterSourceOutput(plans, static (output, plan) => output.AddSource(plan.Cache.Program.Method.HintName, SourceEmitter.Emit(plan)));
    }
}
