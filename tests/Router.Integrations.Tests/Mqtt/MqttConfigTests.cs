using Router.Core.Config;

namespace Router.Integrations.Tests.Mqtt;

/// <summary>The "config mqtt" section: defaults, and each mistake reported at its line.</summary>
public sealed class MqttConfigTests
{
    private const string Instance = "config instance 'lan'\n\toption interface 'br-lan'\n\toption vrid '51'\n\tlist vip '10.0.0.1/24'\n";

    private static (RouterConfig? Config, List<ConfigError> Errors) Load(string mqtt)
    {
        var errors = new List<ConfigError>();
        return (ConfigLoader.LoadText("/etc/config/routerha", Instance + mqtt, _ => null, errors), errors);
    }

    [Fact]
    public void ASectionWithOnlyAHostTakesTheDocumentedDefaults()
    {
        var (c, errors) = Load("config mqtt\n\toption host 'broker.lan'\n");
        Assert.Empty(errors);
        var m = Assert.IsType<MqttConfig>(c!.Mqtt);
        Assert.Equal(("broker.lan", 1883, "routerha", "homeassistant"), (m.Host, m.Port, m.TopicPrefix, m.DiscoveryPrefix));
        Assert.Equal(TimeSpan.FromSeconds(30), m.Keepalive);
        Assert.True(m.Discovery);
        Assert.False(m.Commands);
        Assert.False(m.Tls);
        Assert.Equal(65536, m.MaxPacketSize);
    }

    [Fact]
    public void MaxPacketSizeIsTakenWithinItsRange()
    {
        var (c, errors) = Load("config mqtt\n\toption host 'b'\n\toption max_packet_size '1048576'\n");
        Assert.Empty(errors);
        Assert.Equal(1048576, c!.Mqtt!.MaxPacketSize);
    }

    [Theory]
    [InlineData("", MqttProtocol.Auto)]
    [InlineData("\toption protocol 'auto'\n", MqttProtocol.Auto)]
    [InlineData("\toption protocol '5'\n", MqttProtocol.V5)]
    [InlineData("\toption protocol '3.1.1'\n", MqttProtocol.V311)]
    public void ProtocolIsAutoUnlessNamed(string option, MqttProtocol expected)
    {
        var (c, errors) = Load("config mqtt\n\toption host 'b'\n" + option);
        Assert.Empty(errors);
        Assert.Equal(expected, c!.Mqtt!.Protocol);
    }

    [Fact]
    public void AnUnknownProtocolIsRefusedAtItsLine()
    {
        var (_, errors) = Load("config mqtt\n\toption host 'b'\n\toption protocol '3.1'\n");
        Assert.Equal("/etc/config/routerha:7: protocol '3.1' is not one of auto, 5, 3.1.1", Assert.Single(errors).ToString());
    }

    [Theory]
    [InlineData("", 300)]
    [InlineData("\toption event_expiry '60'\n", 60)]
    [InlineData("\toption event_expiry '0'\n", null)]
    public void EventsExpireAfterFiveMinutesByDefaultAndZeroMeansNever(string option, int? seconds)
    {
        var (c, errors) = Load("config mqtt\n\toption host 'b'\n" + option);
        Assert.Empty(errors);
        Assert.Equal(seconds is null ? null : TimeSpan.FromSeconds(seconds.Value), c!.Mqtt!.EventExpiry);
    }

    [Fact]
    public void AnEventExpiryOverADayIsRefused()
    {
        var (_, errors) = Load("config mqtt\n\toption host 'b'\n\toption event_expiry '86401'\n");
        Assert.Equal("/etc/config/routerha:7: event_expiry 86401 out of range 0..86400", Assert.Single(errors).ToString());
    }

    [Fact]
    public void TlsDefaultsToPort8883AndDisabledMeansNoMqtt()
    {
        Assert.Equal(8883, Load("config mqtt\n\toption host 'b'\n\toption tls '1'\n").Config!.Mqtt!.Port);
        var (c, errors) = Load("config mqtt\n\toption enabled '0'\n\toption host 'b'\n");
        Assert.Empty(errors);
        Assert.Null(c!.Mqtt);
        Assert.Null(Load("").Config!.Mqtt);
    }

    [Theory]
    [InlineData("config mqtt\n\toption port '1883'\n", 5, "needs option host")]
    [InlineData("config mqtt\n\toption host 'b'\n\toption password 'x'\n", 7, "password given without username")]
    [InlineData("config mqtt\n\toption host 'b'\n\toption ca_file '/etc/ca.pem'\n", 7, "ca_file needs option tls '1'")]
    [InlineData("config mqtt\n\toption host 'b'\n\toption tls '1'\n\toption cert_file '/c.pem'\n", 8, "cert_file and key_file go together")]
    [InlineData("config mqtt\n\toption host 'b'\n\toption node_id 'r1.lan'\n", 7, "node_id 'r1.lan' may hold only")]
    [InlineData("config mqtt\n\toption host 'b'\n\toption topic_prefix 'home/#'\n", 7, "without '+', '#'")]
    [InlineData("config mqtt\n\toption host 'b'\n\toption keepalive '1'\n", 7, "keepalive 1 out of range 5..3600")]
    [InlineData("config mqtt\n\toption host 'b'\n\toption comands '1'\n", 7, "did you mean 'commands'")]
    [InlineData("config mqtt\n\toption host 'b'\n\toption max_packet_size '100'\n", 7, "max_packet_size 100 out of range 1024..16777216")]
    [InlineData("config mqtt\n\toption host 'b'\n\toption max_packet_size '64k'\n", 7, "max_packet_size '64k' is not a whole number")]
    [InlineData("config mqtt\n\toption host 'b'\nconfig mqtt\n\toption host 'c'\n", 7, "more than one 'config mqtt' section")]
    public void EachMistakeIsReportedAtItsLine(string mqtt, int line, string message)
    {
        var (c, errors) = Load(mqtt);
        Assert.Null(c);
        var e = Assert.Single(errors);
        Assert.Equal(line, e.Line);
        Assert.Contains(message, e.Message);
    }
}
