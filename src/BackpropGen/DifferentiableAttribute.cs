using System;

namespace BackpropGen;

/// <summary>
/// Marks a static method of a partial type as a forward pass to differentiate. On build, the BackpropGen source
/// generator adds a cache record <c>MCache</c>, a <c>MForward</c> method that also returns the cache, and an
/// <c>MBackward</c> method that applies the chain rule to the method's steps in reverse order.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DifferentiableAttribute : Attribute
{
}
