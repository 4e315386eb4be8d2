using Router.Core.Text;
using Xunit;

namespace Router.Core.Tests.Text;

public class SafeTextTests
{
    [Theory]
    [InlineData("rB", "rB")]
    [InlineData("lan 10.0.0.1", "lan 10.0.0.1")]
    [InlineData("a\nforged: line", "a?forged: line")]
    [InlineData("\u001b[2Jcleared", "?[2Jcleared")]
    [InlineData("abc\u202Eevil", "abc?evil")]
    [InlineData("nul\0byte\u007f\u0085", "nul?byte??")]
    public void ControlAndFormatCharactersBecomeQuestionMarks(string input, string expected) =>
        Assert.Equal(expected, SafeText.Clean(input));

    [Fact]
    public void LongTextIsCutAndSaysByHowMuch()
    {
        var cleaned = SafeText.Clean(new string('x', 1_000_000), 10);
        Assert.Equal("xxxxxxxxxx…(+999990)", cleaned);
    }

    [Fact]
    public void CleanShortTextIsReturnedAsIsAndNullStaysNull()
    {
        const string text = "peer rB on path lan";
        Assert.Same(text, SafeText.Clean(text));
        Assert.Null(SafeText.Clean(null));
    }
}
