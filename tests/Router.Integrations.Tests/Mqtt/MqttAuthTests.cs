using Router.Integrations.Logging;
using Router.LabKit;
using static Router.Integrations.Tests.Mqtt.MqttTestKit;

namespace Router.Integrations.Tests.Mqtt;

/// <summary>User/password and TLS against the real mosquitto; the test CA is made with the openssl CLI.</summary>
public sealed class MqttAuthTests
{
    private static readonly (string, string) User = ("router", "s3cret pass");

    [Fact]
    public async Task TheRightPasswordConnectsAndPublishes()
    {
        using var broker = Mosquitto.Start(new MosquittoOptions { Port = Mosquitto.FreePort(), User = User });
        var (p, log) = Publisher(Config(broker, c => c with { Username = "router", Password = "s3cret pass" }));
        using var _ = p;
        using var sub = broker.Subscribe("routerha/r1/#", User);
        p.Publish(View("MASTER"));
        await sub.WaitForAsync(l => l.Any(m => m.Topic == "routerha/r1/lan/state" && m.Payload == "MASTER"), Patience, "the state");
    }

    [Fact]
    public async Task AWrongPasswordIsReportedClearlyInHealthAndOnceInTheLog()
    {
        using var broker = Mosquitto.Start(new MosquittoOptions { Port = Mosquitto.FreePort(), User = User });
        var (p, log) = Publisher(Config(broker, c => c with { Username = "router", Password = "wrong" }));
        using var _ = p;
        p.Publish(View("MASTER"));
        await UntilAsync(() => p.Health!.Contains("bad user name or password", StringComparison.Ordinal) ||
                               p.Health!.Contains("not authorized", StringComparison.Ordinal), "the refusal in Health", () => p.Health!);
        Assert.Contains("NOT connected", p.Health);
        // Retries continue with backoff, but the same reason is logged as a warning only once.
        await UntilAsync(() => log.Lines.Count(l => l.Text.Contains("refused", StringComparison.Ordinal)) >= 2, "a retry", () => log.All);
        var warnings = log.Lines.Where(l => l.Level == LogLevel.Warning && l.Text.Contains("refused", StringComparison.Ordinal)).ToList();
        var warning = Assert.Single(warnings);
        Assert.Contains($"mqtt://127.0.0.1:{broker.Options.Port}", warning.Text);
    }

    [Fact]
    public async Task TlsWithTheTestCaAndAClientCertificateWorks()
    {
        using var ca = TestCa.Create("127.0.0.1");
        var tlsPort = Mosquitto.FreePort();
        using var broker = Mosquitto.Start(new MosquittoOptions
        {
            Port = Mosquitto.FreePort(), Tls = ca, TlsPort = tlsPort, RequireClientCertificate = true,
        });
        var (p, log) = Publisher(Config(broker, c => c with
        {
            Port = tlsPort,
            Tls = true,
            CaFile = ca.CaCert,
            CertFile = ca.ClientCert,
            KeyFile = ca.ClientKey,
        }));
        using var _ = p;
        using var sub = broker.Subscribe("routerha/r1/#");
        p.Publish(View("MASTER"));
        await sub.WaitForAsync(l => l.Any(m => m.Topic == "routerha/r1/lan/state" && m.Payload == "MASTER"), Patience,
            $"the state over TLS\n{p.Health}\n{log.All}");
        Assert.StartsWith($"mqtt mqtts://127.0.0.1:{tlsPort}: connected", p.Health);
    }

    [Fact]
    public async Task ABrokerCertificateFromAnotherCaIsRefusedWithTheReason()
    {
        using var ca = TestCa.Create("127.0.0.1");
        using var other = TestCa.Create("127.0.0.1");
        var tlsPort = Mosquitto.FreePort();
        using var broker = Mosquitto.Start(new MosquittoOptions { Port = Mosquitto.FreePort(), Tls = ca, TlsPort = tlsPort });
        var (p, log) = Publisher(Config(broker, c => c with { Port = tlsPort, Tls = true, CaFile = other.CaCert }));
        using var _ = p;
        p.Publish(View("MASTER"));
        await UntilAsync(() => p.Health!.Contains("TLS handshake failed", StringComparison.Ordinal), "the TLS failure in Health",
            () => $"{p.Health}\n{log.All}");
        Assert.Contains("NOT connected", p.Health);
    }
}
