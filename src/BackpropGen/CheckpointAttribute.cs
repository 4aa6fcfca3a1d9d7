using System;

namespace BackpropGen;

/// <summary>
/// Marks a <see cref="DifferentiableAttribute">[Differentiable]</see> method whose callers do not keep its cache: a
/// caller's forward calls the method itself and keeps only its arguments, and the caller's backward runs the method's
/// forward again on them before its backward (the memory-for-time trade of <c>jax.checkpoint</c>). Worth it for a method
/// whose cache is large beside its inputs, called many times, as a layer in a loop is.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CheckpointAttribute : Attribute
{
}
