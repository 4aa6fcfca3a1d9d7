using System.Collections.Generic;
using System.Linq;
using BackpropGen.Generator.Common;
using BackpropGen.Generator.Differentiate;

namespace BackpropGen.Generator.Plan;

/// <summary>
/// One value kept from the forward pass: the record property <paramref name="PropertyName"/>, unfolded in the backward
/// into the local <paramref name="LocalName"/>, filled in the forward by <paramref name="ForwardExpression"/>.
/// </summary>
internal sealed record CacheField(string PropertyName, string LocalName, string TypeName, string ForwardExpression);

/// <summary>
/// The cache of a differentiated method: exactly the forward values the backward reads. A tensor whose shape alone is
/// read is kept as its shape; <see cref="ShapeLocals"/> maps such a tensor to the local holding its shape.
/// </summary>
internal sealed record CachePlan(
    BackwardProgram Program,
    EquatableArray<CacheField> Fields,
    EquatableArray<string> CachedValues,
    EquatableArray<ShapeLocal> ShapeLocals)
{
    /// <summary>The names a generated backward already uses, the cache's unfolded locals included.</summary>
    public List<string> NamesInUse()
    {
        var names = Program.NamesInUse();
        foreach (var field in Fields)
        {
            names.Add(field.LocalName);
        }

        return names;
    }
}

internal sealed record ShapeLocal(string ValueName, string LocalName);
