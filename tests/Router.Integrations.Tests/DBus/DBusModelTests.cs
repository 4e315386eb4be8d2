using System.Text;
using System.Xml.Linq;
using Router.Integrations.DBus;
using Router.Integrations.Events;

namespace Router.Integrations.Tests.DBus;

/// <summary>What a D-Bus client sees of a view: object paths, the property lists, what counts as a change, and the
/// hand-written introspection agreeing with the properties served.</summary>
public class DBusModelTests
{
    private static InstanceView Lan(string state = "BACKUP", int effective = 100) =>
        new("lan", 51, "br-lan", state, effective, "10.0.0.2", false, ["10.0.0.1/24"]) { ConfiguredPriority = 100 };

    private static RouterView View(InstanceView lan, RoleView? role = null) =>
        new("r1", "1.0", false, [lan]) { Role = role };

    [Theory]
    [InlineData("lan", "lan")]
    [InlineData("lan-6", "lan_2d6")]
    [InlineData("wan_1", "wan_5f1")]
    [InlineData("", "_")]
    [InlineData("é", "_c3_a9")]
    public void InstanceNamesBecomeValidPathElements(string name, string element)
    {
        Assert.Equal(element, DBusNames.PathElement(name));
        Assert.Equal($"/org/routerha/RouterHA1/Instance/{element}", DBusNames.InstancePath(name));
    }

    [Fact]
    public void TwoNamesNeverShareAPath() =>
        Assert.NotEqual(DBusNames.PathElement("a-"), DBusNames.PathElement("a_2d"));

    [Fact]
    public void PriorityIsTheConfiguredOneAndEffectivePriorityTheTrackedOne()
    {
        var props = DBusProperties.Instance(Lan(effective: 80)).ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(new IntValue(100), props["Priority"]);
        Assert.Equal(new IntValue(80), props["EffectivePriority"]);
        Assert.Equal(new ListValue(["10.0.0.1/24"]), props["Vips"]);
    }

    [Fact]
    public void OnlyWhatChangedIsSignalled()
    {
        var before = DBusProperties.Instance(Lan());
        Assert.Empty(DBusProperties.Changed(before, DBusProperties.Instance(Lan())));
        var changed = DBusProperties.Changed(before, DBusProperties.Instance(Lan("MASTER", 100) with { VipsPresent = true }));
        Assert.Equal(["State", "VipsPresent"], changed.Select(c => c.Key));
        Assert.Equal(new StringValue("MASTER"), changed[0].Value);
    }

    [Fact]
    public void AStepOutcomeChangesTheRolePlanAlone()
    {
        RoleView Plan(string outcome) => new("MASTER", false, "Starting", false, [new ActionView("wan", "up", "start", outcome, null)]);
        var changed = DBusProperties.Changed(DBusProperties.Daemon(View(Lan(), Plan("running"))), DBusProperties.Daemon(View(Lan(), Plan("ok"))));
        Assert.Equal(["RolePlan"], changed.Select(c => c.Key));
    }

    [Fact]
    public void ScriptErrorsAreCleanedBeforeTheyReachTheBus()
    {
        var role = new RoleView("MASTER", true, "Up", false, [new ActionView("dhcp", "up", "start", "failed", "boom\n\u001b[31mforged line")]);
        var plan = (PlanValue)DBusProperties.Daemon(View(Lan(), role)).Single(p => p.Key == "RolePlan").Value;
        Assert.Equal("boom??[31mforged line", plan.Steps[0].Error);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void IntrospectionDescribesExactlyThePropertiesServed(bool daemon)
    {
        var xml = XElement.Parse(Encoding.UTF8.GetString((daemon ? DBusIntrospection.Daemon : DBusIntrospection.Instance).Span));
        var described = xml.Elements("property").Select(p => p.Attribute("name")!.Value).ToList();
        var served = (daemon ? DBusProperties.Daemon(View(Lan())) : DBusProperties.Instance(Lan())).Select(p => p.Key).ToList();
        Assert.Equal(served, described);
        Assert.All(xml.Elements("property"), p => Assert.Equal("read", p.Attribute("access")!.Value));
    }
}
