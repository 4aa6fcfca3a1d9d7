using BackpropGen.Generator.Common;
using BackpropGen.Generator.Ops;
using Microsoft.CodeAnalysis;

namespace BackpropGen.Generator.Lower;

/// <summary>Which op a bound call applies: a method of BackpropGen.Tensor or a System.Math function of doubles that <see cref="Operations"/> lists.</summary>
internal static class OperationBinding
{
    public static Op? Resolve(IMethodSymbol method)
    {
        var type = method.ContainingType;
        if (type is { Name: "Tensor", ContainingType: null } && KnownNames.IsBackpropGenNamespace(type.ContainingNamespace))
        {
            return Operations.Find(OpOwner.Tensor, method.Name, method.Parameters.Length);
        }

        if (type is { Name: "Math", ContainingType: null, ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } }
            && method.ReturnType.SpecialType == SpecialType.System_Double)
        {
            return Operations.Find(OpOwner.Math, method.Name, method.Parameters.Length);
        }

        return null;
    }
}
