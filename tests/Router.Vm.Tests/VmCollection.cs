using Router.LabKit.Vm;

namespace Router.Vm.Tests;

/// <summary>The VMs run under software emulation on two cores: one scenario at a time, or gaps measure each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class VmCollection
{
    public const string Name = "vm";
}
