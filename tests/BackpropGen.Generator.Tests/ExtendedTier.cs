using System;
using Xunit;

namespace BackpropGen.Generator.Tests;

/// <summary>
/// The extended tier: the tests that cost the most for what they add to every run of the suite — the random programs
/// past the first batches of each kind, the largest robustness cases — run when <see cref="Variable"/> is <c>1</c>, as in
/// CI's step after the suite (<c>--filter "Category=Fuzz|Category=Extended"</c>); elsewhere they are reported skipped,
/// with the command that runs them. Each such test also carries <c>[Trait("Category", "Extended")]</c>.
/// </summary>
internal static class ExtendedTier
{
    public const string Variable = "BACKPROPGEN_EXTENDED_TESTS";

    public const string Category = "Extended";

    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>Why a test of the tier is skipped here, or null when the tier runs.</summary>
    public static string? SkipUnlessEnabled => Enabled ? null :
        "in the extended tier: " + Variable + "=1 dotnet test tests/BackpropGen.Generator.Tests -c Release --filter Category=Extended";
}

/// <summary>A fact of the <see cref="ExtendedTier"/>: skipped unless the tier is enabled.</summary>
public sealed class ExtendedFactAttribute : FactAttribute
{
    public ExtendedFactAttribute() => Skip = ExtendedTier.SkipUnlessEnabled;
}

/// <summary>A theory of the <see cref="ExtendedTier"/>: skipped unless the tier is enabled.</summary>
public sealed class ExtendedTheoryAttribute : TheoryAttribute
{
    public ExtendedTheoryAttribute() => Skip = ExtendedTier.SkipUnlessEnabled;
}
