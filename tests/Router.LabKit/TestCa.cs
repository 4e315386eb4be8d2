namespace Router.LabKit;

/// <summary>
/// A throwaway certificate authority made with the openssl CLI: a CA, a server certificate for the given IP
/// address (subjectAltName, so name checking is real), and a client certificate. Files live in a temp dir
/// readable by the broker's user.
/// </summary>
public sealed class TestCa : IDisposable
{
    public string Dir { get; }
    public string CaCert => Path.Combine(Dir, "ca.crt");
    public string ServerCert => Path.Combine(Dir, "server.crt");
    public string ServerKey => Path.Combine(Dir, "server.key");
    public string ClientCert => Path.Combine(Dir, "client.crt");
    public string ClientKey => Path.Combine(Dir, "client.key");

    private TestCa(string dir) => Dir = dir;

    public static TestCa Create(string serverAddress)
    {
        var ca = new TestCa(Directory.CreateTempSubdirectory("rha-ca-").FullName);
        try
        {
            ca.OpenSsl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", Path.Combine(ca.Dir, "ca.key"), "-out", ca.CaCert, "-days", "2", "-subj", "/CN=routerha test CA");
            ca.Issue("server", $"/CN={serverAddress}", $"subjectAltName=IP:{serverAddress}\nextendedKeyUsage=serverAuth\n");
            ca.Issue("client", "/CN=routerha-test-client", "extendedKeyUsage=clientAuth\n");
            // The broker drops root for the mosquitto user, which must read these.
            File.SetUnixFileMode(ca.Dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                         | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            foreach (var f in Directory.GetFiles(ca.Dir)) File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            return ca;
        }
        catch
        {
            ca.Dispose();
            throw;
        }
    }

    private void Issue(string name, string subject, string extensions)
    {
        var key = Path.Combine(Dir, $"{name}.key");
        var csr = Path.Combine(Dir, $"{name}.csr");
        var ext = Path.Combine(Dir, $"{name}.ext");
        File.WriteAllText(ext, extensions);
        OpenSsl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", csr, "-subj", subject);
        OpenSsl("x509", "-req", "-in", csr, "-CA", CaCert, "-CAkey", Path.Combine(Dir, "ca.key"), "-CAcreateserial",
            "-out", Path.Combine(Dir, $"{name}.crt"), "-days", "2", "-extfile", ext);
    }

    private void OpenSsl(params string[] args) => Shell.Check("openssl", args);

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
