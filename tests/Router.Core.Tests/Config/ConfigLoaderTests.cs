using System.Net;
using System.Net.Sockets;
using System.Text;
using Router.Core.Config;
using Router.Core.Vrrp;
using static Router.Core.Tests.Config.ConfigTestSupport;

namespace Router.Core.Tests.Config;

public class ConfigLoaderTests
{
    private const string RouterB = """
        config global 'main'
        	option enabled 'no'
        	option node_name 'router-b'
        	option control_socket '/tmp/rha.sock'
        	option startup_delay '2.5'
        	option log_level 'debug'
        	option syslog 'off'
        	option syslog_facility 'local3'
        	option notify_timeout '0.5'

        config instance 'lan'
        	option interface 'br-lan'
        	option vrid '51'
        	option version '2'
        	option priority '100'
        	option advert_interval '3'
        	option preempt 'false'
        	option preempt_delay '12.5'
        	option accept 'enabled'
        	list vip '192.168.1.254/24'
        	list vip '192.168.1.253'
        	option unicast_src '192.168.1.2'
        	list unicast_peer '192.168.1.1'
        	option auth_pass 'secret'
        	option garp_repeat '3'
        	option garp_interval '0.2'
        	option garp_master_delay '0'
        	option garp_refresh '60'
        	option notify '/etc/routerha/notify.sh'
        	option notify_master '/usr/bin/master'
        	option notify_backup '/usr/bin/backup'
        	option notify_fault '/usr/bin/fault'
        	option notify_stop '/usr/bin/stop'

        config instance 'lan6'
        	option interface 'br-lan'
        	option vrid '51'
        	option advert_interval '0.05'
        	list vip 'fe80::1:254/64'
        	list vip 'fd00:1::254'

        config instance 'wan'
        	option interface 'eth1'
        	option vrid '7'
        	list vip '10.0.0.1/30'

        config sync_group 'gw'
        	list instance 'lan'
        	list instance 'lan6'
        	option notify_master '/usr/bin/group-master'
        """;

    [Fact]
    public void AFullConfigMapsIntoTheExpectedRecords()
    {
        var lookup = Devices(("br-lan", ["192.168.1.2/24", "fd00:1::2/64", "fe80::2/64"]), ("eth1", ["10.0.0.2/30"]));
        var config = LoadOk(RouterB, lookup);

        Assert.Equal(ConfigPath, config.SourcePath);
        Assert.Equal(new GlobalConfig
        {
            Enabled = false,
            NodeName = "router-b",
            ControlSocket = "/tmp/rha.sock",
            StartupDelay = TimeSpan.FromSeconds(2.5),
            LogLevel = "debug",
            Syslog = false,
            SyslogFacility = "local3",
            NotifyTimeout = TimeSpan.FromMilliseconds(500),
        }, config.Global);

        Assert.Equal(["lan", "lan6", "wan"], config.Instances.Select(i => i.Vrrp.Name));
        var lan = config.Instances[0];
        Assert.Equal("br-lan", lan.Interface);
        Assert.Equal(11, lan.Line);
        Assert.Equal("gw", lan.SyncGroup);
        Assert.Equal(IPAddress.Parse("192.168.1.2"), lan.SourceAddress);
        Assert.Equal([Prefix("192.168.1.254/24"), Prefix("192.168.1.253/32")], lan.VirtualPrefixes);
        Assert.Equal(new NotifyConfig
        {
            Notify = "/etc/routerha/notify.sh",
            NotifyMaster = "/usr/bin/master",
            NotifyBackup = "/usr/bin/backup",
            NotifyFault = "/usr/bin/fault",
            NotifyStop = "/usr/bin/stop",
        }, lan.Notify);

        var v = lan.Vrrp;
        Assert.Equal((byte)51, v.Vrid);
        Assert.Equal(VrrpVersion.V2, v.Version);
        Assert.Equal(AddressFamily.InterNetwork, v.Family);
        Assert.Equal((byte)100, v.Priority);
        Assert.Equal(TimeSpan.FromSeconds(3), v.AdvertInterval);
        Assert.False(v.Preempt);
        Assert.Equal(TimeSpan.FromSeconds(12.5), v.PreemptDelay);
        Assert.True(v.Accept);
        Assert.Equal([IPAddress.Parse("192.168.1.254"), IPAddress.Parse("192.168.1.253")], v.VirtualAddresses);
        Assert.Equal(VrrpAuthType.Pass, v.AuthType);
        Assert.Equal("secret\0\0"u8.ToArray(), v.AuthData);
        Assert.Equal([IPAddress.Parse("192.168.1.1")], v.UnicastPeers);
        Assert.Equal(3, v.GarpRepeat);
        Assert.Equal(TimeSpan.FromMilliseconds(200), v.GarpInterval);
        Assert.Equal(TimeSpan.Zero, v.GarpMasterDelay);
        Assert.Equal(TimeSpan.FromMinutes(1), v.GarpRefresh);

        var lan6 = config.Instances[1];
        Assert.Equal(AddressFamily.InterNetworkV6, lan6.Vrrp.Family);
        Assert.Equal(VrrpVersion.V3, lan6.Vrrp.Version);
        Assert.Equal(TimeSpan.FromMilliseconds(50), lan6.Vrrp.AdvertInterval);
        Assert.Equal([Prefix("fe80::1:254/64"), Prefix("fd00:1::254/128")], lan6.VirtualPrefixes);
        Assert.Equal("gw", lan6.SyncGroup);

        var wan = config.Instances[2];
        Assert.Null(wan.SyncGroup);
        Assert.Null(wan.SourceAddress);
        Assert.Equal(new NotifyConfig(), wan.Notify);

        var group = Assert.Single(config.SyncGroups);
        Assert.Equal(("gw", 47), (group.Name, group.Line));
        Assert.Equal(["lan", "lan6"], group.Instances);
        Assert.Equal(new NotifyConfig { NotifyMaster = "/usr/bin/group-master" }, group.Notify);
    }

    [Fact]
    public void DefaultsApplyToAMinimalConfig()
    {
        var config = LoadOk("config instance 'lan'\n\toption interface 'br-lan'\n\toption vrid '1'\n\tlist vip '192.168.1.254'\n");
        Assert.Equal(new GlobalConfig(), config.Global);
        var i = Assert.Single(config.Instances);
        // Lists compare by reference in records: take them from the result, they are checked below.
        Assert.Equal(new VrrpInstanceSettings { Name = "lan", Vrid = 1, VirtualAddresses = i.Vrrp.VirtualAddresses, UnicastPeers = i.Vrrp.UnicastPeers }, i.Vrrp);
        Assert.Equal([IPAddress.Parse("192.168.1.254")], i.Vrrp.VirtualAddresses);
        Assert.Equal(TimeSpan.FromSeconds(1), i.Vrrp.AdvertInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), i.Vrrp.GarpMasterDelay);
        Assert.Equal(5, i.Vrrp.GarpRepeat);
        Assert.Null(i.Vrrp.AuthData);
        Assert.Empty(i.Vrrp.UnicastPeers);
        Assert.Empty(config.SyncGroups);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("0", false)]
    [InlineData("yes", true)]
    [InlineData("no", false)]
    [InlineData("on", true)]
    [InlineData("off", false)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData("enabled", true)]
    [InlineData("Disabled", false)]
    public void BooleansAcceptTheUsualSpellings(string text, bool expected)
    {
        var config = LoadOk($"config instance 'lan'\n\toption interface 'br-lan'\n\toption vrid '1'\n\toption preempt '{text}'\n\tlist vip '10.0.0.1'\n");
        Assert.Equal(expected, config.Instances[0].Vrrp.Preempt);
    }

    [Fact]
    public void APasswordOfEightBytesIsNotPaddedAndAuthTypePassMayBeExplicit()
    {
        var config = LoadOk("config instance 'lan'\n\toption interface 'br-lan'\n\toption vrid '1'\n\toption version 2\n\toption auth_type 'pass'\n\toption auth_pass '12345678'\n\tlist vip '10.0.0.1'\n");
        Assert.Equal(Encoding.ASCII.GetBytes("12345678"), config.Instances[0].Vrrp.AuthData);
    }

    [Fact]
    public void LinkLocalIpv6VipsSkipTheSubnetCheck()
    {
        var config = LoadOk("config instance 'lan6'\n\toption interface 'br-lan'\n\toption vrid '1'\n\tlist vip 'fe80::1'\n",
            Devices(("br-lan", ["192.168.1.1/24"])));
        Assert.Equal(AddressFamily.InterNetworkV6, config.Instances[0].Vrrp.Family);
    }

    [Fact]
    public void AVipInsideAnySubnetOfTheInterfacePassesTheSubnetCheck()
    {
        LoadOk("config instance 'lan'\n\toption interface 'br-lan'\n\toption vrid '1'\n\tlist vip '10.1.0.9/16'\n\tlist vip '192.168.1.254/24'\n",
            Devices(("br-lan", ["192.168.1.1/24", "10.1.2.3/16", "fd00::1/64"])));
    }

    [Fact]
    public void TheSameVridIsAllowedOnAnotherInterfaceOrFamily()
    {
        var config = LoadOk("""
            config instance 'a'
            	option interface 'br-lan'
            	option vrid '9'
            	list vip '10.0.0.1'
            config instance 'b'
            	option interface 'eth1'
            	option vrid '9'
            	list vip '10.1.0.1'
            config instance 'c'
            	option interface 'br-lan'
            	option vrid '9'
            	list vip 'fd00::1'
            """);
        Assert.Equal(3, config.Instances.Count);
    }
}
