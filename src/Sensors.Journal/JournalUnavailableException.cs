namespace Sensors.Journal;

/// <summary>
/// The journal cannot be opened: its folder cannot be created or written, or another process (a
/// running gateway) holds it. The message says which and what to do; the gateway exits with
/// EX_IOERR (74) on it.
/// </summary>
public sealed class JournalUnavailableException(string message, Exception inner) : IOException(message, inner);
