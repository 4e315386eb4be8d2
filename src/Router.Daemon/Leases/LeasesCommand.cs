using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Router.Core.Config;
using Router.Core.Leases;
using Router.Store;

namespace Router.Daemon.Leases;

/// <summary>
/// `routerha leases [--json]`: every row of the store, tombstones included, read directly from the file
/// (read-only, so it works with the daemon down and never migrates or moves anything).
/// </summary>
internal static class LeasesCommand
{
    public static int Run(string? configPath, bool json)
    {
        var path = ConfigFile.ResolvePath(configPath);
        var rows = Rows(path, p => Console.Error.WriteLine($"routerha: {p}"), out var dbPath, out var error);
        if (rows is null)
        {
            Console.Error.WriteLine($"routerha: {error}");
            return 1;
        }
        Console.Write(json
            ? JsonSerializer.Serialize(rows, LeaseJson.Default.ListLeaseRow) + "\n"
            : Text(rows, dbPath!));
        return 0;
    }

    /// <summary>Every row of the store named by the config at path (the rpcd verb shares it); null and why when there is none.</summary>
    public static List<LeaseRow>? Rows(string path, Action<ConfigError> problem, out string? dbPath, out string? error)
    {
        error = null;
        var problems = new List<ConfigError>();
        var settings = LeaseSettings.Read(path, problems);
        foreach (var p in problems) problem(p);
        dbPath = settings.DbPath;
        if (settings.DbPath is null)
        {
            error = $"no 'config leases' section in {path}: leases are not kept";
            return null;
        }
        IReadOnlyList<LeaseRecord> rows;
        try
        {
            using var store = LeaseStore.OpenReadOnly(settings.DbPath);
            rows = store?.List(includeDeleted: true) ?? [];
        }
        catch (Exception e) when (e is LeaseStoreException or Microsoft.Data.Sqlite.SqliteException or DllNotFoundException)
        {
            error = e.Message;
            return null;
        }
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return rows.Select(r => LeaseRow.Of(r, now)).ToList();
    }

    private static string Text(List<LeaseRow> rows, string path)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{path}: {rows.Count(r => r.State == "active")} active, {rows.Count(r => r.State == "expired")} expired, {rows.Count(r => r.State == "deleted")} deleted\n");
        foreach (var r in rows)
            sb.Append(CultureInfo.InvariantCulture,
                $"{r.Ip,-15} {r.Mac,-17} {r.State,-7} {r.ExpiresAt ?? "never",-20} {r.Hostname ?? "-",-20} {r.Origin}\n");
        return sb.ToString();
    }
}

/// <summary>One row of `routerha leases --json`; the field names are a public interface.</summary>
internal sealed record LeaseRow(
    string Ip, string Mac, string State, long Expires, string? ExpiresAt, string? Hostname, string? ClientId,
    string? Interface, string Origin, long Stamp, string StampText)
{
    public static LeaseRow Of(LeaseRecord r, long nowUnix) => new(
        r.Key.Address.ToString(), r.Key.Mac,
        r.Deleted ? "deleted" : r.IsExpiredAt(nowUnix) ? "expired" : "active",
        r.ExpiresUnix,
        r.ExpiresUnix == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(r.ExpiresUnix).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        r.Hostname, r.ClientId, r.Interface, r.Origin, r.Stamp.Packed, r.Stamp.ToString());
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(List<LeaseRow>))]
internal sealed partial class LeaseJson : JsonSerializerContext
{
}
