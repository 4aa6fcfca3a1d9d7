using BackpropGen.Generator.Differentiate;
using Xunit;

namespace BackpropGen.Generator.Tests;

public class ReadmeTests
{
    [Fact]
    public void Every_operation_has_a_derivative_rule()
    {
        foreach (var op in System.Enum.GetValues<BackpropGen.Generator.Lower.OpKind>())
        {
            Assert.True(DerivativeRules.Table.ContainsKey(op), $"no derivative rule for {op}");
        }
    }

    [Fact]
    public void Readme_op_table_lists_every_derivative_rule_as_the_code_has_it()
    {
        var readme = RepositoryFiles.Read("README.md");
        foreach (var (op, rule) in DerivativeRules.Table)
        {
            Assert.True(readme.Contains("| " + rule.Derivative + " |"), $"README.md's op table lacks {op}: {rule.Derivative}");
        }
    }
}
