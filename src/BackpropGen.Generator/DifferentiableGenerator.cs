using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Diagnostics;
using BackpropGen.Generator.Differentiate;
using BackpropGen.Generator.Discover;
using BackpropGen.Generator.Emit;
using BackpropGen.Generator.Fuse;
using BackpropGen.Generator.Link;
using BackpropGen.Generator.Plan;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BackpropGen.Generator;

/// <summary>
/// The pipeline, one stage per folder: discover <c>[Differentiable]</c> methods and lower their bodies to the step IR,
/// link them (which methods get code, given the calls between them), differentiate with the op specification, plan the
/// cache, fuse the backward into passes over the rows, emit the source. Why a method gets no code is reported by the
/// <see cref="Analyze.DifferentiableAnalyzer"/>, from the same discovery, lowering and linking; the generator reports
/// only its own failures (BPG0099), each costing one method.
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
        public const string Fused = nameof(Fused);
        public const string Linked = nameof(Linked);
    }

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var lowered = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.DifferentiableAttribute,
                static (node, _) => node is MethodDeclarationSyntax,
                static (target, cancellationToken) => FrontEnd.Run(target, cancellationToken))
            .WithTrackingName(TrackingNames.Lowered);

        // Which methods get code is a question of the whole compilation: a method whose callee gets none, or that
        // calls itself through others, gets none either. The answer is a value-equal list, so a method whose own
        // model and answer did not change stays cached below.
        var linked = lowered
            .Select(static (result, _) => result.Link)
            .Collect()
            .Select(static (links, _) => new CallGraph(links.Where(static link => link is not null).Select(static link => link!)).Linked())
            .WithTrackingName(TrackingNames.Linked);

        // A method with errors gets no code; why is reported by DifferentiableAnalyzer, which runs the same discovery.
        var plans = lowered
            .Where(static result => result.Method is not null)
            .Select(static (result, _) => result.Method!)
            .Combine(linked)
            .Select(static (pair, _) => CallGraph.Link(pair.Left, pair.Right))
            .Where(static method => method is not null)
            .Select(static (method, _) => method!)
            .WithTrackingName(TrackingNames.Methods)
            .Select(static (method, _) => Staged.Run(method.Key, method, Differentiation.Of))
            .WithTrackingName(TrackingNames.Differentiated)
            .Select(static (program, _) => program.Then(PlannedMethod.Of))
            .WithTrackingName(TrackingNames.Planned)
            .Select(static (planned, _) => planned.Then(LoopPlanner.Fuse))
            .WithTrackingName(TrackingNames.Fused);

        context.RegisterSourceOutput(
            lowered.Where(static result => result.Failure is not null),
            static (output, result) => ReportFailure(output, result.Link!.Key, result.Failure!));

        context.RegisterSourceOutput(plans, static (output, planned) =>
        {
            var failure = planned.Failure;
            if (planned.Value is { } plan)
            {
                var emitted = Staged.Run(planned.Method, plan, SourceEmitter.Emit);
                if (emitted.Value is { } text)
                {
                    output.AddSource(plan.Cache.Program.Method.HintName, text);
                    return;
                }

                failure = emitted.Failure;
            }

            ReportFailure(output, planned.Method, failure!);
        });
    }

    private static void ReportFailure(SourceProductionContext output, string key, string failure)
    {
        // The documentation id without its kind prefix: Layers.BatchNorm(BackpropGen.Tensor,…).
        var name = key.StartsWith("M:", System.StringComparison.Ordinal) ? key.Substring(2) : key;
        output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GeneratorFailure, Location.None, name, failure));
    }
}
