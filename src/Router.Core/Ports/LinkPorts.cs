namespace Router.Core.Ports;

/// <summary>rtnetlink: bring a device administratively up or down (the "link" role action).</summary>
public interface ILinkControl : IDisposable
{
    /// <summary>Idempotent: a device already in that state is success. A missing device throws.</summary>
    void SetLinkUp(string name, bool up);
}
