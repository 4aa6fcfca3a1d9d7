namespace BackpropGen.CodeFixes;

/// <summary>The ids the fixes handle, read from the analyzer's descriptors so that they cannot drift apart.</summary>
internal static class DiagnosticIds
{
    public static readonly string ContainingTypeNotPartial = Generator.Diagnostics.DiagnosticDescriptors.ContainingTypeNotPartial.Id;
    public static readonly string StepCombinesOperations = Generator.Diagnostics.DiagnosticDescriptors.StepCombinesOperations.Id;
    public static readonly string CustomDerivativeMember = Generator.Diagnostics.DiagnosticDescriptors.CustomDerivativeMember.Id;
}
