using System.Text;

namespace Router.Integrations.DBus;

/// <summary>The interface descriptions Introspect returns, written by hand: the property lists of DBusProperties and
/// the methods DBusExporter answers must say the same (DBusIntrospectionTests checks the properties).
/// The library adds Introspectable, Peer and the child nodes; Properties is ours, so it is described here.</summary>
internal static class DBusIntrospection
{
    public static readonly ReadOnlyMemory<byte> Properties = Encoding.UTF8.GetBytes("""
        <interface name="org.freedesktop.DBus.Properties">
          <method name="Get">
            <arg name="interface_name" type="s" direction="in"/>
            <arg name="property_name" type="s" direction="in"/>
            <arg name="value" type="v" direction="out"/>
          </method>
          <method name="GetAll">
            <arg name="interface_name" type="s" direction="in"/>
            <arg name="properties" type="a{sv}" direction="out"/>
          </method>
          <method name="Set">
            <arg name="interface_name" type="s" direction="in"/>
            <arg name="property_name" type="s" direction="in"/>
            <arg name="value" type="v" direction="in"/>
          </method>
          <signal name="PropertiesChanged">
            <arg name="interface_name" type="s"/>
            <arg name="changed_properties" type="a{sv}"/>
            <arg name="invalidated_properties" type="as"/>
          </signal>
        </interface>

        """);

    public static readonly ReadOnlyMemory<byte> Daemon = Encoding.UTF8.GetBytes($"""
        <interface name="{DBusNames.DaemonInterface}">
          <method name="Switchover">
            <arg name="instance" type="s" direction="in"/>
            <arg name="message" type="s" direction="out"/>
          </method>
          <method name="SwitchoverAll">
            <arg name="message" type="s" direction="out"/>
          </method>
          <method name="SetMaintenance">
            <arg name="on" type="b" direction="in"/>
            <arg name="message" type="s" direction="out"/>
          </method>
          <property name="Node" type="s" access="read"/>
          <property name="Version" type="s" access="read"/>
          <property name="Maintenance" type="b" access="read"/>
          <property name="Instances" type="ao" access="read"/>
          <property name="RoleTarget" type="s" access="read"/>
          <property name="RoleFinished" type="b" access="read"/>
          <property name="Tunnel" type="s" access="read"/>
          <property name="RolePlan" type="a(sssss)" access="read"/>
          <property name="FenceGate" type="s" access="read"/>
          <property name="FenceReason" type="s" access="read"/>
          <property name="DualMaster" type="b" access="read"/>
        </interface>

        """);

    public static readonly ReadOnlyMemory<byte> Instance = Encoding.UTF8.GetBytes($"""
        <interface name="{DBusNames.InstanceInterface}">
          <property name="Name" type="s" access="read"/>
          <property name="Vrid" type="i" access="read"/>
          <property name="Interface" type="s" access="read"/>
          <property name="State" type="s" access="read"/>
          <property name="Priority" type="i" access="read"/>
          <property name="EffectivePriority" type="i" access="read"/>
          <property name="Master" type="s" access="read"/>
          <property name="Vips" type="as" access="read"/>
          <property name="VipsPresent" type="b" access="read"/>
        </interface>

        """);
}
