using System.Diagnostics;

namespace TradingPlatform.Diagnostics;

/// <summary>
/// Where a synthesis spends its time (bench/synth-profile.sh prints it): the phases of the app's run and every
/// call that crosses from the CDK's JavaScript into .NET (an aspect's Visit, an overridden CDK method such as
/// Stack.allocateLogicalId). Each such callback is a round trip through jsii's pipe, so their number matters
/// more than what they compute. Off unless Program.cs enables it; when off, a callback costs one branch.
/// </summary>
public static class SynthProfile
{
    private static readonly Dictionary<string, (int Calls, long Ticks)> Callbacks = new();
    private static readonly List<(string Phase, TimeSpan Time)> Phases = [];
    private static readonly Stopwatch Clock = new();

    public static bool Enabled { get; private set; }

    /// <summary>Turns the profile on, its first phase being the .NET runtime's start up to this call.</summary>
    public static void Start()
    {
        Enabled = true;
        Phases.Add(("process start to Main (.NET runtime)", DateTime.Now - Process.GetCurrentProcess().StartTime));
        Clock.Restart();
    }

    /// <summary>Ends a phase of the run (the time since the previous one); nothing when the profile is off.</summary>
    public static void Phase(string name)
    {
        if (Enabled)
        {
            Phases.Add((name, Clock.Elapsed));
            Clock.Restart();
        }
    }

    /// <summary>Counts and times one JavaScript-to-.NET callback of the given kind (dispose when it returns).</summary>
    public static Scope Callback(string kind) => Enabled ? new Scope("callback\t" + kind, Stopwatch.GetTimestamp()) : default;

    /// <summary>Counts and times a step of the app's own that calls into JavaScript (not a callback).</summary>
    public static Scope Measure(string step) => Enabled ? new Scope("step\t" + step, Stopwatch.GetTimestamp()) : default;

    /// <summary>Writes tab-separated lines: phase|callback|step, name, calls (empty for a phase), milliseconds.</summary>
    public static void Write(string file) =>
        File.WriteAllLines(file, Phases.Select(p => $"phase\t{p.Phase}\t\t{p.Time.TotalMilliseconds:F0}")
            .Concat(Callbacks.OrderByDescending(c => c.Value.Calls)
                .Select(c => $"{c.Key}\t{c.Value.Calls}\t{Stopwatch.GetElapsedTime(0, c.Value.Ticks).TotalMilliseconds:F0}")));

    public readonly struct Scope(string? kind, long start) : IDisposable
    {
        public void Dispose()
        {
            if (kind is null)
            {
                return;
            }

            var elapsed = Stopwatch.GetTimestamp() - start;
            Callbacks[kind] = Callbacks.TryGetValue(kind, out var sum) ? (sum.Calls + 1, sum.Ticks + elapsed) : (1, elapsed);
        }
    }
}
