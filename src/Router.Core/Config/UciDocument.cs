namespace Router.Core.Config;

/// <summary>A parsed UCI file: sections with typed options and lists, each with its source line.</summary>
public sealed record UciDocument(string Path, IReadOnlyList<UciSection> Sections);

public sealed record UciSection(string Type, string? Name, int Line, IReadOnlyList<UciOption> Options);

/// <summary>"option" (IsList=false, one value) or one "list" entry (IsList=true). Repeated list lines stay separate entries.</summary>
public sealed record UciOption(string Name, string Value, bool IsList, int Line);
