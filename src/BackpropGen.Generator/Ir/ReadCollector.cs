using System.Collections.Generic;

namespace BackpropGen.Generator.Ir;

/// <summary>
/// The forward values a backward expression reads: by name and in the user's code (into <c>values</c>), and those of
/// which it reads the shape (into <c>shapes</c>, which may be the same set).
/// </summary>
internal sealed class ReadCollector : AdjVisitor
{
    private readonly HashSet<string> _values;
    private readonly HashSet<string> _shapes;

    public ReadCollector(HashSet<string> values, HashSet<string> shapes)
    {
        _values = values;
        _shapes = shapes;
    }

    protected override void VisitPrimalRef(PrimalRef node) => _values.Add(node.Name);

    protected override void VisitShapeRef(ShapeRef node) => _shapes.Add(node.Name);

    // The user's code reads what it names; its known shape is a cheaper way to the same value's shape, read only
    // where the shape itself is used.
    protected override void VisitCode(Code node) => _values.UnionWith(node.Reads);
}
