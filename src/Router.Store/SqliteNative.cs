using System.Reflection;
using System.Runtime.InteropServices;

namespace Router.Store;

/// <summary>
/// Binds SQLitePCLRaw to the system libsqlite3 (OpenWrt package libsqlite3, Debian libsqlite3-0)
/// instead of a bundled libe_sqlite3.so: one copy of SQLite on flash, updated with the OS, and nothing
/// to ship next to the binary. The e_sqlite3 provider speaks the plain sqlite3 C API, so it is pointed
/// at the system library by resolving its import name here.
/// </summary>
public static class SqliteNative
{
    private static readonly string[] Candidates = ["libsqlite3.so.0", "libsqlite3.so"];
    private static readonly Lock Gate = new();
    private static bool _ready;

    public static void EnsureInitialized()
    {
        lock (Gate)
        {
            if (_ready) return;
            NativeLibrary.SetDllImportResolver(typeof(SQLitePCL.SQLite3Provider_e_sqlite3).Assembly, Resolve);
            SQLitePCL.raw.SetProvider(new SQLitePCL.SQLite3Provider_e_sqlite3());
            _ready = true;
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != "e_sqlite3") return IntPtr.Zero;
        foreach (var candidate in Candidates)
            if (NativeLibrary.TryLoad(candidate, out var handle)) return handle;
        throw new DllNotFoundException("libsqlite3 is not installed (OpenWrt: opkg install libsqlite3; Debian: apt install libsqlite3-0)");
    }
}
