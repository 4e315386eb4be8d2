using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Router.LabKit;

namespace Router.LabTool;

/// <summary>
/// Issue 3's figures: from "master lost power" to the tunnel up on the new master (the VPS sees its session) and to
/// the LAN client reaching the VPS through it, with the fence window in use (the dead router cannot confirm, so the
/// new master waits out the window). A fresh HA lab per run. Writes build/bench/tunnel.json.
/// </summary>
public static class TunnelBench
{
    public static async Task RunAsync(int runs, CancellationToken ct)
    {
        var result = new TunnelBenchResult { Runs = runs, FenceWindowMs = new HaLabOptions().FenceWindow.TotalMilliseconds };
        for (var run = 1; run <= runs; run++)
        {
            using var lab = await HaLab.CreateAsync(ct: ct);
            await lab.StartAndSettleAsync(ct);
            var clock = Stopwatch.StartNew();
            await lab.PowerLossAsync('A', ct);
            await Wait.UntilAsync(() => lab.HoldsUplinks('B'), lab.FencedTakeoverTimeout, "B holding WAN and tunnel", lab.Diagnostics, ct);
            var tunnel = clock.Elapsed.TotalMilliseconds;
            await Wait.UntilAsync(lab.Topology.ClientReachesVps, lab.SettleTimeout, "the client reaching the VPS", lab.Diagnostics, ct);
            var client = clock.Elapsed.TotalMilliseconds;
            result.TunnelUpMs.Add(tunnel);
            result.ClientReachesVpsMs.Add(client);
            Console.WriteLine($"  tunnel run {run}: tunnel up on B after {tunnel:0} ms, client reaches the VPS after {client:0} ms");
        }
        Console.WriteLine();
        Console.WriteLine($"Master lost power -> new master's tunnel (fence window {result.FenceWindowMs:0} ms), {runs} runs");
        Console.WriteLine();
        Console.WriteLine("| measure | median | max |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| tunnel up on the new master | {Bench.Median(result.TunnelUpMs):0} ms | {result.TunnelUpMs.Max():0} ms |");
        Console.WriteLine($"| LAN client reaches the VPS | {Bench.Median(result.ClientReachesVpsMs):0} ms | {result.ClientReachesVpsMs.Max():0} ms |");
        var outFile = Path.Combine(RouterHaBinary.RepoRoot, "build", "bench", "tunnel.json");
        Directory.CreateDirectory(Path.GetDirectoryName(outFile)!);
        await File.WriteAllTextAsync(outFile, JsonSerializer.Serialize(result, TunnelBenchJson.Default.TunnelBenchResult), ct);
        Console.WriteLine($"wrote {outFile}");
    }
}

public sealed class TunnelBenchResult
{
    public int Runs { get; set; }
    public double FenceWindowMs { get; set; }
    public List<double> TunnelUpMs { get; set; } = [];
    public List<double> ClientReachesVpsMs { get; set; } = [];
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(TunnelBenchResult))]
internal sealed partial class TunnelBenchJson : JsonSerializerContext;
