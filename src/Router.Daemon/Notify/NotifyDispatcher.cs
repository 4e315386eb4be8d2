using System.Globalization;
using Router.Core.Config;
using Router.Core.Vrrp;
using Router.Daemon.Instances;
using Router.Integrations.Logging;
using Router.Integrations.Notify;

namespace Router.Daemon.Notify;

/// <summary>keepalived-style notify scripts for instances and sync groups; the runner executes them off the loop.</summary>
internal sealed class NotifyDispatcher(Log log, TimeSpan timeout, Action<NotifyJob, string> failed)
{
    private readonly NotifyRunner _runner = new(log, timeout, failed);
    private readonly Dictionary<string, VrrpState> _groupStates = [];

    public NotifyStatusCounts Counts => new(_runner.Started, _runner.Failed, _runner.TimedOut);

    public void Instance(InstanceRuntime rt, VrrpState state)
    {
        var name = NotifyName(state);
        var priority = rt.Machine.EffectivePriority.ToString(CultureInfo.InvariantCulture);
        var env = new Dictionary<string, string>
        {
            ["ROUTERHA_INSTANCE"] = rt.Name,
            ["ROUTERHA_STATE"] = name,
            ["ROUTERHA_PRIORITY"] = priority,
            ["ROUTERHA_INTERFACE"] = rt.Config.Interface,
            ["ROUTERHA_VRID"] = rt.Settings.Vrid.ToString(CultureInfo.InvariantCulture),
        };
        Enqueue(rt.Config.Notify, state, ["INSTANCE", rt.Name, name, priority], env);
    }

    /// <summary>Group scripts run once per group state, when every member has arrived in it.</summary>
    public void Group(SyncGroupConfig? config, string group, IReadOnlyList<InstanceRuntime> members)
    {
        var state = members[0].Machine.State;
        if (members.Any(m => m.Machine.State != state)) return;
        if (_groupStates.TryGetValue(group, out var last) && last == state) return;
        _groupStates[group] = state;
        if (config is null) return;
        var name = NotifyName(state);
        var env = new Dictionary<string, string> { ["ROUTERHA_GROUP"] = group, ["ROUTERHA_STATE"] = name };
        Enqueue(config.Notify, state, ["GROUP", group, name], env);
    }

    /// <summary>Scripts hear STOP where logs say INIT (keepalived's notify_stop).</summary>
    private static string NotifyName(VrrpState s) => s == VrrpState.Initialize ? "STOP" : StateNames.Of(s);

    public Task DrainAsync(CancellationToken cancellationToken) => _runner.DrainAsync(cancellationToken);

    /// <summary>keepalived order: the state-specific script first, then the generic one with arguments.</summary>
    private void Enqueue(NotifyConfig n, VrrpState state, string[] genericArgs, Dictionary<string, string> env)
    {
        var specific = state switch
        {
            VrrpState.Master => n.NotifyMaster,
            VrrpState.Backup => n.NotifyBackup,
            VrrpState.Fault => n.NotifyFault,
            _ => n.NotifyStop,
        };
        if (specific is not null) Run(CommandLine.Split(specific), env);
        if (n.Notify is not null) Run([.. CommandLine.Split(n.Notify), .. genericArgs], env);
    }

    private void Run(IReadOnlyList<string> argv, Dictionary<string, string> env)
    {
        if (argv.Count > 0) _runner.Enqueue(new NotifyJob(argv, env));
    }
}

internal sealed record NotifyStatusCounts(long Started, long Failed, long TimedOut);

/// <summary>The state names of logs, notify arguments and status (keepalived's words).</summary>
internal static class StateNames
{
    public static string Of(VrrpState s) => s switch
    {
        VrrpState.Master => "MASTER",
        VrrpState.Backup => "BACKUP",
        VrrpState.Fault => "FAULT",
        _ => "INIT",
    };
}
