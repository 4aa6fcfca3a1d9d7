using System.Collections.Generic;
using System.Linq;
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

    /// <summary>
    /// Whether a local reuses the name of a parameter, or of another local whose scope holds it or is held by it, which
    /// does not compile. Locals of one name in scopes side by side (the counters of two loops, a temporary in each arm of
    /// a branch) are valid C#.
    /// </summary>
    public bool RedeclaresAName { get; private set; }

    /// <summary>The scopes of the locals declared so far, by name.</summary>
    private readonly Dictionary<string, List<SyntaxNode>> _scopes = new();

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
                    scan.Declare(declarator.Identifier.ValueText, ScopeOf(declarator), parameters);
                    break;
                case ForEachStatementSyntax loop:
                    scan.Declare(loop.Identifier.ValueText, loop, parameters);
                    break;
                case SingleVariableDesignationSyntax designation:
                    scan.Declare(designation.Identifier.ValueText, ScopeOf(designation), parameters);
                    break;
            }

            if (depth > MethodDiscovery.MaxExpressionDepth)
            {
                scan.TooDeep.Add(node);
            }
        }

        return scan;
    }

    private void Declare(string name, SyntaxNode scope, HashSet<string> parameters)
    {
        DeclaredNames.Add(name);
        if (!_scopes.TryGetValue(name, out var scopes))
        {
            _scopes[name] = scopes = new List<SyntaxNode>();
        }

        if (parameters.Contains(name) || scopes.Any(other => other.Contains(scope) || scope.Contains(other)))
        {
            RedeclaresAName = true;
        }

        scopes.Add(scope);
    }

    /// <summary>
    /// The node a local is in scope throughout: the nearest block, loop or lambda around its declaration. A pattern's
    /// variable in an <c>if</c>'s condition is in scope after the <c>if</c> too, so a block is taken for it rather than
    /// the statement: a scope too wide at worst treats valid code as invalid, which then gets no code.
    /// </summary>
    private static SyntaxNode ScopeOf(SyntaxNode declaration)
    {
        for (var node = declaration.Parent; node is not null; node = node.Parent)
        {
            if (node is BlockSyntax or ForStatementSyntax or ForEachStatementSyntax or AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax
                or SwitchSectionSyntax or CatchClauseSyntax or UsingStatementSyntax or FixedStatementSyntax or ArrowExpressionClauseSyntax
                || (node is WhileStatementSyntax or DoStatementSyntax && declaration is SingleVariableDesignationSyntax))
            {
                return node;
            }
        }

        return declaration;
    }
}
