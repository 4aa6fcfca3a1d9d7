using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BackpropGen.Generator.Discover;

/// <summary>
/// What the checks and the lowering need to know of a method's syntax as a whole, found in one walk of it: whether it
/// yields, the names it declares (and whether it declares one twice, or reuses a parameter's), and the expressions of its
/// body that nest deeper than <see cref="MethodDiscovery.MaxExpressionDepth"/>.
/// </summary>
internal sealed class MethodScan
{
    private MethodScan()
    {
    }

    public bool HasYield { get; private set; }

    /// <summary>The names of the locals the method declares anywhere (in lambdas and patterns too).</summary>
    public HashSet<string> DeclaredNames { get; } = new();

    /// <summary>Whether a local reuses the name of a parameter or of another local, which does not compile.</summary>
    public bool RedeclaresAName { get; private set; }

    /// <summary>The depth of the nodes outside the body (parameters, attributes): never deep enough to be reported.</summary>
    private const int OutsideBody = int.MinValue / 2;

    /// <summary>The body's nodes nested deeper than the limit.</summary>
    public List<SyntaxNode> TooDeep { get; } = new();

    /// <summary>How many syntax nodes the method has (which sizes the lowering's map of their operations).</summary>
    public int NodeCount { get; private set; }

    /// <summary>Walks the method once, without recursing (a deep expression must not overflow the stack).</summary>
    public static MethodScan Of(MethodDeclarationSyntax syntax, CancellationToken cancellationToken)
    {
        var scan = new MethodScan();
        var parameters = new HashSet<string>();
        foreach (var parameter in syntax.ParameterList.Parameters)
        {
            parameters.Add(parameter.Identifier.ValueText);
        }

        var body = (SyntaxNode?)syntax.Body ?? syntax.ExpressionBody;

        // A node's depth counts the expressions from the body down to it, itself included; outside the body it is
        // unused. The walk is in pre-order, so each node's parent is on the path of ancestors kept beside it.
        var path = new Stack<(SyntaxNode Node, int Depth)>();
        foreach (var node in syntax.DescendantNodes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            while (path.Count > 0 && path.Peek().Node != node.Parent)
            {
                path.Pop();
            }

            var parentDepth = path.Count > 0 ? path.Peek().Depth : node == body ? 0 : OutsideBody;
            var depth = node is ExpressionSyntax ? parentDepth + 1 : parentDepth;
            path.Push((node, depth));
            scan.NodeCount++;
            switch (node)
            {
                case YieldStatementSyntax:
                    scan.HasYield = true;
                    break;
                case VariableDeclaratorSyntax declarator:
                    scan.Declare(declarator.Identifier.ValueText, parameters);
                    break;
                case SingleVariableDesignationSyntax designation:
                    scan.Declare(designation.Identifier.ValueText, parameters);
                    break;
            }

            if (depth > MethodDiscovery.MaxExpressionDepth)
            {
                scan.TooDeep.Add(node);
            }
        }

        return scan;
    }

    private void Declare(string name, HashSet<string> parameters)
    {
        if (parameters.Contains(name) || !DeclaredNames.Add(name))
        {
            RedeclaresAName = true;
        }
    }
}
