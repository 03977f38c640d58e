using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sensors.Core;
using Sensors.Influx;
using Sensors.Journal;
using Sensors.Pipeline.Clock;
using Sensors.Pipeline.Metrics;

namespace Sensors.Pipeline;

/// <summary>
/// The pipeline, put together in the order a reading goes through it:
/// <code>
///   source ─▶ CountingSink ─▶ ClockGuard ─▶ JournalSink ─▶ observers (the status page's rooms)
///   (each)    (per source,    (holds or     (on disk: the
///              /metrics)       refuses until  reading is safe
///                              the clock is   once this returns)
///                              trusted)
///   journal ─▶ ForwarderService ─▶ InfluxDB      (batches; points InfluxDB refuses go to the dead-letter store)
///   a message no reader can read ─▶ MessageQuarantine ─▶ the unreadable store (beside, never in the way)
/// </code>
/// <see cref="AddReadingPipeline"/> registers the stages and the forwarder; <see cref="AddSourceRunner"/>
/// the sources' runner, which the host registers last so that it starts last and stops first.
/// </summary>
public static class PipelineServices
{
    public static IServiceCollection AddReadingPipeline(this IServiceCollection services, JournalOptions journal, ClockOptions clock, PipelineOptions pipeline, LineProtocol.Options encoding)
    {
        services.AddSingleton(journal);
        services.AddSingleton(clock);
        services.AddSingleton(pipeline);
        services.AddSingleton<PipelineStats>();
        services.AddSingleton<IInstrumented>(sp => sp.GetRequiredService<PipelineStats>());
        services.AddSingleton<SourceStates>();
        services.AddSingleton<IInstrumented>(sp => sp.GetRequiredService<SourceStates>());

        // The journal and its two side stores.
        services.AddSingleton(sp => Sensors.Journal.Journal.Open(journal, sp.GetRequiredService<ILogger<Sensors.Journal.Journal>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(new DeadLetterStore(journal.Directory));
        services.AddSingleton(new UnreadableStore(journal.Directory));

        // The stages, last first: each is built on the one after it.
        services.AddSingleton(sp => new JournalSink(sp.GetRequiredService<Sensors.Journal.Journal>(), encoding, sp.GetServices<IReadingObserver>()));
        services.AddSingleton<IClockSync>(sp => clock.Source == ClockSyncSource.Kernel
            ? new KernelClockSync(sp.GetRequiredService<TimeProvider>(), clock.NotBefore)
            : new AssumedClockSync());
        services.AddSingleton(sp => new ClockGuard(
            sp.GetRequiredService<JournalSink>(),
            sp.GetRequiredService<IClockSync>(),
            clock,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ClockGuard>>()));
        services.AddSingleton<IInstrumented>(sp => sp.GetRequiredService<ClockGuard>());
        services.AddHostedService<ClockWatchService>();

        // What the sources write to (SourceRunner puts each source's CountingSink in front).
        services.AddSingleton<IReadingSink>(sp => sp.GetRequiredService<ClockGuard>());

        // Beside the path: messages that could not become readings.
        services.AddSingleton<MessageQuarantine>();
        services.AddSingleton<IInstrumented>(sp => sp.GetRequiredService<MessageQuarantine>());

        // Out of the journal: batches to InfluxDB, and one status line now and then.
        services.AddSingleton(sp => new ForwarderService(
            sp.GetRequiredService<Sensors.Journal.Journal>(),
            sp.GetRequiredService<DeadLetterStore>(),
            sp.GetService<InfluxWriter>(),
            pipeline,
            sp.GetRequiredService<PipelineStats>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ForwarderService>>()));
        services.AddHostedService(sp => sp.GetRequiredService<ForwarderService>());
        services.AddHostedService<StatusLogService>();
        return services;
    }

    /// <summary>Runs every registered <see cref="IReadingSource"/>; register it after everything else.</summary>
    public static IServiceCollection AddSourceRunner(this IServiceCollection services) => services.AddHostedService<SourceRunner>();
}
