using System.Net;
using Router.Core.Config;
using Router.Core.Health;
using Router.Core.Import;
using Router.Core.Vrrp;

namespace Router.Core.Tests.Import;

/// <summary>keepalived.conf to routerha UCI: what carries over (read back through routerha's own loader) and what is reported.</summary>
public class KeepalivedImporterTests
{
    private const string Path = "/etc/keepalived/keepalived.conf";

    private static ImportResult Import(string text, params (string, string)[] more) =>
        KeepalivedImporter.Import(Path, MemoryFiles.Of([(Path, text), .. more]));

    /// <summary>The import's output as the daemon would load it.</summary>
    private static RouterConfig Load(ImportResult result)
    {
        var errors = new List<ConfigError>();
        var config = ConfigLoader.LoadText("/etc/config/routerha", result.Uci, _ => null, errors);
        Assert.Empty(errors);
        return config!;
    }

    private static ImportNote NoteAt(ImportResult r, int line) => Assert.Single(r.Notes, n => n.Line == line);

    [Fact]
    public void AnInstanceCarriesOverWithEveryFieldTheWireAndScriptsDependOn()
    {
        var r = Import("""
            global_defs {
               router_id lab_a
               vrrp_startup_delay 5
            }
            vrrp_instance VI_1 {
                state MASTER
                interface eth0
                virtual_router_id 51
                priority 150
                advert_int 2
                nopreempt
                preempt_delay 30
                authentication {
                    auth_type PASS
                    auth_pass secret99
                }
                unicast_src_ip 10.0.0.1
                unicast_peer {
                    10.0.0.2
                }
                virtual_ipaddress {
                    10.0.0.254/24 dev eth0
                    10.0.0.253
                }
                garp_master_delay 3
                garp_master_repeat 2
                garp_master_refresh 60
                notify_master "/etc/keepalived/master.sh up"
                notify /etc/keepalived/notify.sh
            }
            """);
        Assert.False(r.LostSomething);
        var c = Load(r);
        Assert.Equal(("lab_a", TimeSpan.FromSeconds(5)), (c.Global.NodeName, c.Global.StartupDelay));
        var i = Assert.Single(c.Instances);
        var v = i.Vrrp;
        Assert.Equal(("VI_1", "eth0", (byte)51, (byte)150, VrrpVersion.V2), (v.Name, i.Interface, v.Vrid, v.Priority, v.Version));
        Assert.Equal((TimeSpan.FromSeconds(2), false, TimeSpan.FromSeconds(30)), (v.AdvertInterval, v.Preempt, v.PreemptDelay));
        Assert.Equal(["10.0.0.254/24", "10.0.0.253/32"], i.VirtualPrefixes.Select(p => p.ToString()));
        Assert.Equal(IPAddress.Parse("10.0.0.1"), i.SourceAddress);
        Assert.Equal([IPAddress.Parse("10.0.0.2")], v.UnicastPeers);
        // An 8-character password fills the v2 field exactly, as keepalived sends it.
        Assert.Equal(VrrpAuthType.Pass, v.AuthType);
        Assert.Equal("secret99"u8.ToArray(), v.AuthData);
        Assert.Equal((3, 2, 60), ((int)v.GarpMasterDelay.TotalSeconds, v.GarpRepeat, (int)v.GarpRefresh.TotalSeconds));
        Assert.Equal(("/etc/keepalived/master.sh up", "/etc/keepalived/notify.sh"), (i.Notify.NotifyMaster, i.Notify.Notify));
        // state has no routerha equivalent: said so, but the pair behaves the same.
        Assert.Contains("state MASTER: routerha has no initial state", NoteAt(r, 6).Message);
    }

    [Fact]
    public void IPv6AndFractionalAdvertsBecomeVersion3AsKeepalivedRunsThem()
    {
        var r = Import("""
            global_defs {
              vrrp_version 3
            }
            vrrp_instance v4 {
              interface br-lan
              virtual_router_id 7
              advert_int 0.25
              virtual_ipaddress {
                192.168.1.1/24
              }
            }
            vrrp_instance v6 {
              interface br-lan
              virtual_router_id 7
              version 2
              virtual_ipaddress {
                fe80::1
                2001:db8::1/64
              }
            }
            """);
        var c = Load(r);
        Assert.Equal((VrrpVersion.V3, TimeSpan.FromSeconds(0.25)), (c.Instances[0].Vrrp.Version, c.Instances[0].Vrrp.AdvertInterval));
        Assert.Equal(VrrpVersion.V3, c.Instances[1].Vrrp.Version);
        Assert.Contains("keepalived runs IPv6 instances as version 3", NoteAt(r, 15).Message);
        Assert.False(r.LostSomething);
    }

    [Fact]
    public void AFractionalAdvertUnderVersion2IsRoundedUpAndReported()
    {
        var r = Import("vrrp_instance a {\n interface eth0\n virtual_router_id 1\n advert_int 1.5\n virtual_ipaddress {\n  10.1.1.1\n }\n}\n");
        Assert.Equal(TimeSpan.FromSeconds(2), Load(r).Instances[0].Vrrp.AdvertInterval);
        Assert.True(NoteAt(r, 4).Important);
    }

    [Fact]
    public void TrackScriptsAndInterfacesBecomeTracksWithPerInstanceWeights()
    {
        var r = Import("""
            vrrp_script chk_dns {
                script "/usr/local/bin/check_dns --fast"
                interval 3
                fall 2
                rise 4
                weight -10
                init_fail
            }
            vrrp_script chk_proxy {
                script "killall -0 haproxy"
            }
            vrrp_instance a {
                interface eth0
                virtual_router_id 1
                virtual_ipaddress {
                    10.1.1.1
                }
                track_script {
                    chk_dns
                    chk_proxy weight 20
                }
                track_interface {
                    eth1 weight -30
                }
            }
            vrrp_instance b {
                interface eth0
                virtual_router_id 2
                virtual_ipaddress {
                    10.1.1.2
                }
                track_script {
                    chk_dns weight -50
                }
                track_interface {
                    eth1
                }
            }
            """);
        Assert.False(r.LostSomething);
        var tracks = Load(r).Tracks.ToDictionary(t => t.Settings.Name);
        var dns = tracks["chk_dns"];
        Assert.Equal((TrackKind.Script, "/usr/local/bin/check_dns --fast"), (dns.Kind, dns.Script));
        Assert.Equal((3.0, 3.0, 2, 4, -10, true), (dns.Settings.Interval.TotalSeconds, dns.Settings.Timeout.TotalSeconds,
            dns.Settings.Fall, dns.Settings.Rise, dns.Settings.Weight, dns.Settings.InitFail));
        Assert.Equal(["a"], dns.Settings.Instances);
        // b overrides the weight: the same script as a second track.
        Assert.Equal(-50, tracks["chk_dns_2"].Settings.Weight);
        Assert.Equal(["b"], tracks["chk_dns_2"].Settings.Instances);
        var proxy = tracks["chk_proxy"];
        Assert.Equal((TrackKind.Process, "haproxy", 20, 1.0), (proxy.Kind, proxy.ProcessName, proxy.Settings.Weight, proxy.Settings.Interval.TotalSeconds));
        Assert.Equal((TrackKind.Link, "eth1", -30), (tracks["link_eth1"].Kind, tracks["link_eth1"].Interface, tracks["link_eth1"].Settings.Weight));
        // Weight 0: FAULT while down, as keepalived's default.
        Assert.Equal(0, tracks["link_eth1_2"].Settings.Weight);
        Assert.Equal(["b"], tracks["link_eth1_2"].Settings.Instances);
    }

    [Fact]
    public void ASyncGroupKeepsItsMembersNotifiesAndChecks()
    {
        var r = Import("""
            vrrp_script up {
              script /bin/true
            }
            vrrp_sync_group G-1 {
              group {
                lan
                wan
              }
              notify_master "/usr/local/bin/vrrp.mast arg1"
              track_script {
                up weight -5
              }
            }
            vrrp_instance lan {
              interface eth0
              virtual_router_id 1
              virtual_ipaddress {
                10.1.1.1
              }
            }
            vrrp_instance wan {
              interface eth1
              virtual_router_id 2
              virtual_ipaddress {
                10.2.1.1
              }
            }
            """);
        var c = Load(r);
        var g = Assert.Single(c.SyncGroups);
        Assert.Equal(("G_1", "/usr/local/bin/vrrp.mast arg1"), (g.Name, g.Notify.NotifyMaster));
        Assert.Equal(["lan", "wan"], g.Instances);
        var up = Assert.Single(c.Tracks);
        Assert.Equal(-5, up.Settings.Weight);
        Assert.Equal(["lan", "wan"], up.Settings.Instances);
    }

    [Theory]
    [InlineData("virtual_server 10.0.0.1 80 {\n}\n", "virtual_server: routerha moves VRRP addresses only; keep LVS in ipvsadm or keepalived's checker")]
    [InlineData("static_routes {\n  10.9.0.0/24 via 10.1.1.2\n}\n", "static_routes: routerha does not manage static routes")]
    [InlineData("bfd_instance b {\n}\n", "bfd_instance: routerha has no BFD")]
    [InlineData("vrrp_instance x {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.1.1.1\n }\n use_vmac\n}\n", "use_vmac: routerha keeps the VIPs on the interface itself")]
    [InlineData("vrrp_instance x {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.1.1.1\n }\n virtual_routes {\n  10.9.0.0/24 via 10.1.1.2\n }\n}\n", "virtual_routes: routerha adds and removes the VIPs only")]
    [InlineData("vrrp_instance x {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.1.1.1\n }\n authentication {\n  auth_type AH\n  auth_pass x\n }\n}\n", "auth_type AH: routerha does not do IPsec AH")]
    [InlineData("vrrp_instance x {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.1.1.1\n  10.1.1.2 dev eth9\n }\n}\n", "virtual_ipaddress 10.1.1.2 dev eth9: routerha puts every VIP of an instance on its interface (eth0)")]
    [InlineData("vrrp_instance x {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.1.1.1\n }\n frobnicate 3\n}\n", "frobnicate: unknown in vrrp_instance")]
    [InlineData("vrrp_instance x {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.1.1.1\n }\n track_script {\n  nothere\n }\n}\n", "track_script nothere: no vrrp_script named nothere")]
    public void WhatRouterhaCannotDoIsImportantAndSaysWhy(string text, string message)
    {
        var r = Import(text);
        Assert.True(r.LostSomething);
        Assert.Contains(r.Notes, n => n.Important && n.Message.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public void MailSnmpAndDBusAreReportedButDoNotFailTheImport()
    {
        var r = Import("global_defs {\n notification_email {\n  a@b\n }\n enable_snmp_vrrp\n enable_dbus\n}\n" +
                       "vrrp_instance x {\n interface eth0\n virtual_router_id 1\n smtp_alert\n virtual_ipaddress {\n  10.1.1.1 label eth0:1\n }\n}\n");
        Assert.False(r.LostSomething);
        Assert.Equal([2, 5, 6, 11, 13], r.Notes.Select(n => n.Line));
    }

    [Fact]
    public void AValueRouterhaRefusesIsReportedAtTheKeepalivedLine()
    {
        var r = Import("vrrp_instance x {\n interface eth0\n virtual_router_id 300\n virtual_ipaddress {\n  10.1.1.1\n }\n}\n");
        var note = NoteAt(r, 3);
        Assert.True(note.Important);
        Assert.Equal($"{Path}:3: routerha would refuse this: vrid 300 out of range 1..255", note.ToString().Split(" (")[0]);
    }

    [Fact]
    public void ShellSyntaxAndBareCommandsGetAShellOrPathLookup()
    {
        var r = Import("""
            vrrp_script web {
              script "</dev/tcp/127.0.0.1/80"
            }
            vrrp_script pipe {
              script "curl -s http://127.0.0.1/ | grep -q ok"
            }
            vrrp_instance x {
              interface eth0
              virtual_router_id 1
              virtual_ipaddress {
                10.1.1.1
              }
              track_script {
                web
                pipe
              }
              notify_backup "logger backup"
            }
            """);
        var c = Load(r);
        var web = c.Tracks.Single(t => t.Settings.Name == "web");
        Assert.Equal((TrackKind.Tcp, IPAddress.Loopback, 80), (web.Kind, web.Host, web.Port));
        Assert.Equal("/bin/sh -c 'curl -s http://127.0.0.1/ | grep -q ok'", c.Tracks.Single(t => t.Settings.Name == "pipe").Script);
        Assert.Equal("/usr/bin/env logger backup", c.Instances[0].Notify.NotifyBackup);
        Assert.False(r.LostSomething);
    }

    [Fact]
    public void NoVrrpInstanceMeansNothingToRun()
    {
        var r = Import("virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n }\n}\n");
        Assert.True(r.LostSomething);
        Assert.Contains(r.Notes, n => n.Line == 1 && n.Message.StartsWith("no vrrp_instance found", StringComparison.Ordinal));
    }

    [Fact]
    public void QuotesInValuesSurviveTheUciQuoting()
    {
        var r = Import("vrrp_instance x {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.1.1.1\n }\n notify_master \"/usr/bin/logger it's master\"\n}\n");
        Assert.Equal("/usr/bin/logger it's master", Load(r).Instances[0].Notify.NotifyMaster);
    }
}
