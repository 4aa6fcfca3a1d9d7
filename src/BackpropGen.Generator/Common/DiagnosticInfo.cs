using System.Linq;
using Microsoft.CodeAnalysis;

namespace BackpropGen.Generator.Common;

/// <summary>A diagnostic as plain values, turned into a <see cref="Diagnostic"/> only when it is reported.</summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> MessageArgs)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, SyntaxNode node, params string[] messageArgs) =>
        new(descriptor, LocationInfo.From(node), messageArgs.ToEquatableArray());

    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location location, params string[] messageArgs) =>
        new(descriptor, LocationInfo.From(location), messageArgs.ToEquatableArray());

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Descriptor, Location?.ToLocation(), MessageArgs.Select(arg => (object?)arg).ToArray());
}
