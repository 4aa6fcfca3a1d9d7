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
    /// <summary>The tapes of a backward with loops and branches: the cache holds them, after the values.</summary>
    public EquatableArray<TapeField> Tapes { get; init; } = EquatableArray<TapeField>.Empty;

    /// <summary>
    /// The locals of arms outside every loop that the backward reads: recorded at most once a call, each is kept in a
    /// cache field of its own (one of <see cref="Fields"/>) rather than on a tape.
    /// </summary>
    public EquatableArray<KeptValue> Kept { get; init; } = EquatableArray<KeptValue>.Empty;

    /// <summary>The tape that records the values of <paramref name="variable"/>, of type <paramref name="typeName"/>.</summary>
    public TapeField ValueTape(string variable, string typeName) => Tapes.First(t => t.Kind == TapeKind.Value && t.Key == variable && t.ElementType == typeName);

    /// <summary>Where the value of <paramref name="variable"/>, of type <paramref name="typeName"/>, at the end of its arm is kept, if it is kept rather than taped.</summary>
    public KeptValue? KeptValueOf(string variable, string typeName) => Kept.FirstOrDefault(k => k.Name == variable && k.TypeName == typeName);

    /// <summary>The tape of loop <paramref name="loop"/>'s trip counts.</summary>
    public TapeField TripTape(int loop) => Tapes.First(t => t.Kind == TapeKind.TripCount && t.Key == loop.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The tape of which arm branch <paramref name="branch"/> took.</summary>
    public TapeField BranchTape(int branch) => Tapes.First(t => t.Kind == TapeKind.Branch && t.Key == branch.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The names a generated backward already uses, the cache's unfolded locals included.</summary>
    public List<string> NamesInUse()
    {
        var names = Program.NamesInUse();
        foreach (var field in Fields)
        {
            names.Add(field.LocalName);
        }

        foreach (var tape in Tapes)
        {
            names.Add(tape.LocalName);
        }

        return names;
    }
}

internal sealed record ShapeLocal(string ValueName, string LocalName);

/// <summary>
/// A local <paramref name="Name"/> of an arm outside every loop, kept for the backward in the forward's local
/// <paramref name="LocalName"/>, assigned at the arm's end and read back from the cache field of that name.
/// </summary>
internal sealed record KeptValue(string Name, string TypeName, string LocalName);

/// <summary>What a tape records: a variable's values, a loop's trip counts, or the arms a branch took.</summary>
internal enum TapeKind
{
    Value,
    TripCount,
    Branch,
}

/// <summary>
/// A tape of the cache: the record property <paramref name="PropertyName"/> of type <c>Tape&lt;ElementType&gt;</c>, the
/// local <paramref name="LocalName"/> that the forward fills and the backward reads back. <paramref name="Key"/> is the
/// variable's name, or the loop's or the branch's number.
/// </summary>
internal sealed record TapeField(TapeKind Kind, string Key, string ElementType, string PropertyName, string LocalName);
