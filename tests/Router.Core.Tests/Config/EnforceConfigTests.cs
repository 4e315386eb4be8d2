using static Router.Core.Tests.Config.ConfigTestSupport;

namespace Router.Core.Tests.Config;

/// <summary>`option enforce_interval` in config global and `option check` of kind command.</summary>
public class EnforceConfigTests
{
    private static string With(string? interval, string? check = null) => $$"""
        config global 'main'
        {{(interval is null ? "" : $"\toption enforce_interval '{interval}'")}}

        config instance 'lan'
        	option interface 'br-lan'
        	option vrid '51'
        	list vip '192.168.1.254/24'

        config action 'vpn'
        	option kind 'command'
        	option start '/etc/init.d/vpn start'
        	option stop '/etc/init.d/vpn stop'
        {{(check is null ? "" : $"\toption check '{check}'")}}
        """;

    [Theory]
    [InlineData(null, 5)]
    [InlineData("0", 0)]
    [InlineData("1", 1)]
    [InlineData("2.5", 2.5)]
    [InlineData("3600", 3600)]
    public void ReadsTheIntervalWithFiveSecondsByDefaultAndZeroForOff(string? value, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), LoadOk(With(value)).Global.EnforceInterval);

    [Theory]
    [InlineData("0.5")]
    [InlineData("3601")]
    public void RefusesAnIntervalOutOfRangeWithTheLine(string value)
    {
        var error = SingleError(With(value), 2, $"enforce_interval {value} must be 0 (off) or 1..3600 seconds");
        Assert.Contains("drift", error.Message);
    }

    [Fact]
    public void RefusesAnIntervalThatIsNotANumber() =>
        SingleError(With("often"), 2, "enforce_interval 'often' is not a number of seconds");

    [Fact]
    public void ACommandActionTakesAnAbsoluteCheckCommand()
    {
        Assert.Equal("/etc/init.d/vpn running", LoadOk(With(null, "/etc/init.d/vpn running")).Actions.Single().Check);
        Assert.Null(LoadOk(With(null)).Actions.Single().Check);
        SingleError(With(null, "vpn-running"), 13, "check 'vpn-running' must start with an absolute path");
    }

    [Fact]
    public void CheckIsRefusedOnOtherKinds()
    {
        var text = With(null).Replace("option kind 'command'", "option kind 'systemd'\n\tlist service 'vpn.service'")
            .Replace("\toption start '/etc/init.d/vpn start'\n\toption stop '/etc/init.d/vpn stop'\n", "") + "\toption check '/bin/true'\n";
        var (config, errors) = Load(text);
        Assert.Null(config);
        Assert.Contains(errors, e => e.Message.Contains("option 'check' does not apply to kind 'systemd' (it is for command)"));
    }
}
