namespace Sensors.Portal;

/// <summary>
/// After a rare heavy piece of work (the roll-up job's backfill, a download of a year), a full
/// compacting collection that gives the freed memory back to the system: the portal then idles,
/// and starts its next heavy piece of work, from its small resident size, not from the highest
/// the garbage collector let the heap grow to under the unit's heap limit. Not after ordinary
/// pages: they allocate little, and a collection costs a pause.
/// </summary>
public static class MemoryRelease
{
    /// <summary>A download of this many rows or more counts as heavy.</summary>
    public const long HeavyRows = 100_000;

    public static void Now() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
}
