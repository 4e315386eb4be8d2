namespace Router.Lab.Tests;

/// <summary>Lab tests share the machine's timing: run them one at a time so gaps measure the daemons, not each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LabCollection
{
    public const string Name = "lab";
}
