using System;

namespace BackpropGen;

/// <summary>
/// Marks a static method <c>M</c> whose derivative its author writes by hand: beside it, in the shapes the generator
/// gives a <see cref="DifferentiableAttribute">[Differentiable]</see> method, a record <c>MCache</c>, a method
/// <c>static (R Out, MCache Cache) MForward(P1 p1, …)</c> and a method <c>static G MBackward(R dout, MCache cache)</c>,
/// <c>G</c> the gradient of the one <c>Tensor</c> or <c>double</c> parameter not marked <see cref="NoGradAttribute">[NoGrad]</see>,
/// or a tuple of them in parameter order. A <c>[Differentiable]</c> method that calls <c>M</c> runs <c>MForward</c>,
/// keeps the cache and calls <c>MBackward</c>, as it does with a generated backward. Nothing is generated for <c>M</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CustomDerivativeAttribute : Attribute
{
}
