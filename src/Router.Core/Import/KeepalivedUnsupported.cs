namespace Router.Core.Import;

/// <summary>
/// keepalived keywords routerha has no equivalent for: why, and what to do instead. Important ones change what
/// the pair does (an address, a route or a check would be missing), so the import exits 1 without --force.
/// </summary>
internal static class KeepalivedUnsupported
{
    private const string Lvs = "routerha moves VRRP addresses only; keep LVS in ipvsadm or keepalived's checker (keepalived -C, no VRRP)";
    private const string Routes = "routerha adds and removes the VIPs only; add routes and rules in a notify_master / notify_backup script, or as an 'action' of kind 'command'";
    private const string Mail = "routerha sends no mail; use a notify script or the MQTT / Home Assistant notifications";
    private const string Snmp = "routerha has no SNMP agent; read the state with 'routerha status --json' or over MQTT";
    private const string DBus = "keepalived's org.keepalived.Vrrp1 D-Bus interface is not provided; read the state with 'routerha status --json' or over MQTT";
    private const string Vmac = "routerha keeps the VIPs on the interface itself (no macvlan with the virtual MAC); neighbours learn the move from gratuitous ARP / unsolicited NA";
    private const string Bfd = "routerha has no BFD; watch the peer path with a 'config track' of kind 'ping' (short interval) instead";

    /// <summary>Top-level blocks.</summary>
    public static readonly Dictionary<string, (string Why, bool Important)> TopLevel = new()
    {
        ["virtual_server"] = (Lvs, true),
        ["virtual_server_group"] = (Lvs, true),
        ["static_ipaddress"] = ("routerha does not manage static addresses; configure them in /etc/config/network (or ip addr) as usual", true),
        ["static_routes"] = ("routerha does not manage static routes; configure them in /etc/config/network (config route) as usual", true),
        ["static_rules"] = ("routerha does not manage policy rules; configure them in /etc/config/network (config rule) as usual", true),
        ["bfd_instance"] = (Bfd, true),
        ["vrrp_track_file"] = ("routerha has no track_file; turn the file into a 'config track' of kind 'script' that tests it (e.g. /bin/sh -c 'test \"$(cat FILE)\" = 0')", true),
        ["track_file"] = ("routerha has no track_file; turn the file into a 'config track' of kind 'script' that tests it (e.g. /bin/sh -c 'test \"$(cat FILE)\" = 0')", true),
        ["garp_group"] = ("routerha sets gratuitous ARP timing per instance (garp_interval, garp_repeat); the group's interfaces are not carried", false),
        ["linkbeat_interfaces"] = ("routerha watches links through netlink only", false),
    };

    /// <summary>global_defs keywords.</summary>
    public static readonly Dictionary<string, (string Why, bool Important)> Global = new()
    {
        ["notification_email"] = (Mail, false),
        ["notification_email_from"] = (Mail, false),
        ["smtp_server"] = (Mail, false),
        ["smtp_helo_name"] = (Mail, false),
        ["smtp_connect_timeout"] = (Mail, false),
        ["smtp_alert"] = (Mail, false),
        ["smtp_alert_vrrp"] = (Mail, false),
        ["smtp_alert_checker"] = (Mail, false),
        ["enable_snmp_vrrp"] = (Snmp, false),
        ["enable_snmp_keepalived"] = (Snmp, false),
        ["enable_snmp_rfc"] = (Snmp, false),
        ["enable_snmp_rfcv2"] = (Snmp, false),
        ["enable_snmp_rfcv3"] = (Snmp, false),
        ["enable_snmp_checker"] = (Snmp, false),
        ["enable_traps"] = (Snmp, false),
        ["snmp_socket"] = (Snmp, false),
        ["enable_dbus"] = (DBus, false),
        ["dbus_service_name"] = (DBus, false),
        ["enable_dbus_create_instance"] = (DBus, false),
        ["script_user"] = ("routerha runs notify and track scripts as its own user (root); drop privileges inside a script that must not run as root", false),
        ["enable_script_security"] = ("routerha runs scripts without a shell and only from absolute paths; keep script files writable by root only", false),
        ["vrrp_strict"] = ("routerha behaves as keepalived without vrrp_strict (the MASTER accepts traffic to the VIPs; no firewall rules); the pair still interoperates", false),
        ["vrrp_skip_check_adv_addr"] = ("routerha never drops an advert over a different address list", false),
        ["vrrp_mcast_group4"] = ("routerha sends to 224.0.0.18 / ff02::12 (or unicast_peer); another group would not interoperate", true),
        ["vrrp_mcast_group6"] = ("routerha sends to 224.0.0.18 / ff02::12 (or unicast_peer); another group would not interoperate", true),
        ["lvs_id"] = (Lvs, false),
        ["lvs_sync_daemon"] = (Lvs, false),
        ["lvs_flush"] = (Lvs, false),
    };

    /// <summary>vrrp_instance keywords.</summary>
    public static readonly Dictionary<string, (string Why, bool Important)> Instance = new()
    {
        ["use_vmac"] = (Vmac, true),
        ["vmac_xmit_base"] = (Vmac, true),
        ["virtual_routes"] = (Routes, true),
        ["virtual_rules"] = (Routes, true),
        ["track_file"] = ("routerha has no track_file; turn the file into a 'config track' of kind 'script' that tests it", true),
        ["track_bfd"] = (Bfd, true),
        ["smtp_alert"] = (Mail, false),
        ["lvs_sync_daemon_interface"] = (Lvs, false),
        ["mcast_src_ip"] = ("routerha sends multicast adverts from the interface's primary address (as keepalived does without mcast_src_ip)", false),
        ["dont_track_primary"] = ("routerha always goes FAULT when the instance's interface is down", false),
        ["skip_check_adv_addr"] = ("routerha never drops an advert over a different address list", false),
        ["strict_mode"] = ("routerha behaves as keepalived without strict mode; the pair still interoperates", false),
        ["no_accept"] = ("routerha's MASTER always accepts traffic to the VIPs (as keepalived without vrrp_strict)", false),
        ["accept"] = ("routerha's MASTER always accepts traffic to the VIPs", false),
        ["preempt"] = ("preemption is routerha's default", false),
        ["debug"] = ("use option log_level 'debug' in config global", false),
        ["notify_master_rx_lower_pri"] = ("routerha runs no script for a lower-priority advert; it re-sends its own advert as the RFC says", false),
        ["notify_deleted"] = ("routerha has no deleted state; notify_stop runs when the daemon stops", false),
        ["garp_lower_prio_delay"] = ("routerha sends gratuitous ARP on becoming MASTER and every garp_refresh only", false),
        ["garp_lower_prio_repeat"] = ("routerha sends gratuitous ARP on becoming MASTER and every garp_refresh only", false),
        ["garp_master_refresh_repeat"] = ("routerha repeats a whole burst (garp_repeat packets) every garp_refresh", false),
        ["unicast_ttl"] = ("routerha sends unicast adverts with TTL / hop limit 255", false),
        ["kernel_rx_buf_size"] = ("routerha sizes its socket buffers itself", false),
        ["native_ipv6"] = ("routerha picks the family from the VIPs", false),
    };
}
