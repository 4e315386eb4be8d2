using System.Text;

namespace Router.Core.Config;

/// <summary>The kernel's rule for device names (dev_valid_name): 1..15 bytes, not . or .., no /, : or blanks.</summary>
internal static class DeviceName
{
    /// <summary>Why the name is invalid, or null when it is fine.</summary>
    public static string? Problem(string name) =>
        name.Length == 0 ? "it is empty" :
        Encoding.UTF8.GetByteCount(name) > 15 ? "longer than 15 characters, the kernel limit" :
        name is "." or ".." ? "reserved name" :
        name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c)) ? "it must not contain '/', ':' or spaces" :
        null;
}
