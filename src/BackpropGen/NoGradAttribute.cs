using System;

namespace BackpropGen;

/// <summary>
/// Marks a <see cref="Tensor"/> or <see cref="double"/> parameter of a <see cref="DifferentiableAttribute">[Differentiable]</see>
/// method as a constant: the generated backward computes no gradient for it (an <c>eps</c>, a fixed mask).
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class NoGradAttribute : Attribute
{
}
