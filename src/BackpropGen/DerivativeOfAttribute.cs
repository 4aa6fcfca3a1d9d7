using System;

namespace BackpropGen;

/// <summary>
/// Marks a static method <c>EBackward(R dout, P1 p1, …, Pk pk)</c> as the backward of the method <c>E(P1, …, Pk)</c> of
/// <see cref="Type"/> (another library's, which cannot be annotated): a <see cref="DifferentiableAttribute">[Differentiable]</see>
/// method that calls <c>E</c> keeps <c>E</c>'s arguments and calls <c>EBackward</c> with the gradient of <c>E</c>'s result
/// and those arguments. It returns the gradient of each <c>Tensor</c> or <c>double</c> parameter of <c>E</c> whose
/// parameter of <c>EBackward</c> is not marked <see cref="NoGradAttribute">[NoGrad]</see>: one, or a tuple of them in
/// parameter order. Overloads of <c>E</c> are told apart by <c>EBackward</c>'s parameter types.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DerivativeOfAttribute : Attribute
{
    /// <summary>The derivative of <paramref name="type"/>'s method <paramref name="method"/> (written <c>nameof(T.E)</c>).</summary>
    public DerivativeOfAttribute(Type type, string method)
    {
        Type = type;
        Method = method;
    }

    /// <summary>The type that declares the method.</summary>
    public Type Type { get; }

    /// <summary>The method's name.</summary>
    public string Method { get; }
}
