namespace BackpropGen.Generator.Ir;

/// <summary>What a value is to differentiation: a tensor, a scalar, or something with no gradient (int, int[], bool, …).</summary>
internal enum ValueKind
{
    Other,
    Double,
    Tensor,
}
