using Router.Core.Config;
using Router.Core.Setup;
using Router.Peers;

namespace Router.Daemon;

/// <summary>
/// `routerha setup omr`: reads this OMR box's UCI under --root, writes a complete /etc/config/routerha for router a or b
/// and sees to the shared key. Prints everything it does first; --dry-run stops there. Exit 0 ok, 1 refused, 2 usage.
/// </summary>
public static class SetupCommand
{
    private const string Usage =
        "setup omr --router a|b --vip ADDR[/LEN] --peer ADDR [--vrid N] [--secret-file FILE] [--root DIR] [--dry-run] [--force]";

    private static readonly string[] UciFiles = ["network", "dhcp", "openmptcprouter", "firewall"];

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var opts = SetupOptions.Parse(args, out var usage);
        if (usage is not null)
        {
            stderr.WriteLine($"routerha: {usage}");
            stderr.WriteLine($"usage: routerha {Usage} (docs/setup-omr.md)");
            return 2;
        }
        try
        {
            return new Session(opts!, stdout, stderr).Run();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"routerha: {e.Message}");
            return 1;
        }
    }

    private sealed class Session(SetupOptions opts, TextWriter stdout, TextWriter stderr)
    {
        private string OnRoot(string path) => opts.Root == "/" ? path : Path.Join(opts.Root, path.TrimStart('/'));

        public int Run()
        {
            var facts = ReadFacts();
            if (facts is null) return 1;
            var problems = new List<string>();
            var request = new OmrSetupRequest { Router = opts.Router, Vip = opts.Vip, Peer = opts.Peer, Vrid = opts.Vrid };
            var output = OmrSetup.Generate(facts, request, problems);
            if (output is null)
            {
                foreach (var p in problems) stderr.WriteLine($"routerha: {p}");
                return 2;
            }
            var configPath = OnRoot(ConfigFile.DefaultPath);
            if (!Validates(configPath, output.Text)) return 1;
            var secret = PlanSecret(request.SecretFile, facts.LanAddress.Address);
            if (secret is null) return 1;
            if (!MayOverwrite(configPath, output.Text)) return 1;

            stdout.WriteLine(opts.DryRun
                ? $"{OmrSetup.Command(opts.Router)}: dry run, nothing is written. It would:"
                : $"{OmrSetup.Command(opts.Router)}:");
            stdout.WriteLine($"  {secret.Describe()}");
            stdout.WriteLine($"  write {ConfigFile.DefaultPath}{(opts.Root == "/" ? "" : $" under {opts.RootGiven}")}:");
            stdout.WriteLine();
            stdout.Write(output.Text);
            stdout.WriteLine();
            if (!opts.DryRun)
            {
                secret.Apply();
                WriteAtomically(configPath, output.Text);
                stdout.WriteLine($"Written: {ConfigFile.DefaultPath}.");
            }
            NextSteps(facts, output);
            return 0;
        }

        private OmrFacts? ReadFacts()
        {
            var errors = new List<ConfigError>();
            var docs = UciFiles.Select(name => Parse(OnRoot($"/etc/config/{name}"), errors)).ToArray();
            if (errors.Count == 0)
            {
                var facts = OmrFactsReader.Read(new UciTree(docs[0], docs[1], docs[2], docs[3]), opts.Root, errors);
                if (facts is not null) return facts;
            }
            foreach (var e in errors) stderr.WriteLine(e.Line > 0 ? e.ToString() : $"{e.Path}: {e.Message}");
            stderr.WriteLine("routerha: nothing written: fix the above in this router's UCI (or LuCI) and run setup again");
            return null;
        }

        private static UciDocument? Parse(string path, List<ConfigError> errors)
        {
            if (!File.Exists(path)) return null;
            return UciParser.Parse(path, File.ReadAllText(path), errors);
        }

        /// <summary>The real loader, as check-config runs it: a file setup writes must start the daemon.</summary>
        private bool Validates(string path, string text)
        {
            var errors = new List<ConfigError>();
            if (ConfigLoader.LoadText(path, text, _ => null, errors) is { } config)
            {
                foreach (var w in Router.Core.Fencing.FenceBudget.Warnings(config)) stderr.WriteLine($"routerha: warning: {w}");
                return true;
            }
            foreach (var e in errors) stderr.WriteLine($"routerha: generated {e}");
            stderr.WriteLine("routerha: the generated config does not pass check-config (a bug in setup: please report it with the lines above): nothing written");
            return false;
        }

        /// <summary>Only over nothing, the shipped default, or our own output nobody edited; anything else needs --force.</summary>
        private bool MayOverwrite(string path, string text)
        {
            if (!File.Exists(path)) return true;
            var existing = File.ReadAllText(path);
            if (existing == text || SetupHeader.IsUnchangedOutput(existing) || IsShippedDefault(existing)) return true;
            if (opts.Force)
            {
                stderr.WriteLine($"routerha: --force: {path} was edited by hand (or not written by setup) and is replaced");
                return true;
            }
            stderr.WriteLine($"routerha: {path} was edited by hand (or not written by setup): not overwritten. " +
                             "Keep a copy if you need it, then run again with --force to replace it");
            return false;
        }

        private static bool IsShippedDefault(string text)
        {
            using var stream = typeof(SetupCommand).Assembly.GetManifestResourceStream("routerha.config");
            if (stream is null) return false;
            using var reader = new StreamReader(stream);
            return Normalize(reader.ReadToEnd()) == Normalize(text);

            static string Normalize(string s) => s.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd();
        }

        private SecretStep? PlanSecret(string keyPath, System.Net.IPAddress self)
        {
            var onDisk = OnRoot(keyPath);
            var exists = File.Exists(onDisk);
            if (opts.SecretFile is { } given)
            {
                if (Key(given, "--secret-file") is not { } key) return null;
                if (exists && File.ReadAllText(onDisk).Trim() == key && Key(onDisk, keyPath) is not null)
                    return new SecretStep($"keep secret {keyPath} (the same key as {given})", () => { });
                if (exists && !opts.Force)
                {
                    stderr.WriteLine($"routerha: {keyPath} holds another key than {given} (or an unusable one): not replaced. --force replaces it " +
                                     "(the peer channel then works only with the router that has the same key)");
                    return null;
                }
                return new SecretStep($"install secret {keyPath} from {given} (mode 0600)", () => WriteKey(onDisk, key));
            }
            if (exists)
                return Key(onDisk, keyPath) is null ? null
                    : new SecretStep($"reuse secret {keyPath} (it must be the same file on both routers)", () => { });
            if (opts.Router == 'b')
            {
                stderr.WriteLine($"routerha: router b needs router a's key: on router a run scp {keyPath} root@{self}:/tmp/peer.key, " +
                                 "then here the same command with --secret-file /tmp/peer.key");
                return null;
            }
            return new SecretStep($"generate secret {keyPath} (new random key, mode 0600)", () =>
            {
                Directory.CreateDirectory(Path.GetDirectoryName(onDisk)!);
                PeerSecret.WriteNewKeyFile(onDisk);
            });
        }

        /// <summary>The key text of a secret file the daemon would accept (private, long enough), else null with the reason.</summary>
        private string? Key(string path, string what)
        {
            try
            {
                _ = PeerSecret.FromFile(path);
                return File.ReadAllText(path).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                stderr.WriteLine($"routerha: {what}: {e.Message}");
                return null;
            }
        }

        private static void WriteKey(string path, string key)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = path + ".setup-new";
            File.Delete(temp);
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
                stream.Write(System.Text.Encoding.ASCII.GetBytes(key + "\n"));
            File.Move(temp, path, overwrite: true);
        }

        /// <summary>A reader (the daemon's reload, LuCI) never sees half a file.</summary>
        private static void WriteAtomically(string path, string text)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = path + ".setup-new";
            File.WriteAllText(temp, text);
            File.Move(temp, path, overwrite: true);
        }

        private void NextSteps(OmrFacts facts, OmrSetupOutput output)
        {
            var n = 0;
            var vip = output.Vip.Address;
            stdout.WriteLine("Next:");
            if (opts.Router == 'a')
            {
                stdout.WriteLine($"  {++n}. copy the key to router b (run here): scp {OmrSetup.DefaultSecretFile} root@{output.Peer}:/tmp/peer.key");
                var vrid = opts.Vrid == OmrSetup.DefaultVrid ? "" : $" --vrid {opts.Vrid}";
                stdout.WriteLine($"  {++n}. on router b: routerha setup omr --router b --vip {output.Vip} --peer {output.Local}{vrid} --secret-file /tmp/peer.key");
            }
            else if (opts.SecretFile is { } given)
                stdout.WriteLine($"  {++n}. remove the copy: rm {given}");
            if (facts.DhcpSection is { } d)
                stdout.WriteLine($"  {++n}. on both routers, DHCP clients get the VIP as gateway and DNS server: " +
                                 $"uci add_list dhcp.{d}.dhcp_option='3,{vip}' && uci add_list dhcp.{d}.dhcp_option='6,{vip}' && uci commit dhcp");
            stdout.WriteLine($"  {++n}. on both routers: /etc/init.d/routerha enable && /etc/init.d/routerha restart; then routerha status");
        }
    }

    private sealed class SecretStep(string description, Action apply)
    {
        public string Describe() => description;
        public void Apply() => apply();
    }

    private sealed record SetupOptions(char Router, string Vip, string Peer, int Vrid, string Root, string RootGiven, string? SecretFile, bool DryRun, bool Force)
    {
        public static SetupOptions? Parse(string[] args, out string? error)
        {
            error = null;
            if (args.Length == 0 || args[0] != "omr")
            {
                error = args.Length == 0 ? "setup needs what to set up: setup omr" : $"setup: unknown target '{args[0]}' (only omr)";
                return null;
            }
            string? router = null, vip = null, peer = null, vrid = null, root = null, secret = null;
            bool dryRun = false, force = false;
            string? missing = null;
            for (var i = 1; i < args.Length && error is null && missing is null; i++)
            {
                var a = args[i];
                string? Next()
                {
                    if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) return args[++i];
                    missing = $"{a} needs a value";
                    return null;
                }
                switch (a)
                {
                    case "--router": router = Next(); break;
                    case "--vip": vip = Next(); break;
                    case "--peer": peer = Next(); break;
                    case "--vrid": vrid = Next(); break;
                    case "--root": root = Next(); break;
                    case "--secret-file": secret = Next(); break;
                    case "--dry-run": dryRun = true; break;
                    case "--force": force = true; break;
                    default: error = $"setup omr: unexpected argument '{a}'"; break;
                }
            }
            error ??= missing;
            if (error is not null) return null;
            if (router is not ("a" or "b")) error = router is null ? "setup omr needs --router a or --router b (a: the preferred MASTER)" : $"--router must be a or b, not '{router}'";
            else if (vip is null) error = "setup omr needs --vip ADDR[/LEN]: the LAN gateway address the pair shares, a free address of the LAN";
            else if (peer is null) error = "setup omr needs --peer ADDR: the other router's LAN address";
            var vridValue = OmrSetup.DefaultVrid;
            if (error is null && vrid is not null && !int.TryParse(vrid, System.Globalization.NumberStyles.None, null, out vridValue))
                error = $"--vrid '{vrid}' is not a number (1..255)";
            if (error is not null) return null;
            return new SetupOptions(router![0], vip!, peer!, vridValue, Path.GetFullPath(root ?? "/"), root ?? "/", secret is null ? null : Path.GetFullPath(secret), dryRun, force);
        }
    }
}
