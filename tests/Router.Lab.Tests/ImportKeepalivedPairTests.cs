using Router.LabKit;

namespace Router.Lab.Tests;

/// <summary>
/// A migration as the docs describe it: router A keeps running keepalived with its keepalived.conf, router B runs
/// routerha with the config `routerha import-keepalived` made of that same file, edited only where the two routers
/// differ (priority and name). They must form one working pair, both ways round.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class ImportKeepalivedPairTests
{
    /// <summary>Router A's keepalived.conf as a user would keep it: keepalived's defaults (VRRPv2), a password, a check.</summary>
    private static readonly string KeepalivedConf = $$"""
        ! router A
        global_defs {
           router_id router_a
           script_user root
           enable_script_security
        }

        vrrp_script chk_alive {
           script "/bin/true"
           interval 1
           weight 2
        }

        vrrp_instance lan {
            state MASTER
            interface {{LabTopology.LanInterface}}
            virtual_router_id 51
            priority 150
            advert_int 1
            authentication {
                auth_type PASS
                auth_pass secret12
            }
            virtual_ipaddress {
                {{LabTopology.Vip4Cidr}}
            }
            track_script {
                chk_alive
            }
        }
        """;

    [Fact]
    public async Task KeepalivedAndTheImportOfItsOwnFileFormAPairThatFailsOverAndBack()
    {
        using var cts = LabAssert.Budget(120);
        var advert = TimeSpan.FromSeconds(1);
        using var lab = PairLab.Create(
            DaemonKind.Keepalived, VrrpSettings.For(150, advert, 2) with { AuthPass = "secret12" },
            DaemonKind.RouterHa, VrrpSettings.For(100, advert, 2) with { AuthPass = "secret12" });
        var keepalived = (KeepalivedNode)lab.A;
        var routerha = (RouterHaNode)lab.B;
        keepalived.ConfigText = KeepalivedConf;

        var source = Path.Combine(lab.Topology.WorkDir, "keepalived.conf");
        File.WriteAllText(source, KeepalivedConf);
        var import = Shell.Run(RouterHaBinary.Require(), ["import-keepalived", source], TimeSpan.FromSeconds(20));
        Assert.True(import.ExitCode == 0, $"import-keepalived: exit {import.ExitCode}\n{import.StdErr}");
        // What docs/migrating-from-keepalived.md tells the user to change on the second router.
        var uci = Edit(import.StdOut, "option priority '150'", "option priority '100'");
        uci = Edit(uci, "option node_name 'router_a'", "option node_name 'router_b'");
        // What the lab needs of any routerha it runs: its own control socket, logs on stderr.
        routerha.ConfigText = Edit(uci, "config global 'main'\n", $"config global 'main'\n\toption control_socket '{routerha.ControlSocket}'\n\toption syslog '0'\n");

        await lab.StartAndElectAsync(cts.Token);
        await LabAssert.VipOnlyOnAsync(lab, keepalived, routerha, cts.Token);
        // routerha understands keepalived's adverts (version, password, interval): it stays BACKUP under them.
        await Wait.HoldsAsync(() => routerha.State == "BACKUP", 2 * routerha.Settings.MasterDownInterval,
            "routerha staying BACKUP under keepalived's adverts", lab.Diagnostics, cts.Token);
        var status = routerha.Instance();
        // The imported check runs: 100 + weight 2, as keepalived's 150 + 2 on the other side.
        Assert.True(status.EffectivePriority == 102, $"effective priority {status.EffectivePriority}, expected 102\n{lab.Diagnostics()}");

        // keepalived stops (as for its replacement): routerha takes the VIP.
        Assert.NotNull(await keepalived.TerminateAsync(TimeSpan.FromSeconds(10)));
        await routerha.WaitForStateAsync("MASTER", lab.ElectionTimeout, cts.Token);
        await LabAssert.VipOnlyOnAsync(lab, routerha, keepalived, cts.Token);

        // keepalived back with the higher priority: it preempts and routerha yields.
        keepalived.Start();
        await keepalived.WaitForStateAsync("MASTER", lab.ElectionTimeout, cts.Token);
        await routerha.WaitForStateAsync("BACKUP", lab.ElectionTimeout, cts.Token);
        await LabAssert.VipOnlyOnAsync(lab, keepalived, routerha, cts.Token);
    }

    private static string Edit(string text, string from, string to)
    {
        Assert.Contains(from, text);
        return text.Replace(from, to, StringComparison.Ordinal);
    }
}
