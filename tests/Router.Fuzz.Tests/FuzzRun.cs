using System.Diagnostics;
using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Router.Fuzz.Tests;

/// <summary>
/// Runs one property for the configured number of cases from one seed.
/// ROUTERHA_FUZZ_CASES: cases per property (default <see cref="DefaultCases"/>; `make fuzz` runs many more).
/// ROUTERHA_FUZZ_SEED: the seed, to replay a failure; a failure message names the seed it ran with, and
/// generation is deterministic from it (every decoder here is a pure function of its input), so
/// `ROUTERHA_FUZZ_SEED=N ROUTERHA_FUZZ_CASES=M dotnet test tests/Router.Fuzz.Tests --filter Name` repeats it.
/// </summary>
public static class FuzzRun
{
    /// <summary>About a minute for every property together on the two-core CI machine (measured: 25,000 cases took 30 s alone, 100,000 took 5.5 minutes beside other builds).</summary>
    public const int DefaultCases = 40_000;

    public static readonly int Cases = ReadInt("ROUTERHA_FUZZ_CASES") ?? DefaultCases;

    /// <summary>One seed for the whole run, so one line of a failure is enough to replay every property of it.</summary>
    public static readonly ulong Seed = ReadSeed();

    /// <summary>Checks the property on Cases (times scale) generated values; throws naming the seed on the first failure.</summary>
    /// <param name="scale">fraction of the cases for a property whose cases are expensive (a socket per case).</param>
    public static void Check<T>(ITestOutputHelper output, string name, Gen<T> gen, Action<T> property, double scale = 1)
    {
        var cases = Math.Max(1, (int)(Cases * scale));
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(cases)
            .WithQuietOnSuccess(true)
            // Sizes up to 200 let collection generators reach beyond the small sizes most bugs hide past.
            .WithEndSize(200)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(Seed), FSharpOption<int>.None)));
        var clock = Stopwatch.StartNew();
        try
        {
            Prop.ForAll(gen.ToArbitrary(), property).Check(config);
        }
        catch (Exception e)
        {
            throw new XunitException(
                $"{name} failed with ROUTERHA_FUZZ_SEED={Seed} ROUTERHA_FUZZ_CASES={Cases} (set both to replay):\n{e.Message}");
        }
        output.WriteLine($"{name}: {cases} cases in {clock.ElapsedMilliseconds} ms (ROUTERHA_FUZZ_SEED={Seed})");
    }

    private static int? ReadInt(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;

    private static ulong ReadSeed() =>
        ulong.TryParse(Environment.GetEnvironmentVariable("ROUTERHA_FUZZ_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var s)
            ? s
            : (ulong)Random.Shared.NextInt64();
}
