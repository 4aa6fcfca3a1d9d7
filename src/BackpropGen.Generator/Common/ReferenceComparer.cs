using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace BackpropGen.Generator.Common;

/// <summary>
/// Compares objects by identity: for dictionaries keyed by a model object that is one particular node of a plan, where
/// the record's own equality would hash the whole expression under it on every lookup.
/// </summary>
internal sealed class ReferenceComparer<T> : IEqualityComparer<T>
    where T : class
{
    public static readonly ReferenceComparer<T> Instance = new();

    private ReferenceComparer()
    {
    }

    public bool Equals(T? x, T? y) => ReferenceEquals(x, y);

    public int GetHashCode(T obj) => RuntimeHelpers.GetHashCode(obj);
}
