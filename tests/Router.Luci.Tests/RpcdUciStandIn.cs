using System.Text.Json.Nodes;

namespace Router.Luci.Tests;

/// <summary>
/// Stand-in for rpcd's `uci` ubus object over one config file (ubus and rpcd cannot run here): `get` answers the
/// staged view with rpcd's section metadata (.type .name .anonymous .index), `add` / `set` / `delete` stage,
/// `apply` commits the file and then does what procd's reload trigger does for routerha (the caller's reload).
/// </summary>
public sealed class RpcdUciStandIn(string config, string path, Action afterApply)
{
    private readonly object _gate = new();
    private UciFile? _staged;
    private readonly Dictionary<UciSection, string> _ids = [];
    private int _nextAnonymous;

    public int Applies { get; private set; }

    public JsonNode Call(string method, JsonObject args)
    {
        lock (_gate)
        {
            if (args["config"] is { } c && (string?)c != config)
                return Status(4); // UBUS_STATUS_NOT_FOUND: no such config
            var doc = _staged ??= UciFile.Parse(File.ReadAllText(path));
            switch (method)
            {
                case "get":
                    var values = new JsonObject();
                    var index = 0;
                    foreach (var s in doc.Sections)
                    {
                        var o = new JsonObject
                        {
                            [".anonymous"] = s.Name is null,
                            [".type"] = s.Type,
                            [".name"] = Id(s),
                            [".index"] = index++,
                        };
                        foreach (var (name, vals, isList) in s.Options)
                            o[name] = isList ? new JsonArray([.. vals.Select(v => (JsonNode)JsonValue.Create(v)!)]) : vals[0];
                        values[Id(s)] = o;
                    }
                    return Ok(new JsonObject { ["values"] = values });
                case "add":
                    var added = new UciSection((string)args["type"]!, (string?)args["name"]);
                    doc.Sections.Add(added);
                    SetValues(added, args["values"] as JsonObject);
                    return Ok(new JsonObject { ["section"] = Id(added) });
                case "set":
                    if (Find(doc, (string?)args["section"]) is not { } section) return Status(4);
                    SetValues(section, args["values"] as JsonObject);
                    return Ok(null);
                case "delete":
                    if (Find(doc, (string?)args["section"]) is not { } target) return Status(4);
                    var options = args["options"] is JsonArray many ? many.Select(x => (string)x!).ToList()
                        : args["option"] is { } one ? [(string)one!] : null;
                    if (options is null) doc.Sections.Remove(target);
                    else foreach (var name in options) target.Remove(name);
                    return Ok(null);
                case "apply":
                    File.WriteAllText(path, doc.ToString());
                    _staged = null;
                    _ids.Clear();
                    Applies++;
                    afterApply();
                    return Ok(null);
                default:
                    return Status(3); // UBUS_STATUS_METHOD_NOT_FOUND
            }
        }
    }

    private string Id(UciSection s)
    {
        if (s.Name is not null) return s.Name;
        if (!_ids.TryGetValue(s, out var id)) _ids[s] = id = $"cfg{++_nextAnonymous:x2}{s.Type.Length:x4}";
        return id;
    }

    private UciSection? Find(UciFile doc, string? id) => doc.Sections.FirstOrDefault(s => Id(s) == id);

    private static void SetValues(UciSection s, JsonObject? values)
    {
        foreach (var (name, value) in values ?? [])
        {
            if (value is JsonArray list) s.Set(name, [.. list.Select(v => v!.ToString())], isList: true);
            else s.Set(name, [value!.ToString()], isList: false);
        }
    }

    private static JsonNode Ok(JsonNode? data) => data is null ? new JsonArray(0) : new JsonArray(0, data);

    private static JsonNode Status(int code) => new JsonArray(code);
}
