using Microsoft.CodeAnalysis;

namespace BackpropGen.Generator.Lower;

/// <summary>Which runtime methods are differentiable operations: the BackpropGen.Tensor ops and the listed System.Math functions.</summary>
internal static class OpTable
{
    public static OpKind? Resolve(IMethodSymbol method)
    {
        var type = method.ContainingType;
        var arity = method.Parameters.Length;
        if (type is { Name: "Tensor", ContainingType: null } && ValueKinds.IsBackpropGenNamespace(type.ContainingNamespace))
        {
            return method.Name switch
            {
                "Sum" => arity == 1 ? OpKind.SumAll : OpKind.Sum,
                "Mean" => arity == 1 ? OpKind.MeanAll : OpKind.Mean,
                "Max" when arity > 1 => OpKind.Max,
                "Sqrt" => OpKind.Sqrt,
                "Exp" => OpKind.Exp,
                "Log" => OpKind.Log,
                "Tanh" => OpKind.Tanh,
                "Sigmoid" => OpKind.Sigmoid,
                "Abs" => OpKind.Abs,
                "Square" => OpKind.Square,
                "Pow" => OpKind.Pow,
                "Maximum" => OpKind.Maximum,
                "Minimum" => OpKind.Minimum,
                "Relu" => OpKind.Relu,
                "Dot" => OpKind.Dot,
                "Transpose" => OpKind.Transpose,
                "Reshape" => OpKind.Reshape,
                "Pick" => OpKind.Pick,
                _ => null,
            };
        }

        if (type is { Name: "Math", ContainingType: null, ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } }
            && method.ReturnType.SpecialType == SpecialType.System_Double)
        {
            return method.Name switch
            {
                "Sqrt" => OpKind.Sqrt,
                "Exp" => OpKind.Exp,
                "Log" when arity == 1 => OpKind.Log,
                "Sin" => OpKind.Sin,
                "Cos" => OpKind.Cos,
                "Tanh" => OpKind.Tanh,
                "Pow" => OpKind.Pow,
                "Abs" => OpKind.Abs,
                _ => null,
            };
        }

        return null;
    }
}
