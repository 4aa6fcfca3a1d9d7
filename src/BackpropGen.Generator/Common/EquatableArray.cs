using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;

namespace BackpropGen.Generator.Common;

/// <summary>
/// An immutable array with value equality, so that pipeline models holding it compare by content
/// and the incremental driver can tell an unchanged model from a changed one.
/// </summary>
internal readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
    where T : IEquatable<T>
{
    public static readonly EquatableArray<T> Empty = new(ImmutableArray<T>.Empty);

    private readonly ImmutableArray<T> _items;

    public EquatableArray(ImmutableArray<T> items) => _items = items;

    public EquatableArray(IEnumerable<T> items) => _items = items.ToImmutableArray();

    private ImmutableArray<T> Items => _items.IsDefault ? ImmutableArray<T>.Empty : _items;

    public int Count => Items.Length;

    public T this[int index] => Items[index];

    public bool Equals(EquatableArray<T> other) => Items.AsSpan().SequenceEqual(other.Items.AsSpan());

    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = 17;
        foreach (var item in Items)
        {
            hash = unchecked((hash * 31) + (item?.GetHashCode() ?? 0));
        }

        return hash;
    }

    public ImmutableArray<T>.Enumerator GetEnumerator() => Items.GetEnumerator();

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => ((IEnumerable<T>)Items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable)Items).GetEnumerator();

    public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

    public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);
}

internal static class EquatableArray
{
    public static EquatableArray<T> ToEquatableArray<T>(this IEnumerable<T> items)
        where T : IEquatable<T> => new(items);

    /// <summary>
    /// The items mapped, or null when <paramref name="map"/> returns every item itself: a tree rewritten where little
    /// changes shares what did not, rather than copying it.
    /// </summary>
    public static EquatableArray<T>? MapIfChanged<T, TState>(this EquatableArray<T> items, TState state, Func<T, TState, T> map)
        where T : class, IEquatable<T>
    {
        T[]? mapped = null;
        for (var k = 0; k < items.Count; k++)
        {
            var item = map(items[k], state);
            if (mapped is null && !ReferenceEquals(item, items[k]))
            {
                mapped = new T[items.Count];
                for (var earlier = 0; earlier < k; earlier++)
                {
                    mapped[earlier] = items[earlier];
                }
            }

            if (mapped is not null)
            {
                mapped[k] = item;
            }
        }

        return mapped?.ToEquatableArray();
    }
}
