using Microsoft.CodeAnalysis;

namespace BackpropGen.Generator.Diagnostics;

/// <summary>
/// Every diagnostic BackpropGen reports; each id is documented in docs/diagnostics.md with a bad and a fixed example,
/// which its description names.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "BackpropGen";

    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Error(
        "BPG0001",
        "Containing type must be partial",
        "Type '{0}' must be declared 'partial' so that BackpropGen can add the cache and backward of '{1}' to it");

    public static readonly DiagnosticDescriptor MethodNotStatic = Error(
        "BPG0002",
        "Differentiable method must be static",
        "[Differentiable] method '{0}' must be static: its forward and backward are static functions of their arguments");

    public static readonly DiagnosticDescriptor MethodIsGeneric = Error(
        "BPG0003",
        "Differentiable method must not be generic",
        "[Differentiable] method '{0}' must not be generic or be declared in a generic type: write it for Tensor and double");

    public static readonly DiagnosticDescriptor MethodIsAsync = Error(
        "BPG0004",
        "Differentiable method must not be async or an iterator",
        "[Differentiable] method '{0}' must not be async or an iterator: write it as straight-line steps that return one value");

    public static readonly DiagnosticDescriptor ReturnTypeNotDifferentiable = Error(
        "BPG0005",
        "Differentiable method must return Tensor or double",
        "[Differentiable] method '{0}' returns '{1}': it must return a Tensor or a double, the value whose gradient the backward receives");

    public static readonly DiagnosticDescriptor RefParameter = Error(
        "BPG0006",
        "Parameter must be passed by value",
        "Parameter '{0}' is '{1}': a [Differentiable] method takes its inputs by value and returns its one output");

    public static readonly DiagnosticDescriptor UnsupportedStatement = Error(
        "BPG0007",
        "Statement is not a step",
        "A '{0}' is not supported in a [Differentiable] method; {1}");

    public static readonly DiagnosticDescriptor Reassignment = Error(
        "BPG0008",
        "Assignment inside an expression",
        "'{0}' assigns to '{1}' {2}; write the assignment as a statement of its own with =, +=, -=, *=, /=, ++ or --, so that the new value is a version of '{1}' that later code reads");

    public static readonly DiagnosticDescriptor NotDifferentiable = Error(
        "BPG0009",
        "Expression is not differentiable",
        "'{0}' is not differentiable: {1}");

    public static readonly DiagnosticDescriptor GeneratedNameClash = Error(
        "BPG0010",
        "Generated member name is already taken",
        "BackpropGen would generate '{0}' for '{1}', but type '{2}' already has a member of that name (an overload or a member of your own): rename one of them");

    public static readonly DiagnosticDescriptor MissingReturn = Error(
        "BPG0011",
        "Differentiable method must end in one return",
        "[Differentiable] method '{0}' must end with one 'return' of its result and have no other return");

    public static readonly DiagnosticDescriptor NoDifferentiableParameter = Error(
        "BPG0012",
        "Differentiable method has nothing to differentiate",
        "[Differentiable] method '{0}' has no Tensor or double parameter without [NoGrad]: there is no gradient to compute");

    public static readonly DiagnosticDescriptor StepTooDeep = Error(
        "BPG0014",
        "Expression is nested too deeply",
        "This expression nests {0} levels deep, more than the {1} a step may have: split it into steps of one operation each");

    public static readonly DiagnosticDescriptor RecursiveCall = Error(
        "BPG0015",
        "Differentiable method calls itself",
        "'{0}' calls '{1}', which leads back to '{0}' ({2}): a [Differentiable] method cannot call itself, directly or through other methods, since each call keeps the callee's cache in the caller's; write the repeated work as steps, or call a method that does not lead back");

    public static readonly DiagnosticDescriptor CalleeHasNoCode = Error(
        "BPG0016",
        "Called method gets no generated code",
        "'{0}' calls '{1}', which gets no generated forward and backward because of its own errors (reported at '{1}'): fix '{1}' first, and '{0}' is generated with it");

    public static readonly DiagnosticDescriptor FileLocalType = Error(
        "BPG0017",
        "Containing type must not be file-local",
        "Type '{0}' is file-local: the forward and backward of '{1}' are generated in another file, and every part of a file-local type must be in one file; declare the type 'internal' instead");

    public static readonly DiagnosticDescriptor CustomDerivativeMember = HandWrittenError(
        "BPG0018",
        "Custom derivative member is missing or does not match",
        "[CustomDerivative] method '{0}': {1}; declare '{2}'");

    public static readonly DiagnosticDescriptor DerivativeOfTargetNotFound = HandWrittenError(
        "BPG0019",
        "DerivativeOf names no method",
        "[DerivativeOf] on '{0}' names '{1}', {2}; name a static method with nameof ('{3}' is the method '{0}' is the backward of)");

    public static readonly DiagnosticDescriptor DerivativeOfParametersMismatch = HandWrittenError(
        "BPG0020",
        "DerivativeOf parameters match no overload",
        "'{0}' is [DerivativeOf] '{1}', but {2}; a backward takes the gradient of the result, then the method's parameters: declare '{3}'");

    public static readonly DiagnosticDescriptor CustomGradientTypesMismatch = HandWrittenError(
        "BPG0021",
        "Custom derivative's gradient types do not match the parameters",
        "'{0}' returns '{1}', but the gradients of the differentiable parameters of '{2}' are '{3}', one per Tensor or double parameter without [NoGrad], in order: declare '{4}'");

    public static readonly DiagnosticDescriptor CheckpointNotDifferentiable = Error(
        "BPG0022",
        "Checkpoint on a method that is not differentiable",
        "[Checkpoint] on '{0}', which is not [Differentiable]: a checkpoint re-runs the generated forward of a [Differentiable] method in its callers' backward; mark it '[Differentiable, Checkpoint]', or remove [Checkpoint]",
        cost: string.Empty);

    public static readonly DiagnosticDescriptor SecondDerivativeOf = Error(
        "BPG0023",
        "Second DerivativeOf backward of one method",
        "'{0}' is a second [DerivativeOf] backward of '{1}', whose backward is already '{2}' (declared first, and the one its calls use); remove one of them",
        CallersUseTheFirst);

    /// <summary>
    /// Reported by the generator itself, not the analyzer: an exception of its own while generating one method. The
    /// other methods are generated as usual.
    /// </summary>
    public static readonly DiagnosticDescriptor GeneratorFailure = Error(
        "BPG0099",
        "BackpropGen failed on a method",
        "BackpropGen failed while generating the code of '{0}' and generated nothing for it ({1}); the other methods are generated as usual; please report this with the method's code");

    /// <summary>
    /// Not an error (SPEC §1 allows a step to combine operations): a hidden diagnostic, so that the IDE offers the fix
    /// that splits the step into single-operation steps, and a build never shows it.
    /// </summary>
    public static readonly DiagnosticDescriptor StepCombinesOperations = new(
        "BPG0013",
        "Step combines several operations",
        "Step '{0}' combines {1} differentiable operations; it can be split into steps of one operation each, so that each gets its own block in the backward",
        Category,
        DiagnosticSeverity.Hidden,
        isEnabledByDefault: true,
        description: WhereDocumented("BPG0013"));

    /// <summary>Every descriptor, for the analyzer's SupportedDiagnostics.</summary>
    public static readonly System.Collections.Immutable.ImmutableArray<DiagnosticDescriptor> All = System.Collections.Immutable.ImmutableArray.Create(
        ContainingTypeNotPartial,
        MethodNotStatic,
        MethodIsGeneric,
        MethodIsAsync,
        ReturnTypeNotDifferentiable,
        RefParameter,
        UnsupportedStatement,
        Reassignment,
        NotDifferentiable,
        GeneratedNameClash,
        MissingReturn,
        NoDifferentiableParameter,
        StepCombinesOperations,
        StepTooDeep,
        RecursiveCall,
        CalleeHasNoCode,
        FileLocalType,
        CustomDerivativeMember,
        DerivativeOfTargetNotFound,
        DerivativeOfParametersMismatch,
        CustomGradientTypesMismatch,
        CheckpointNotDifferentiable,
        SecondDerivativeOf,
        GeneratorFailure);

    /// <summary>
    /// Where a diagnostic is explained, as its description says it. There is no help link: BackpropGen has no published
    /// home to link to, and a link to a host that does not exist is worse than none. The section is
    /// <c>docs/diagnostics.md#bpg0001</c> (its heading, <c>## BPG0001</c>), in the repository and in the package.
    /// </summary>
    private static string WhereDocumented(string id) =>
        $"{id} is explained, with a bad and a fixed example, in docs/diagnostics.md#{id.ToLowerInvariant()} of the BackpropGen repository (the NuGet package holds the file too).";

    /// <summary>
    /// Every error says what it costs: the compiler's follow-on errors at the calls of the generated members (CS0117,
    /// CS8130) print before it, and the cause is then found in one read.
    /// </summary>
    private const string NoCodeUntilFixed = " (until this is fixed, BackpropGen generates no Cache, Forward or Backward for the method, so calls of them do not compile)";

    private static DiagnosticDescriptor Error(string id, string title, string message, string cost = NoCodeUntilFixed) =>
        new(id, title, message + cost, Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: WhereDocumented(id));

    /// <summary>A hand-written derivative's error costs its callers' code, not its own (it has none generated).</summary>
    private const string CallersGetNoCode = " (until this is fixed, the [Differentiable] methods that call it get no generated code)";

    /// <summary>A second backward changes nothing until it is removed: the calls keep using the first.</summary>
    private const string CallersUseTheFirst = " (until this is fixed, the calls use the first)";

    private static DiagnosticDescriptor HandWrittenError(string id, string title, string message) => Error(id, title, message, CallersGetNoCode);
}
