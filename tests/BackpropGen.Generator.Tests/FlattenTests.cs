using BackpropGen.Generator.Lower;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace BackpropGen.Generator.Tests;

/// <summary>How a step's code is put on one line for its quote and its replay (most steps are flat already).</summary>
public class FlattenTests
{
    [Theory]
    [InlineData("x * y", "x * y")]
    [InlineData("x*y", "x*y")]
    [InlineData("a / b", "a / b")]
    [InlineData("x  *   y", "x * y")]
    [InlineData("x\t*\ty", "x * y")]
    [InlineData("x\n    * y", "x * y")]
    [InlineData("x /* scale */ * y", "x * y")]
    [InlineData("x // scale\n    * y", "x * y")]
    [InlineData("x\u00A0* y", "x * y")]
    [InlineData("F(\"a  b\", x)", "F(\"a  b\", x)")]
    [InlineData("F(\"a // b\", x)", "F(\"a // b\", x)")]
    [InlineData("@var + 1", "@var + 1")]
    public void Code_is_flattened_to_single_spaces_between_tokens(string code, string flattened) =>
        Assert.Equal(flattened, SyntaxText.Flatten(SyntaxFactory.ParseExpression(code)));

    [Theory]
    [InlineData("@var + 1", "var + 1")]
    [InlineData("@var  +  1", "var + 1")]
    [InlineData("x * y", "x * y")]
    public void A_quote_names_escaped_identifiers_as_a_reader_says_them(string code, string quoted) =>
        Assert.Equal(quoted, SyntaxText.Flatten(SyntaxFactory.ParseExpression(code), asQuote: true));
}
