using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Router.LabKit;
using static Microsoft.Playwright.Assertions;

namespace Router.Luci.Tests;

/// <summary>Services -> Router HA: the forms over /etc/config/routerha, their checks against check-config's, and
/// Save & Apply against a running pair.</summary>
[Collection(LuciCollection.Name)]
public sealed class ConfigPageTests(Chromium chromium) : IDisposable
{
    private static readonly TimeSpan Advert = TimeSpan.FromMilliseconds(100);
    private readonly string _dir = Directory.CreateTempSubdirectory("routerha-luci-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ILocator Field(IPage page, string section, string option) => page.Locator($"#cbi-routerha-{section}-{option}");

    private static async Task<string> ErrorOf(IPage page, string section, string option) =>
        (await Field(page, section, option).Locator(".cbi-value-error").InnerTextAsync()).Trim();

    [Fact]
    public async Task InstanceFormWritesUciAndSaveAndApplyReloadsWithoutFailover()
    {
        using var cts = LuciAssert.Budget();
        using var lab = PairLab.Create(DaemonKind.RouterHa, VrrpSettings.For(150, Advert), VrrpSettings.For(100, Advert));
        await lab.StartAndElectAsync(cts.Token);
        var b = (RouterHaNode)lab.B;
        var a = (RouterHaNode)lab.A;
        // What a failover would change: transitions and became-master counts on either router.
        (int, int, long, long) Failovers() => (a.Instance().Transitions.Count, b.Instance().Transitions.Count,
            a.Instance().Counters.BecameMaster, b.Instance().Counters.BecameMaster);
        var before = Failovers();
        using var web = LuciHarness.For(b);
        var page = await chromium.OpenAsync(web.Page("routerha/config", "router B"));

        await Field(page, "lan", "priority").Locator("input").FillAsync("120");
        await Field(page, "lan", "garp_repeat").Locator("input").FillAsync("3");
        await Screenshots.TakeAsync(page, "instance.png", "#cbi-routerha-instance");
        await page.Locator(".cbi-page-actions .cbi-button-apply").ClickAsync();
        await page.Locator(".routerha-applied").WaitForAsync(new() { Timeout = 10_000 });

        // The file now says what the form said, in UCI's own shape, and is a valid config.
        var text = File.ReadAllText(b.ConfigPath);
        var lan = UciFile.Parse(text).Sections.Single(s => s.Type == "instance" && s.Name == "lan");
        Assert.Equal(("120", "3"), (lan.Get("priority"), lan.Get("garp_repeat")));
        Assert.Equal([LabTopology.Vip4Cidr], lan.GetList("vip"));
        Assert.Empty(CheckConfig.Messages(b.ConfigPath));

        // Apply reloaded B (the running daemon took the new priority) and nobody failed over.
        await Wait.UntilAsync(() => b.Instance().Priority == 120, TimeSpan.FromSeconds(5), "B running with priority 120", lab.Diagnostics, cts.Token);
        await Wait.HoldsAsync(() => lab.A.State == "MASTER" && lab.B.State == "BACKUP", 3 * lab.B.Settings.MasterDownInterval,
            "A staying MASTER and B BACKUP after the reload", lab.Diagnostics, cts.Token);
        Assert.Equal(before, Failovers());
        await Expect(page.Locator(".routerha-invalid")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task NewActionAndVipListAreWrittenAsUciWithOnlyTheKindsOwnOptions()
    {
        using var cts = LuciAssert.Budget();
        var path = Path.Combine(_dir, "routerha");
        File.WriteAllText(path, RouterHaNode.Render(VrrpSettings.For(150, Advert), Path.Combine(_dir, "ctl.sock"), null));
        var uci = new RpcdUciStandIn("routerha", path, () => { });
        using var web = new LuciHarness((obj, method, args) => obj == "uci" ? uci.Call(method, args) : new JsonArray(4));
        var page = await chromium.OpenAsync(web.Page("routerha/config"));

        var vip = Field(page, "lan", "vip");
        await vip.Locator("input.cbi-input-text").FillAsync("10.77.0.5/24");
        await vip.Locator(".cbi-button-add").ClickAsync();
        var actions = page.Locator("#cbi-routerha-action");
        await actions.Locator(".cbi-section-create-name").FillAsync("wan");
        await actions.Locator(".cbi-section-create .cbi-button-add").ClickAsync();
        // A command first (start filled in), then the kind the user meant: the command's start must not survive.
        await Field(page, "wan", "kind").Locator("select").SelectOptionAsync("command");
        await Field(page, "wan", "start").Locator("input").FillAsync("/bin/true");
        await Field(page, "wan", "kind").Locator("select").SelectOptionAsync("openwrt_wan");
        await Expect(Field(page, "wan", "start")).ToBeHiddenAsync();
        var interfaces = Field(page, "wan", "interface");
        await interfaces.Locator("input.cbi-input-text").FillAsync("wan");
        await interfaces.Locator(".cbi-button-add").ClickAsync();
        await Field(page, "wan", "multipath_master").Locator("select").SelectOptionAsync("master");
        await page.Locator(".cbi-page-actions .cbi-button-apply").ClickAsync();
        await page.Locator(".routerha-applied").WaitForAsync(new() { Timeout = 10_000 });

        var text = File.ReadAllText(path);
        var doc = UciFile.Parse(text);
        Assert.Equal([LabTopology.Vip4Cidr, "10.77.0.5/24"], doc.Sections.Single(s => s.Name == "lan").GetList("vip"));
        var wan = doc.Sections.Single(s => s.Name == "wan");
        Assert.Equal("action", wan.Type);
        Assert.Equal(["interface", "kind", "multipath_master"], wan.Options.Select(o => o.Name).Order());
        Assert.Equal(("openwrt_wan", "master"), (wan.Get("kind"), wan.Get("multipath_master")));
        Assert.Contains("config action 'wan'\n\toption kind 'openwrt_wan'\n", text, StringComparison.Ordinal);
        Assert.Contains("\tlist interface 'wan'\n", text, StringComparison.Ordinal);
        Assert.Contains("\tlist vip '10.77.0.5/24'\n", text, StringComparison.Ordinal);
        Assert.Empty(CheckConfig.Messages(path));
    }

    [Fact]
    public async Task InstanceFormRejectsInvalidValuesWithCheckConfigsMessages()
    {
        using var cts = LuciAssert.Budget();
        var path = Path.Combine(_dir, "routerha");
        var original = RouterHaNode.Render(VrrpSettings.For(150, Advert), Path.Combine(_dir, "ctl.sock"), null);
        File.WriteAllText(path, original);
        var uci = new RpcdUciStandIn("routerha", path, () => { });
        using var web = new LuciHarness((obj, method, args) => obj == "uci" ? uci.Call(method, args) : new JsonArray(4));
        var page = await chromium.OpenAsync(web.Page("routerha/config"));

        var bad = new (string Option, string Value)[] { ("vrid", "0"), ("priority", "300"), ("advert_interval", "0.001"), ("vip", "192.168.1.300/24") };
        foreach (var (option, value) in bad.Where(b => b.Option != "vip"))
            await Field(page, "lan", option).Locator("input").FillAsync(value);
        var vip = Field(page, "lan", "vip");
        await vip.Locator("input.cbi-input-text").FillAsync("192.168.1.300/24");
        await vip.Locator(".cbi-button-add").ClickAsync();
        var shown = new Dictionary<string, string>();
        foreach (var (option, _) in bad) shown[option] = await ErrorOf(page, "lan", option);
        await Screenshots.TakeAsync(page, "instance-invalid.png", "#cbi-routerha-lan fieldset[data-tab='basic']");

        // Save & Apply refuses: nothing written, nothing applied.
        await page.Locator(".cbi-page-actions .cbi-button-apply").ClickAsync();
        await page.Locator(".routerha-invalid").WaitForAsync(new() { Timeout = 5_000 });
        Assert.Equal(original, File.ReadAllText(path));
        Assert.Equal(0, uci.Applies);

        // check-config on the same values says the same words.
        var doc = UciFile.Parse(original);
        var section = doc.Sections.Single(s => s.Name == "lan");
        foreach (var (option, value) in bad) section.Set(option, option == "vip" ? [LabTopology.Vip4Cidr, value] : [value], option == "vip");
        var badPath = Path.Combine(_dir, "bad");
        File.WriteAllText(badPath, doc.ToString());
        var messages = CheckConfig.Messages(badPath);
        foreach (var (option, value) in bad)
            Assert.Equal((option, messages[CheckConfig.LineOf(doc.ToString(), option, value)].First()), (option, shown[option]));
    }

    [Fact]
    public async Task GenerateSecretWritesARootOnlyKeyOnceAndNeverOverwritesIt()
    {
        using var cts = LuciAssert.Budget();
        var path = Path.Combine(_dir, "routerha");
        var key = Path.Combine(_dir, "keys", "peer.key");
        Directory.CreateDirectory(Path.GetDirectoryName(key)!);
        File.WriteAllText(path, $"config global\n\toption dbus '0'\n\toption control_socket '{_dir}/ctl.sock'\n\n"
            + $"config peer 'router_b'\n\tlist path 'lan 10.0.0.1 10.0.0.2'\n\toption secret_file '{key}'\n");
        var routerha = new RouterHaUbus(path,
            new Dictionary<string, string> { ["ROUTERHA_KEY_DIR"] = Path.GetDirectoryName(key)! });
        var uci = new RpcdUciStandIn("routerha", path, () => { });
        using var web = new LuciHarness((obj, method, args) => obj switch
        {
            "routerha" => routerha.Call(method, args),
            "uci" => uci.Call(method, args),
            _ => new JsonArray(4),
        });
        var page = await chromium.OpenAsync(web.Page("routerha/config"));
        var button = Field(page, "router_b", "_genkey").Locator("button");

        await button.ClickAsync();
        await Expect(page.Locator(".routerha-answer")).ToHaveCountAsync(1);
        await Expect(page.Locator(".routerha-answer")).ToContainTextAsync(key);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        var secret = File.ReadAllText(key);
        Assert.True(Convert.FromBase64String(secret.Trim()).Length >= 32, $"key file holds '{secret}'");

        // A second click must not replace the key the other router already has.
        await button.ClickAsync();
        await Expect(page.Locator(".routerha-answer")).ToHaveCountAsync(2);
        await Expect(page.Locator(".alert-message.danger .routerha-answer")).ToContainTextAsync("exists");
        Assert.Equal(secret, File.ReadAllText(key));
        Assert.Equal(2, web.Calls.Count(c => c.StartsWith($"routerha.genkey {{\"file\":\"{key}\"}}", StringComparison.Ordinal)));
    }

    /// <summary>Every ranged option of validate.js, probed just outside its range and with text that is no number,
    /// against check-config's message for the same value in the same kind of section: the two cannot drift.</summary>
    [Fact]
    public async Task EveryFormCheckSaysWhatCheckConfigSays()
    {
        using var cts = LuciAssert.Budget(90);
        var path = Path.Combine(_dir, "routerha");
        File.WriteAllText(path, "config global\n\toption dbus '0'\n");
        var uci = new RpcdUciStandIn("routerha", path, () => { });
        using var web = new LuciHarness((obj, method, args) => obj == "uci" ? uci.Call(method, args) : new JsonArray(4));
        var page = await chromium.OpenAsync(web.Page("routerha/config"));
        var rules = JsonNode.Parse(await page.EvaluateAsync<string>(
            "() => L.require('routerha.validate').then(v => JSON.stringify(v.rules))"))!.AsObject();

        var probes = new List<(string Type, string Option, string Value)>();
        foreach (var (type, options) in rules)
            foreach (var (option, rule) in options!.AsObject())
                foreach (var value in Probes(option, rule!))
                    probes.Add((type, option, value));
        Assert.True(probes.Count > 80, $"only {probes.Count} probes");

        var mismatches = new List<string>();
        var checkedCount = 0;
        foreach (var (type, option, value) in probes)
        {
            var js = await page.EvaluateAsync<JsonElement>(
                "([t, o, v]) => L.require('routerha.validate').then(x => x.check(t, o, v))", new[] { type, option, value });
            var text = Skeleton(type, option) + (option is "vip" or "unicast_peer" or "path" or "instance" ? "\tlist " : "\toption ")
                + $"{option} '{value}'\n";
            var file = Path.Combine(_dir, "probe");
            File.WriteAllText(file, text);
            var atLine = CheckConfig.Messages(file)[CheckConfig.LineOf(text, option, value)].ToList();
            var form = js.ValueKind == JsonValueKind.String ? js.GetString()! : null;
            checkedCount++;
            if (form is null ? atLine.Count != 0 : !atLine.Contains(form))
                mismatches.Add($"{type}.{option} '{value}': form says {form ?? "valid"}; check-config says {(atLine.Count == 0 ? "valid" : string.Join(" | ", atLine))}");
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {checkedCount} probes differ:\n{string.Join('\n', mismatches)}");
    }

    /// <summary>Choosing a kind shows exactly the options check-config accepts for that kind (action and track
    /// sections), and every field carries a description.</summary>
    [Fact]
    public async Task EachKindShowsExactlyTheOptionsCheckConfigAcceptsForIt()
    {
        using var cts = LuciAssert.Budget(90);
        var path = Path.Combine(_dir, "routerha");
        const string Base = "config global\n\toption dbus '0'\n\nconfig instance 'lan'\n\toption interface 'lan0'\n\toption vrid '51'\n\tlist vip '10.77.0.100/24'\n";
        File.WriteAllText(path, Base + "\nconfig action 'a'\n\toption kind 'command'\n\toption start '/bin/true'\n"
            + "\nconfig track 't'\n\toption kind 'link'\n\toption interface 'lan0'\n\nconfig peer 'p'\n\nconfig mqtt\n\nconfig leases\n\nconfig sync_group 'g'\n");
        var uci = new RpcdUciStandIn("routerha", path, () => { });
        using var web = new LuciHarness((obj, method, args) => obj == "uci" ? uci.Call(method, args) : new JsonArray(4));
        var page = await chromium.OpenAsync(web.Page("routerha/config"));

        var undescribed = await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('.cbi-value')].filter(r => !(r.querySelector('.cbi-value-description')?.textContent.trim())).map(r => r.id)");
        Assert.Empty(undescribed);

        var lists = new HashSet<string> { "interface", "service", "section", "server", "instance" };
        var compared = new List<string>();
        var notInBinary = new List<string>();
        var mismatches = new List<string>();
        foreach (var (sid, type, common) in new[]
        {
            ("a", "action", new[] { "kind", "order", "timeout", "retries", "retry_delay", "fenced" }),
            ("t", "track", new[] { "kind", "interval", "timeout", "rise", "fall", "weight", "init_fail", "instance" }),
        })
        {
            var shownJson = await page.EvaluateAsync<string>(@"(sid) => {
                const sel = document.querySelector(`#cbi-routerha-${sid}-kind select`), out = {};
                for (const k of [...sel.options].map(o => o.value)) {
                    sel.value = k;
                    sel.dispatchEvent(new Event('change', { bubbles: true }));
                    out[k] = [...document.querySelectorAll(`.cbi-section-node[data-section='${sid}'] .cbi-value`)]
                        .filter(r => r.style.display != 'none').map(r => r.dataset.name);
                }
                return JSON.stringify(out);
            }", sid);
            var shown = JsonSerializer.Deserialize<Dictionary<string, string[]>>(shownJson)!;
            var specific = shown.Values.SelectMany(v => v).Distinct().Except(common).ToList();
            foreach (var (kind, visible) in shown)
            {
                foreach (var option in specific)
                {
                    var value = option switch { "multipath_master" or "multipath_backup" => "on", "dhcp" => "1", "port" => "80", "host" or "source" => "10.0.0.9", _ => "/bin/true" };
                    var text = Base + $"\nconfig {type} '{sid}'\n\toption kind '{kind}'\n\t{(lists.Contains(option) ? "list" : "option")} {option} '{value}'\n";
                    var file = Path.Combine(_dir, "kind");
                    File.WriteAllText(file, text);
                    var all = CheckConfig.Messages(file);
                    var atKind = all[CheckConfig.LineOf(text, "kind", kind)].ToList();
                    var atOption = all[CheckConfig.LineOf(text, option, value)].ToList();
                    // A kind or option this binary does not know yet (the OMR kinds land with their own branch).
                    if (atKind.Any(m => m.StartsWith("kind '", StringComparison.Ordinal)) || atOption.Any(m => m.StartsWith("unknown option", StringComparison.Ordinal)))
                    {
                        notInBinary.Add($"{type} {kind}.{option}");
                        continue;
                    }
                    var accepted = !atOption.Any(m => m.Contains("does not apply to kind", StringComparison.Ordinal));
                    compared.Add($"{type} {kind}.{option}");
                    if (accepted != visible.Contains(option))
                        mismatches.Add($"{type} kind {kind}: option {option} {(visible.Contains(option) ? "shown" : "hidden")} but check-config {(accepted ? "accepts" : "refuses")} it");
                }
            }
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        // Every kind main's check-config knows was compared: 7 action kinds x 13 options + 5 track kinds x 7 options at least.
        Assert.True(compared.Count >= 7 * 9 + 5 * 7, $"compared only {compared.Count}; not in this binary: {string.Join(", ", notInBinary)}");
    }

    private static IEnumerable<string> Probes(string option, JsonNode rule)
    {
        var kind = (string)rule["kind"]!;
        switch (kind)
        {
            case "int":
                var (min, max) = ((long)rule["min"]!, (long)rule["max"]!);
                if (min > 0) yield return (min - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                yield return min.ToString(System.Globalization.CultureInfo.InvariantCulture);
                yield return (max + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                yield return "1.5";
                yield return "ten";
                break;
            case "seconds":
                var (lo, hi) = ((decimal)rule["min"]!, (decimal)rule["max"]!);
                if (lo > 0) yield return (lo / 2).ToString(System.Globalization.CultureInfo.InvariantCulture);
                yield return (hi + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                yield return "5s";
                break;
            case "path":
                yield return "relative/file";
                break;
            case "address":
                yield return "not-an-address";
                if (option != "source") yield return "224.0.0.18";
                break;
            case "vip":
                yield return "192.168.1.300/24";
                yield return "10.77.0.100/33";
                yield return "127.0.0.2/8";
                yield return "fe80::1/64";
                break;
            case "advert_interval":
                yield return "0.001";
                yield return "0.015";
                yield return "41";
                yield return "0.25";
                break;
            case "path_triple":
                yield return "lan 10.0.0.1";
                yield return "l-an 10.0.0.1 10.0.0.2";
                yield return "lan 10.0.0.1 fe80::2";
                yield return "lan 10.0.0.1 10.0.0.x";
                break;
            case "weight":
                yield return "254";
                yield return "-253";
                yield return "+5";
                break;
            case "node_name":
                yield return "a b";
                break;
            case "auth_pass":
                break; // only with version 2: InstanceFormRejects... covers the v3 refusal by check-config's own rule
        }
    }

    /// <summary>A section of the probe's type with what check-config requires of it, minus the probed option.</summary>
    private static string Skeleton(string type, string option)
    {
        string Lines(params (string Name, string Line)[] lines) =>
            string.Concat(lines.Where(l => l.Name != option).Select(l => $"\t{l.Line}\n"));
        var instance = "config instance 'lan'\n" + Lines(("interface", "option interface 'lan0'"), ("vrid", "option vrid '51'"),
            ("vip", "list vip '10.77.0.100/24'"));
        return "config global\n\toption dbus '0'\n\n" + type switch
        {
            "global" => "",
            "instance" => "",
            _ => instance + "\n",
        } + type switch
        {
            "global" => "",
            "instance" => instance,
            "sync_group" => "config sync_group 'g'\n" + Lines(("instance", "list instance 'lan'")),
            "peer" => "config peer 'p'\n\toption secret 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'\n"
                + Lines(("path", "list path 'lan 10.0.0.1 10.0.0.2'")),
            "mqtt" => "config mqtt\n\toption host 'localhost'\n",
            "action" => "config action 'a'\n" + (option is "config" or "binary" ? "\toption kind 'conntrackd'\n" : "\toption kind 'command'\n\toption start '/bin/true'\n"),
            "track" => "config track 't'\n" + (option == "pidfile" ? "\toption kind 'process'\n" : "\toption kind 'tcp'\n"
                + Lines(("host", "option host '10.0.0.9'"), ("port", "option port '80'"))),
            "leases" => "config leases\n",
            _ => throw new ArgumentOutOfRangeException(nameof(type), type),
        };
    }
}
