using static Router.Core.Tests.Config.ConfigTestSupport;

namespace Router.Core.Tests.Config;

/// <summary>`option dbus` in config global: 0/1/auto, auto when absent; anything else is a check-config error.</summary>
public class DbusOptionTests
{
    private static string WithDbus(string? value) => $$"""
        config global 'main'
        {{(value is null ? "" : $"\toption dbus '{value}'")}}

        config instance 'lan'
        	option interface 'br-lan'
        	option vrid '51'
        	list vip '192.168.1.254/24'
        """;

    [Theory]
    [InlineData(null, null)]
    [InlineData("auto", null)]
    [InlineData("1", true)]
    [InlineData("on", true)]
    [InlineData("0", false)]
    [InlineData("no", false)]
    public void ReadsOnOffAndAuto(string? value, bool? expected) =>
        Assert.Equal(expected, LoadOk(WithDbus(value)).Global.Dbus);

    [Fact]
    public void RefusesAnythingElseWithTheLine()
    {
        var (config, errors) = Load(WithDbus("maybe"));
        Assert.Null(config);
        var error = Assert.Single(errors);
        Assert.Equal(2, error.Line);
        Assert.Contains("dbus 'maybe' is not a boolean", error.Message);
    }
}
