using System.Text;

namespace Router.Integrations.DBus;

/// <summary>The names of the API (docs/dbus.md). The trailing 1 is its version, as in keepalived's org.keepalived.Vrrp1:
/// an incompatible change gets RouterHA2 beside it, never a changed RouterHA1.</summary>
public static class DBusNames
{
    public const string BusName = "org.routerha.RouterHA1";
    public const string DaemonPath = "/org/routerha/RouterHA1";
    public const string InstancePathPrefix = DaemonPath + "/Instance/";
    public const string DaemonInterface = "org.routerha.RouterHA1.Daemon";
    public const string InstanceInterface = "org.routerha.RouterHA1.Instance";
    public const string PropertiesInterface = "org.freedesktop.DBus.Properties";

    public const string ErrorUnknownInstance = "org.routerha.RouterHA1.Error.UnknownInstance";
    public const string ErrorRefused = "org.routerha.RouterHA1.Error.Refused";
    public const string ErrorNotReady = "org.routerha.RouterHA1.Error.NotReady";
    public const string ErrorInvalidArgs = "org.freedesktop.DBus.Error.InvalidArgs";
    public const string ErrorUnknownProperty = "org.freedesktop.DBus.Error.UnknownProperty";
    public const string ErrorUnknownInterface = "org.freedesktop.DBus.Error.UnknownInterface";
    public const string ErrorUnknownObject = "org.freedesktop.DBus.Error.UnknownObject";
    public const string ErrorReadOnly = "org.freedesktop.DBus.Error.PropertyReadOnly";

    /// <summary>An object path element may hold only [A-Za-z0-9_]: every other byte of the UTF-8 name, and '_' itself
    /// (so that two names never share a path), becomes _xx in lower-case hex, as systemd escapes unit names.
    /// "lan" stays "lan", "lan-6" becomes "lan_2d6", "" becomes "_".</summary>
    public static string PathElement(string name)
    {
        if (name.Length == 0) return "_";
        var sb = new StringBuilder(name.Length);
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            if (b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9')
                sb.Append((char)b);
            else
                sb.Append('_').Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    public static string InstancePath(string name) => InstancePathPrefix + PathElement(name);
}
