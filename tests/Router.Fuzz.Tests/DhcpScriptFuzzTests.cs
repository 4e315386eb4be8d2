using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Router.Core.Leases;
using Xunit.Abstractions;

namespace Router.Fuzz.Tests;

/// <summary>
/// dnsmasq hands the dhcp-script what a DHCP client sent (hostname, client id): any argument or variable may be
/// hostile. The parser must answer every call, and a lease it accepts must print back as one lease-file line.
/// </summary>
public sealed class DhcpScriptFuzzTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_760_000_000);

    private sealed record Call(string[] Args, Dictionary<string, string> Env)
    {
        /// <summary>What FsCheck prints for a failing case: every argument and variable, escaped.</summary>
        public override string ToString() =>
            $"args [{string.Join(", ", Args.Select(Escaped))}] env {{{string.Join(", ", Env.Select(kv => kv.Key + "=" + Escaped(kv.Value)))}}}";

        private static string Escaped(string s) =>
            "\"" + string.Concat(s.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString())) + "\"";
    }

    private static readonly Gen<string> Ipv4Text = Inputs.Ipv4.Select(a => a.ToString());

    private static readonly Gen<Call> Valid =
        from action in Gen.Elements("add", "old", "del")
        from mac in Inputs.Mac
        from upper in Gen.Elements(true, false)
        from ip in Ipv4Text
        from hostname in Gen.OneOf(Gen.Constant<string?>(null), Inputs.Token(63).Select(h => (string?)h))
        from clientId in Gen.OneOf(Gen.Constant<string?>(null), Inputs.Mac.Where(m => !m.Contains('-')).Select(c => (string?)c))
        from iface in Gen.OneOf(Gen.Constant<string?>(null), Inputs.Token(15).Select(i => (string?)i))
        from expires in Gen.Choose(0, int.MaxValue)
        select new Call(
            hostname is null ? [action, upper ? mac.ToUpperInvariant() : mac, ip] : [action, upper ? mac.ToUpperInvariant() : mac, ip, hostname],
            new Dictionary<string, string>(new[]
            {
                clientId is null ? default : KeyValuePair.Create("DNSMASQ_CLIENT_ID", clientId),
                iface is null ? default : KeyValuePair.Create("DNSMASQ_INTERFACE", iface),
                KeyValuePair.Create("DNSMASQ_LEASE_EXPIRES", expires.ToString(CultureInfo.InvariantCulture)),
            }.Where(kv => kv.Key is not null)));

    [Fact]
    public void ACallAsDnsmasqMakesItParsesIntoTheLeaseItDescribes()
    {
        FuzzRun.Check(output, "dhcp-script valid", Valid, call =>
        {
            var parsed = DhcpScriptParser.Parse(call.Args, call.Env, Now);
            var lease = Assert.IsType<DhcpLeaseEvent>(parsed);
            Assert.Equal(call.Args[1].ToLowerInvariant(), lease.Mac);
            Assert.Equal(call.Args[2], lease.Address.ToString());
            Assert.Equal(call.Args.ElementAtOrDefault(3), lease.Hostname);
            Assert.Equal(call.Env.GetValueOrDefault("DNSMASQ_INTERFACE"), lease.Interface);
            Assert.Equal(long.Parse(call.Env["DNSMASQ_LEASE_EXPIRES"], CultureInfo.InvariantCulture), lease.ExpiresUnix);
            LeaseLines.AssertOneLine(lease.ToRecord(HybridTimestamp.Zero, "router-a"));
        });
    }

    private static readonly Gen<string> AnyWord = Gen.OneOf(
        Inputs.Text(80),
        Inputs.Mac, Ipv4Text, Inputs.Ipv6.Select(a => a.ToString()), Inputs.Token(300),
        Gen.Elements("init", "add", "old", "del", "tftp", "arp", "*", "", "fe80::1%eth0", "0", "-1", "253402300800", "4294967296"));

    private static readonly Gen<Call> Hostile =
        from valid in Valid
        from editCount in Gen.Choose(1, 3)
        from edits in Gen.ArrayOf(
            from at in Gen.Choose(0, 5)
            from word in AnyWord
            select (at, word), editCount)
        from variableCount in Gen.Choose(0, 4)
        from variables in Gen.ArrayOf(
            from name in Gen.Elements("CLIENT_ID", "INTERFACE", "LEASE_EXPIRES", "LEASE_LENGTH", "TAGS", "")
            from value in AnyWord
            select ("DNSMASQ_" + name, value), variableCount)
        from dropExpiry in Gen.Elements(true, false)
        select Mangle(valid, edits, variables, dropExpiry);

    private static Call Mangle(Call valid, (int At, string Word)[] edits, (string Name, string Value)[] variables, bool dropExpiry)
    {
        var args = valid.Args.ToList();
        foreach (var (at, word) in edits)
        {
            if (at < args.Count) args[at] = word;
            else args.Add(word);
        }
        var env = new Dictionary<string, string>(valid.Env);
        if (dropExpiry) env.Remove("DNSMASQ_LEASE_EXPIRES");
        foreach (var (name, value) in variables) env[name] = value;
        return new Call([.. args], env);
    }

    [Fact]
    public void AnyCallIsAnsweredAndAnAcceptedLeasePrintsAsOneLine()
    {
        FuzzRun.Check(output, "dhcp-script hostile", Hostile, call =>
        {
            var size = call.Args.Sum(a => a.Length) + call.Env.Sum(kv => kv.Key.Length + kv.Value.Length);
            var parsed = Budget.Allocation(size, 4096, 64, () => DhcpScriptParser.Parse(call.Args, call.Env, Now));
            switch (parsed)
            {
                case DhcpLeaseEvent lease:
                    LeaseLines.AssertOneLine(lease.ToRecord(HybridTimestamp.Zero, "router-a"));
                    break;
                // Both texts reach the log and dnsmasq's syslog: no line breaks or escapes from the client.
                case DhcpScriptMalformed m:
                    Assert.DoesNotContain(m.Error, c => char.IsControl(c));
                    break;
                case DhcpScriptIgnored i:
                    Assert.DoesNotContain(i.Reason, c => char.IsControl(c));
                    break;
            }
        });
    }
}
