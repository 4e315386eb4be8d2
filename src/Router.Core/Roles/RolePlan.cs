namespace Router.Core.Roles;

/// <summary>One step of a plan: an action run in one direction, or the fence check.</summary>
public sealed record PlanStep(string Name, StepPhase Phase, ActionDirection Direction, TimeSpan? Timeout, int Retries, TimeSpan RetryDelay, bool Fenced);

/// <summary>
/// Orders the configured actions into the plan for a target. MASTER: ascending order, with the fence check
/// right before the first fenced action (WAN up, fence check, tunnel up, DHCP up). Any other target: DHCP first, then
/// the fenced actions (the peer may be waiting for our tunnel to stop), then the rest in reverse order.
/// </summary>
/// <remarks>
/// DHCP goes first because the peer's MASTER plan starts its own DHCP only after the fence check, which waits for our
/// Released, sent once the fenced actions have stopped: so ours never serves beside the new master's. Two
/// authoritative servers at once NAK each other's clients, and a NAK makes a client drop its address. The price is
/// the time a DHCP stop takes (a dnsmasq restart) before the tunnel is released.
/// </remarks>
public static class RolePlan
{
    public const string FenceStepName = "fence";

    public static IReadOnlyList<PlanStep> For(RoleTarget target, IReadOnlyList<ActionSpec> actions, TimeSpan? fenceTimeout = null)
    {
        // OrderBy is a stable sort: equal orders keep the file order.
        var ordered = actions.OrderBy(a => a.Order).ToList();
        var steps = new List<PlanStep>();
        if (target == RoleTarget.Master)
        {
            var fenceAdded = false;
            foreach (var a in ordered)
            {
                if (a.Fenced && !fenceAdded)
                {
                    steps.Add(new PlanStep(FenceStepName, StepPhase.Fence, ActionDirection.Start, fenceTimeout, 0, TimeSpan.Zero, true));
                    fenceAdded = true;
                }
                steps.Add(Step(a, ActionDirection.Start));
            }
            return steps;
        }
        ordered.Reverse();
        steps.AddRange(ordered.Where(a => a.Phase == StepPhase.Dhcp).Select(a => Step(a, ActionDirection.Stop)));
        steps.AddRange(ordered.Where(a => a.Fenced && a.Phase != StepPhase.Dhcp).Select(a => Step(a, ActionDirection.Stop)));
        steps.AddRange(ordered.Where(a => !a.Fenced && a.Phase != StepPhase.Dhcp).Select(a => Step(a, ActionDirection.Stop)));
        return steps;
    }

    private static PlanStep Step(ActionSpec a, ActionDirection d) => new(a.Name, a.Phase, d, a.Timeout, a.Retries, a.RetryDelay, a.Fenced);
}
