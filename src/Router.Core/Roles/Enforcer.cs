using System.Globalization;

namespace Router.Core.Roles;

/// <summary>
/// Continuous enforcement, pure: once a role plan has completed, every <see cref="Interval"/> each drift-checked
/// action is checked against the state the plan put it in (stopped on BACKUP / FAULT / STOP, started on MASTER), and a
/// drift is corrected by running the action again in the same direction, then checked again at once. Something that
/// undoes us (OMR's cron restarting a service, an `ifup`) is put back within one interval.
/// </summary>
/// <remarks>
/// One episode per action from the first check that finds drift to the first that finds none: logged once as it starts
/// (a warning, and a "drift" alert) and once as it ends. An action is corrected at most once per round, so a correction
/// that does not hold cannot become a busy loop. Nothing is checked while a plan runs; a new plan cancels the checks and
/// corrections in flight and ends the open episodes (their state no longer applies). The owner says per action whether
/// a correction may run now (a MASTER's fenced action only while it holds the fence).
/// </remarks>
public sealed class Enforcer
{
    private readonly IReadOnlyList<ActionSpec> _actions;
    private readonly Dictionary<string, Entry> _entries = [];
    private readonly Dictionary<long, (string Action, bool Correct)> _busy = [];
    private long _ticket;
    private long _planId = -1;
    private RoleTarget? _target;
    private bool _active;
    private TimeSpan? _nextRound;

    /// <param name="actions">The actions whose backend can read its state back (the others are never checked).</param>
    public Enforcer(TimeSpan interval, IReadOnlyList<ActionSpec> actions)
    {
        Interval = interval < TimeSpan.Zero ? TimeSpan.Zero : interval;
        _actions = actions;
        foreach (var a in actions) _entries[a.Name] = new Entry();
    }

    /// <summary>Zero: off.</summary>
    public TimeSpan Interval { get; private set; }

    /// <summary>Grows whenever something status or the published view shows has changed.</summary>
    public long Version { get; private set; }

    public TimeSpan? NextDeadline => _active ? _nextRound : null;

    public EnforcementStatus Status => new(Interval, _active, _target, _actions.Select(a =>
    {
        var e = _entries[a.Name];
        return new DriftStatus(a.Name, Direction, e.State, e.DriftingSince, e.Checks, e.Episodes, e.Corrections, e.LastDrift, e.LastError,
            e.LastCheckAt, e.Held);
    }).ToList());

    private ActionDirection Direction => _target == RoleTarget.Master ? ActionDirection.Start : ActionDirection.Stop;

    /// <summary>A new interval (reload); zero stops enforcing and cancels the work in flight.</summary>
    public void SetInterval(TimeSpan interval, TimeSpan now, List<RoleCommand> commands)
    {
        interval = interval < TimeSpan.Zero ? TimeSpan.Zero : interval;
        if (interval == Interval) return;
        Interval = interval;
        Version++;
        if (interval == TimeSpan.Zero) Stand(now, "enforcement turned off", commands);
        else if (_active) _nextRound = now + interval;
    }

    /// <summary>Where the plan stands, after every input: a different or unfinished plan supersedes the enforcement of
    /// the last one; a completed plan is enforced from one interval on.</summary>
    public void Follow(long planId, RoleTarget? target, bool planFinished, TimeSpan now, List<RoleCommand> commands)
    {
        if (planId != _planId || !planFinished)
        {
            if (_active || _busy.Count > 0)
                Stand(now, target is { } t ? $"a new {RoleNames.Of(t)} plan" : "a new plan", commands);
            _planId = planId;
        }
        if (!planFinished || _active || target is null || Interval == TimeSpan.Zero) return;
        _active = true;
        _target = target;
        _nextRound = now + Interval;
        foreach (var e in _entries.Values) e.Reset();
        Version++;
    }

    /// <summary>Starts a round when one is due: a check of every action that has no work in flight.</summary>
    public void OnTimer(TimeSpan now, List<RoleCommand> commands)
    {
        if (!_active || _nextRound is not { } due || due > now) return;
        _nextRound = now + Interval;
        foreach (var a in _actions)
        {
            if (Busy(a.Name)) continue;
            _entries[a.Name].CorrectedThisRound = false;
            Check(a, now, commands);
        }
    }

    /// <summary>Whether the action has work in flight. A loop, not LINQ over the value tuples (binary size:
    /// toolchain/README.md, "Size options").</summary>
    private bool Busy(string action)
    {
        foreach (var (name, _) in _busy.Values)
        {
            if (name == action) return true;
        }
        return false;
    }

    /// <summary>A check (<paramref name="drift"/>: what differs, empty when in state) or a correction ended; ok false with
    /// <paramref name="error"/> when it failed. <paramref name="blocked"/> says why a correction of this action may not
    /// run now (null: it may).</summary>
    /// <returns>False when the ticket is not ours any more (superseded): nothing changed.</returns>
    public bool OnResult(long ticket, bool ok, IReadOnlyList<string> drift, string? error, TimeSpan now, Func<ActionSpec, string?> blocked,
        List<RoleCommand> commands)
    {
        if (!_busy.Remove(ticket, out var work)) return false;
        var spec = _actions.First(a => a.Name == work.Action);
        var e = _entries[work.Action];
        if (work.Correct)
        {
            if (!ok)
            {
                e.LastError = $"correction failed: {error}";
                Version++;
                if (!e.CorrectionFailureLogged)
                {
                    e.CorrectionFailureLogged = true;
                    commands.Add(new RoleNote(NoteLevel.Warn, $"enforce: correcting {work.Action} failed: {error}"));
                }
            }
            // Did it hold? Checked again at once rather than a round later, so the episode ends as soon as it can.
            Check(spec, now, commands);
            return true;
        }
        e.Checks++;
        e.LastCheckAt = now;
        if (!ok)
        {
            if (e.State != DriftState.CheckFailing)
                commands.Add(new RoleNote(NoteLevel.Warn, $"enforce: cannot check {work.Action}: {error}"));
            if (e.State != DriftState.Drifting) e.State = DriftState.CheckFailing;
            e.LastError = error;
            Version++;
            return true;
        }
        if (drift.Count == 0)
        {
            InState(spec, e, now, commands);
            return true;
        }
        var text = string.Join("; ", drift);
        var why = blocked(spec);
        if (e.State != DriftState.Drifting) StartEpisode(spec, e, text, why, now, commands);
        else if (text != e.LastDrift || why != e.Held) Version++;
        e.LastDrift = text;
        e.Held = why;
        if (why is null && !e.CorrectedThisRound) Correct(spec, e, text, now, commands);
        return true;
    }

    private void StartEpisode(ActionSpec spec, Entry e, string text, string? why, TimeSpan now, List<RoleCommand> commands)
    {
        e.State = DriftState.Drifting;
        e.DriftingSince = now;
        e.Episodes++;
        e.CorrectionFailureLogged = false;
        e.LastError = null;
        Version++;
        var role = RoleNames.Of(_target!.Value);
        var action = why is null ? "correcting" : $"not corrected: {why}";
        commands.Add(new RoleNote(NoteLevel.Warn, $"enforce: {spec.Name} is not in its {role} state ({text}): {action}"));
        commands.Add(new RoleAlert("drift", $"{spec.Name} drifted from its {role} state: {text}", new Dictionary<string, string>
        {
            ["action"] = spec.Name,
            ["target"] = role,
            ["direction"] = Lower(Direction),
            ["drift"] = text,
            ["corrected"] = why is null ? "true" : "false",
            ["held"] = why ?? "",
            ["episodes"] = e.Episodes.ToString(CultureInfo.InvariantCulture),
            ["corrections"] = e.Corrections.ToString(CultureInfo.InvariantCulture),
        }));
    }

    private void InState(ActionSpec spec, Entry e, TimeSpan now, List<RoleCommand> commands)
    {
        if (e.State == DriftState.Drifting)
            EndEpisode(spec, e, now, $"back in its {RoleNames.Of(_target!.Value)} state", commands);
        if (e.State != DriftState.InState || e.LastError is not null) Version++;
        e.State = DriftState.InState;
        e.LastError = null;
        e.Held = null;
    }

    private void EndEpisode(ActionSpec spec, Entry e, TimeSpan now, string how, List<RoleCommand> commands)
    {
        var lasted = Seconds(now - e.DriftingSince!.Value);
        var text = $"{spec.Name} {how} after {lasted} ({e.EpisodeCorrections} correction(s))";
        commands.Add(new RoleNote(NoteLevel.Info, $"enforce: {text}"));
        commands.Add(new RoleAlert("drift_ended", text, new Dictionary<string, string>
        {
            ["action"] = spec.Name,
            ["target"] = RoleNames.Of(_target!.Value),
            ["duration_ms"] = (now - e.DriftingSince!.Value).TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture),
            ["corrections"] = e.EpisodeCorrections.ToString(CultureInfo.InvariantCulture),
            ["reason"] = how,
        }));
        e.DriftingSince = null;
        e.EpisodeCorrections = 0;
        Version++;
    }

    private void Check(ActionSpec spec, TimeSpan now, List<RoleCommand> commands)
    {
        var ticket = ++_ticket;
        _busy[ticket] = (spec.Name, false);
        commands.Add(new RunEnforcement(new EnforcementWork(ticket, spec.Name, Direction, _target!.Value, false, spec.Timeout,
            $"enforce {RoleNames.Of(_target!.Value)}: check")));
    }

    private void Correct(ActionSpec spec, Entry e, string drift, TimeSpan now, List<RoleCommand> commands)
    {
        e.CorrectedThisRound = true;
        e.Corrections++;
        e.EpisodeCorrections++;
        Version++;
        var ticket = ++_ticket;
        _busy[ticket] = (spec.Name, true);
        // A DHCP server started again gets the merged leases first, as in the plan.
        if (spec.Phase == StepPhase.Dhcp && Direction == ActionDirection.Start) commands.Add(new PrepareDhcp());
        commands.Add(new RunEnforcement(new EnforcementWork(ticket, spec.Name, Direction, _target!.Value, true, spec.Timeout,
            $"enforce {RoleNames.Of(_target!.Value)}: {drift}")));
    }

    /// <summary>Stops enforcing the current plan: work in flight cancelled, open episodes ended.</summary>
    private void Stand(TimeSpan now, string why, List<RoleCommand> commands)
    {
        foreach (var ticket in _busy.Keys) commands.Add(new CancelEnforcement(ticket));
        _busy.Clear();
        foreach (var a in _actions)
        {
            var e = _entries[a.Name];
            if (e.State == DriftState.Drifting) EndEpisode(a, e, now, $"no longer enforced: {why}", commands);
            e.Reset();
        }
        _active = false;
        _nextRound = null;
        Version++;
    }

    private static string Lower(ActionDirection d) => d == ActionDirection.Start ? "start" : "stop";

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    /// <summary>Counters last for the daemon's life; the state is about the plan being enforced.</summary>
    private sealed class Entry
    {
        public DriftState State;
        public TimeSpan? DriftingSince;
        public long Checks, Episodes, Corrections, EpisodeCorrections;
        public string? LastDrift, LastError, Held;
        public TimeSpan? LastCheckAt;
        public bool CorrectedThisRound, CorrectionFailureLogged;

        public void Reset()
        {
            State = DriftState.Unchecked;
            DriftingSince = null;
            EpisodeCorrections = 0;
            LastError = null;
            Held = null;
            CorrectedThisRound = false;
        }
    }
}
