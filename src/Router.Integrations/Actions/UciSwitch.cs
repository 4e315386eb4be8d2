namespace Router.Integrations.Actions;

/// <summary>
/// One UCI option that turns a service on or off, with its polarity: `glorytun.vpn.enable` is on at "1",
/// `shadowsocks-libev.sss0.disabled` is on at "0". <paramref name="AbsentIsOn"/> is what the service's init script
/// assumes when the option is missing (a `disabled` option defaults to enabled).
/// </summary>
public sealed record UciSwitch(string Config, string Section, string Option, string OnValue, string OffValue, bool AbsentIsOn)
{
    public string Key => $"{Config}.{Section}.{Option}";

    public static UciSwitch Enable(string config, string section, string option = "enable") => new(config, section, option, "1", "0", false);

    public static UciSwitch Disabled(string config, string section) => new(config, section, "disabled", "0", "1", true);

    /// <summary>An option that must read <paramref name="value"/> when the action runs in direction <paramref name="on"/>
    /// (absent never holds).</summary>
    public static UciSwitch Exactly(string config, string section, string option, string value, bool on) =>
        new(config, section, option, value, value, AbsentIsOn: !on);

    public string Want(bool on) => on ? OnValue : OffValue;

    /// <summary>Whether <paramref name="value"/> (null = absent) already gives the wanted state.</summary>
    public bool Holds(string? value, bool on) => value is null ? AbsentIsOn == on : value == Want(on);
}
