using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sensors.Core;

namespace Sensors.Journal;

/// <summary>
/// The durable store-and-forward queue: encoded points on local disk until InfluxDB has them.
///
/// Layout. A folder of segment files named by the sequence number of their first record
/// (<c>00000000000000000042.seg</c>), written append-only, one at a time, and a ledger file
/// (<c>ack</c>) holding the first sequence number not yet acknowledged. A record is
/// <c>[u32 length][u32 CRC-32C of seq and line][i64 seq][line]</c>: 16 bytes around a line of
/// line protocol, so about 1.1 bytes reach the disk per byte of line protocol.
///
/// Group commit. <see cref="AppendAsync"/> queues the line and returns when it is on disk: one
/// writer task takes every line waiting, writes them with one write and one fsync, and releases
/// all their callers together. Many readings, one sync. A line appended as grouped (no one
/// upstream waits for it: a sensor's reading) may wait up to <see cref="JournalOptions.GroupWindow"/>
/// in memory for others, so that a school's few readings a second cost one write and one sync a
/// minute, not one each: the SD card is written close to the size of the data. Any other line is
/// committed at once, or, with <see cref="JournalOptions.CommitLinger"/>, while a steady stream
/// keeps coming within that time (not once the stream pauses: <see cref="QuietGap"/>), and takes the
/// grouped ones with it. At a clean stop everything is committed.
///
/// Forwarding. One consumer <see cref="Lease"/>s the oldest lines into a batch and, once InfluxDB
/// has answered 2xx (or the point went to the dead-letter store), <see cref="Acknowledge"/>s them.
/// Only then can their segment be deleted. The ledger is saved at most once per
/// <see cref="JournalOptions.LedgerInterval"/> (and at a clean stop): a stale one costs only
/// duplicates after a crash, never data.
///
/// Bounds. Past <see cref="JournalOptions.MaxBytes"/> the oldest segment is dropped: its points are
/// counted in <see cref="JournalStats.Dropped"/> and logged once per episode.
///
/// Recovery. At open every segment is read and checked. A corrupt record costs only itself: the
/// reader resynchronises on the next valid record (plausible length, a sequence number ahead of
/// the last good one, its CRC), the segment is rewritten with the good records only, and the
/// records between are counted as dropped (<see cref="JournalStats.Corrupt"/>) with one log line.
/// Their sequence numbers become holes, skipped by leases and by the pending count. A torn tail
/// of the newest segment (a power cut in the middle of a write, never acknowledged) is cut back
/// to the last whole record.
/// </summary>
public sealed partial class Journal : IAsyncDisposable
{
    private const int HeaderSize = 16;
    private const int MaxLineBytes = 1 << 20;

    /// <summary>Grouped lines are committed once this many bytes, or this many lines, wait, window or not (a backfill does not wait for the window).</summary>
    private const int GroupBytes = 64 * 1024;
    private const int GroupLines = 512;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private readonly JournalOptions _options;
    private readonly TimeProvider _time;
    private bool _directorySyncFailed;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly List<Segment> _segments = [];
    private readonly Channel<Pending> _appends = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _committer;
    private readonly FileStream _lock;
    private FileStream? _active;
    private long _nextSeq;
    private long _ack;
    private long _readSeq;
    private long _readOffset;
    private Segment? _readSegment;
    private long _dropped;
    private long _corrupt;
    private long _ledgerAck;
    private DateTimeOffset _ledgerSaved = DateTimeOffset.MinValue;
    private long _committedBatches;

    // Sequence numbers that exist in no segment (records lost to corruption), [From, To), in order; only at or after _ack.
    private readonly List<(long From, long To)> _holes = [];
    private bool _dropping;

    // (first sequence of a commit, when it was committed), at most one a second: enough to tell
    // how long the oldest waiting line has waited without reading it back from disk.
    private readonly List<(long Seq, DateTimeOffset At)> _checkpoints = [];
    private TaskCompletionSource _dataAvailable = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Journal(JournalOptions options, ILogger logger, TimeProvider time)
    {
        _options = options;
        _logger = logger;
        _time = time;
        try
        {
            Directory.CreateDirectory(options.Directory);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new JournalUnavailableException($"The journal's folder {options.Directory} cannot be created ({error.Message}): check Journal:Directory and that the service user may write there (sudo install -d -o sensors /var/lib/sensors/journal).", error);
        }

        _lock = AcquireLock(options.Directory);
        Recover();
        _committer = Task.Run(CommitLoopAsync);
    }

    /// <summary>Whether another process (a running gateway) holds the journal in <paramref name="directory"/> now.</summary>
    public static bool IsHeldElsewhere(string directory)
    {
        var path = Path.Combine(directory, "lock");
        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            using var probe = OpenLock(path, FileMode.Open);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false; // not ours to open (another user's folder): nothing to say
        }
    }

    /// <summary>Opens (and recovers) the journal in its folder. Only one process may hold it.</summary>
    /// <remarks>
    /// <paramref name="time"/> stamps each line's arrival (the group window and the linger run from
    /// it, and the oldest line's age), times the commit waits and the ledger's saves; the system
    /// clock when not given.
    /// </remarks>
    public static Journal Open(JournalOptions options, ILogger<Journal>? logger = null, TimeProvider? time = null) => new(options, logger ?? NullLogger<Journal>.Instance, time ?? TimeProvider.System);

    public JournalStats Stats
    {
        get
        {
            lock (_gate)
            {
                return new JournalStats(_nextSeq - _ack - HolesBetween(_ack, _nextSeq), _segments.Sum(s => s.Length), Interlocked.Read(ref _dropped), _committedBatches, _ack, _nextSeq, OldestPendingAt(), Interlocked.Read(ref _corrupt));
            }
        }
    }

    /// <summary>False once the committer has stopped (closed, or failed beyond repair): appends would wait forever.</summary>
    public bool IsRunning => !_committer.IsCompleted;

    /// <summary>True from the cap's first drop until the journal is below three quarters of the cap again (one episode, logged at both ends).</summary>
    public bool IsDropping
    {
        get
        {
            lock (_gate)
            {
                return _dropping;
            }
        }
    }

    /// <summary>The size cap (<see cref="JournalOptions.MaxBytes"/>).</summary>
    public long MaxBytes => _options.MaxBytes;

    /// <summary>
    /// From this size the journal is full: the cap drops a whole segment at a time, so once it has
    /// dropped, it stays between this and the cap while nothing drains it.
    /// </summary>
    public long FullAt => _options.MaxBytes - _options.SegmentBytes;

    /// <summary>Encodes the reading and appends it; returns when it is on disk.</summary>
    public ValueTask AppendAsync(Reading reading, LineProtocol.Options encoding, CancellationToken cancellationToken = default, bool grouped = false)
    {
        // Encoded into a pooled buffer, handed back once the line is written (a reading a message).
        var buffer = new PooledLineWriter();
        try
        {
            LineProtocol.Write(buffer, reading, encoding);
        }
        catch
        {
            buffer.Release();
            throw;
        }

        return Append(buffer.Line, buffer.Array, cancellationToken, grouped);
    }

    /// <summary>
    /// Appends one line of line protocol (no newline); returns when it is on disk. <paramref name="grouped"/>:
    /// no one upstream waits for it, so it may wait up to <see cref="JournalOptions.GroupWindow"/> to share a commit.
    /// </summary>
    public ValueTask AppendAsync(ReadOnlyMemory<byte> line, CancellationToken cancellationToken = default, bool grouped = false) =>
        Append(line, null, cancellationToken, grouped);

    private ValueTask Append(ReadOnlyMemory<byte> line, byte[]? rented, CancellationToken cancellationToken, bool grouped)
    {
        if (line.Length is 0 or > MaxLineBytes)
        {
            Return(rented);
            throw new ArgumentException($"A journal line must hold 1 to {MaxLineBytes} bytes, not {line.Length}.", nameof(line));
        }

        var pending = new Pending(line, rented, grouped, _time.GetUtcNow());
        if (!_appends.Writer.TryWrite(pending))
        {
            Return(rented);
            throw new ObjectDisposedException(nameof(Journal), "The journal is closed.");
        }

        // Cancelling stops the wait, not the commit (the line is queued already).
        return new ValueTask(cancellationToken.CanBeCanceled ? pending.Task.WaitAsync(cancellationToken) : pending.Task);
    }

    private static void Return(byte[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Waits until there is something to lease.</summary>
    public Task WaitForDataAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_readSeq < _nextSeq)
            {
                return Task.CompletedTask;
            }

            return _dataAvailable.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Adds the oldest lines not yet leased to <paramref name="batch"/>, as many as fit, and returns
    /// the sequence number of the first one (the batch's line 0). Lines stay in the journal until
    /// acknowledged.
    /// </summary>
    public long Lease(LineBatch batch)
    {
        lock (_gate)
        {
            var first = _readSeq;
            var chunk = ArrayPool<byte>.Shared.Rent(256 * 1024);
            try
            {
                while (_readSeq < _nextSeq && !batch.IsFull)
                {
                    if (_readSegment is null || !_segments.Contains(_readSegment))
                    {
                        PositionReader(_readSeq);
                    }

                    var segment = _readSegment!;
                    if (_readOffset >= segment.Length)
                    {
                        var next = _segments.IndexOf(segment) + 1;
                        if (next >= _segments.Count)
                        {
                            break;
                        }

                        _readSegment = _segments[next];
                        _readOffset = 0;
                        _readSeq = _readSegment.FirstSeq;
                        continue;
                    }

                    // Read a block of committed bytes only, and take the whole records in it.
                    segment.Handle ??= File.OpenHandle(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    var want = (int)Math.Min(chunk.Length, segment.Length - _readOffset);
                    var got = RandomAccess.Read(segment.Handle, chunk.AsSpan(0, want), _readOffset);
                    var position = 0;
                    var full = false;
                    while (position + HeaderSize <= got)
                    {
                        var length = BinaryPrimitives.ReadInt32LittleEndian(chunk.AsSpan(position));
                        if (position + HeaderSize + length > got)
                        {
                            if (position == 0)
                            {
                                // A record larger than the block: read it alone.
                                var record = new byte[HeaderSize + length];
                                RandomAccess.Read(segment.Handle, record, _readOffset);
                                if (!batch.TryAddEncoded(record.AsSpan(HeaderSize)))
                                {
                                    full = true;
                                    break;
                                }

                                _readOffset += record.Length;
                                _readSeq = BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(8)) + 1;
                            }

                            break;
                        }

                        if (!batch.TryAddEncoded(chunk.AsSpan(position + HeaderSize, length)))
                        {
                            full = true;
                            break;
                        }

                        _readSeq = BinaryPrimitives.ReadInt64LittleEndian(chunk.AsSpan(position + 8)) + 1; // holes: a record's own number, not a count
                        position += HeaderSize + length;
                        _readOffset += HeaderSize + length;
                        if (batch.IsFull)
                        {
                            full = true;
                            break;
                        }
                    }

                    if (full)
                    {
                        break;
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }

            return first;
        }
    }

    /// <summary>
    /// The sequence number <paramref name="lines"/> records after <paramref name="sequence"/>,
    /// skipping holes: where a lease's first <paramref name="lines"/> lines end.
    /// </summary>
    public long Advance(long sequence, long lines)
    {
        lock (_gate)
        {
            var at = sequence;
            foreach (var (from, to) in _holes)
            {
                if (to <= at)
                {
                    continue;
                }

                if (at + lines <= from)
                {
                    break;
                }

                lines -= Math.Max(0, from - at);
                at = to;
            }

            return at + lines;
        }
    }

    /// <summary>
    /// Everything before <paramref name="sequence"/> is settled (delivered, or in the dead-letter
    /// store): it may go. Persists the ledger and deletes segments that hold nothing else.
    /// </summary>
    public void Acknowledge(long sequence)
    {
        lock (_gate)
        {
            if (sequence <= _ack)
            {
                return;
            }

            _ack = Math.Min(sequence, _readSeq);
            _holes.RemoveAll(h => h.To <= _ack);

            // Segments first: deleting a fully acknowledged segment is safe even if the ledger
            // write below fails (recovery starts at the oldest segment left), and it frees the
            // space a full disk needs for the ledger.
            while (_segments.Count > 1 && _segments[1].FirstSeq <= _ack)
            {
                Delete(_segments[0]);
            }

            if (_time.GetUtcNow() - _ledgerSaved >= _options.LedgerInterval)
            {
                TryWriteLedger();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _appends.Writer.TryComplete();
        await _committer.ConfigureAwait(false);
        lock (_gate)
        {
            if (_ledgerAck != _ack)
            {
                TryWriteLedger(); // a clean stop leaves the ledger exact
            }

            try
            {
                _active?.Dispose();
            }
            catch (IOException)
            {
            }

            foreach (var segment in _segments)
            {
                segment.Handle?.Dispose();
            }
        }

        _lock.Dispose();
    }

    // ------------------------------------------------------------------ writing

    private async Task CommitLoopAsync()
    {
        var batch = new List<Pending>();
        var buffer = new ArrayBufferWriter<byte>(256 * 1024);
        var quiet = new QuietGap(_options.CommitLinger);
        var reader = _appends.Reader;
        var open = true;
        long bytes = 0;
        while (open || batch.Count > 0)
        {
            if (batch.Count == 0)
            {
                open = await reader.WaitToReadAsync().ConfigureAwait(false);
            }

            while (bytes < 4 << 20 && reader.TryRead(out var pending))
            {
                batch.Add(pending);
                bytes += pending.Line.Length;
                if (!pending.Grouped)
                {
                    quiet.Arrived(pending.At);
                }
            }

            if (batch.Count == 0)
            {
                continue;
            }

            // Only grouped lines so far: wait for more, until the first has waited the window, a
            // line someone waits for arrives, the group is large, or the journal closes. With a
            // line someone waits for: linger while more keep coming (at most CommitLinger, and
            // not once the stream pauses, see QuietGap).
            var paused = false;
            if (open && bytes < GroupBytes && batch.Count < GroupLines)
            {
                var firstWaited = batch.Find(p => !p.Grouped);
                var lingered = firstWaited is null ? TimeSpan.Zero : firstWaited.At + _options.CommitLinger - _time.GetUtcNow();
                var due = firstWaited is null
                    ? batch[0].At + _options.GroupWindow - _time.GetUtcNow()
                    : Min(lingered, quiet.Current);
                paused = firstWaited is not null && quiet.Current < lingered;
                if (due > TimeSpan.Zero)
                {
                    using var timer = new CancellationTokenSource(due, _time);
                    try
                    {
                        open = await reader.WaitToReadAsync(timer.Token).ConfigureAwait(false);
                        continue; // more came (or the journal closed): look again
                    }
                    catch (OperationCanceledException)
                    {
                        // The window is over, or the stream paused: commit what there is.
                    }
                }
            }

            buffer.ResetWrittenCount();
            try
            {
                Commit(batch, buffer);
                foreach (var pending in batch)
                {
                    Return(pending.Rented);
                    pending.TrySetResult();
                }
            }
            catch (IOException error)
            {
                LogWriteFailed(_options.Directory, error.Message, batch.Count);
                foreach (var pending in batch)
                {
                    Return(pending.Rented);
                    pending.TrySetException(new IOException($"Journal write failed in {_options.Directory}: {error.Message}", error));
                }
            }

            quiet.Committed(paused);
            batch.Clear();
            bytes = 0;
        }
    }

    /// <summary>
    /// Writes and syncs one group. Only this (the committer) writes the active segment and
    /// advances <see cref="_nextSeq"/>, so the write and the fsync happen outside the lock:
    /// leases and acknowledgements go on meanwhile, and see the group once it is on disk.
    /// </summary>
    private void Commit(List<Pending> batch, ArrayBufferWriter<byte> buffer)
    {
        Segment active;
        FileStream file;
        lock (_gate)
        {
            active = ActiveSegment();
            if (active.Length >= _options.SegmentBytes)
            {
                active = Roll();
            }

            file = _active!;
        }

        var seq = _nextSeq;
        foreach (var pending in batch)
        {
            var line = pending.Line.Span;
            var header = buffer.GetSpan(HeaderSize);
            BinaryPrimitives.WriteInt32LittleEndian(header, line.Length);
            BinaryPrimitives.WriteInt64LittleEndian(header[8..], seq);
            var crc = Crc32C.Compute(line, Crc32C.Compute(header.Slice(8, 8)));
            BinaryPrimitives.WriteUInt32LittleEndian(header[4..], crc);
            buffer.Advance(HeaderSize);
            buffer.Write(line);
            seq++;
        }

        var start = active.Length;
        try
        {
            file.Write(buffer.WrittenSpan);
            file.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            // Leave no half batch behind (on disk or in the stream): drop the stream, cut the
            // file back to its last whole record; the next write reopens it there.
            lock (_gate)
            {
                _active = null;
            }

            try
            {
                file.Dispose();
            }
            catch (IOException)
            {
            }

            try
            {
                using var handle = File.OpenHandle(active.Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                RandomAccess.SetLength(handle, start);
            }
            catch (IOException)
            {
            }

            throw;
        }

        lock (_gate)
        {
            active.Length += buffer.WrittenCount;
            active.Count += batch.Count;
            Checkpoint(_nextSeq, _time.GetUtcNow());
            _nextSeq = seq;
            _committedBatches++;
            EnforceCap();
            _dataAvailable.TrySetResult();
            _dataAvailable = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private Segment ActiveSegment()
    {
        if (_segments.Count == 0)
        {
            return Roll();
        }

        _active ??= new FileStream(_segments[^1].Path, FileMode.Append, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
        return _segments[^1];
    }

    private Segment Roll()
    {
        _active?.Dispose();
        var segment = new Segment(Path.Combine(_options.Directory, $"{_nextSeq:D20}.seg"), _nextSeq);
        _active = new FileStream(segment.Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
        _segments.Add(segment);
        FsyncDirectory();
        return segment;
    }

    private void EnforceCap()
    {
        var total = _segments.Sum(s => s.Length);
        var droppedNow = 0L;
        while (total > _options.MaxBytes && _segments.Count > 1)
        {
            var oldest = _segments[0];
            var end = _segments[1].FirstSeq;
            var from = Math.Max(oldest.FirstSeq, Math.Max(_ack, _readSeq));
            var lost = end - from - HolesBetween(from, end);
            droppedNow += Math.Max(0, lost);
            total -= oldest.Length;
            if (_ack < end)
            {
                _ack = end;
                _holes.RemoveAll(h => h.To <= _ack);
            }

            if (_readSeq < end)
            {
                _readSeq = end;
                _readOffset = 0;
                _readSegment = null;
            }

            Delete(oldest);
        }

        if (droppedNow > 0)
        {
            Interlocked.Add(ref _dropped, droppedNow);
            TryWriteLedger();
            if (!_dropping)
            {
                _dropping = true;
                LogCapReached(_options.MaxBytes, droppedNow);
            }
        }
        else if (_dropping && total < _options.MaxBytes * 3 / 4)
        {
            _dropping = false;
            LogCapEpisodeEnded(Interlocked.Read(ref _dropped));
        }
    }

    private void Delete(Segment segment)
    {
        segment.Handle?.Dispose();
        _segments.Remove(segment);
        File.Delete(segment.Path);
    }

    /// <summary>
    /// Persists the ledger; on failure (a full disk) the acknowledgement stays in memory and the
    /// next one tries again. Losing it costs only duplicates after a restart, never data.
    /// </summary>
    private void TryWriteLedger()
    {
        try
        {
            WriteLedger();
        }
        catch (IOException error)
        {
            LogLedgerWriteFailed(_options.Directory, error.Message);
        }
    }

    private void WriteLedger()
    {
        _ledgerSaved = _time.GetUtcNow();
        var path = Path.Combine(_options.Directory, "ack");
        var temp = path + ".tmp";
        Span<byte> bytes = stackalloc byte[12];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, _ack);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[8..], Crc32C.Compute(bytes[..8]));
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        FsyncDirectory();
        _ledgerAck = _ack;
    }

    private void FsyncDirectory()
    {
        // The new file's name must survive a power cut too: fsync the folder.
        try
        {
            DirectorySync.Flush(_options.Directory);
        }
        catch (IOException error)
        {
            if (!_directorySyncFailed)
            {
                _directorySyncFailed = true;
                LogDirectorySyncFailed(error.Message);
            }
        }
    }

    // ------------------------------------------------------------------ recovery

    private void Recover()
    {
        _ack = ReadLedger();
        _ledgerAck = _ack;
        var files = Directory.GetFiles(_options.Directory, "*.seg").Order(StringComparer.Ordinal).ToList();
        var lastSeqs = new List<long>();
        var previousDamaged = false;
        long lost = 0;
        foreach (var path in files)
        {
            if (!long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var first))
            {
                continue;
            }

            var scan = SegmentScan.Of(File.ReadAllBytes(path), first, MaxLineBytes);
            var segment = new Segment(path, first) { Count = scan.Records.Count };
            if (scan.CorruptRegions > 0)
            {
                Rewrite(path, scan);
            }
            else if (scan.TornTail > 0)
            {
                LogTornTail(path, scan.TornTail, scan.Records.Count);
                using var truncate = new FileStream(path, FileMode.Open, FileAccess.Write);
                truncate.SetLength(scan.GoodBytes);
                truncate.Flush(flushToDisk: true);
            }

            segment.Length = scan.GoodBytes;
            var last = scan.Records.Count > 0 ? scan.Records[^1].Seq : first - 1;
            if (last < _ack && files.IndexOf(path) < files.Count - 1)
            {
                File.Delete(path); // fully acknowledged
                continue;
            }

            // A segment before whose end was lost: the numbers up to this one's first. Then the holes
            // inside this one, numbers skipped between good records (in order: _holes stays sorted).
            // Only holes found in a segment damaged now are new losses; the others were counted
            // when an earlier open repaired their segment.
            if (_segments.Count > 0 && lastSeqs[^1] + 1 < first)
            {
                lost += AddHole(lastSeqs[^1] + 1, first) * (previousDamaged ? 1 : 0);
            }

            var damaged = scan.CorruptRegions > 0 || scan.TornTail > 0;
            var expected = first;
            foreach (var record in scan.Records)
            {
                lost += AddHole(expected, record.Seq) * (damaged ? 1 : 0);
                expected = record.Seq + 1;
            }

            previousDamaged = damaged;

            _segments.Add(segment);
            lastSeqs.Add(last);
            _nextSeq = Math.Max(_nextSeq, last + 1);
            Checkpoint(first, new DateTimeOffset(File.GetCreationTimeUtc(path)));
        }

        _nextSeq = Math.Max(_nextSeq, _ack);
        if (_segments.Count > 0 && _segments[0].FirstSeq > _ack)
        {
            _ack = _segments[0].FirstSeq;
        }

        _holes.RemoveAll(h => h.To <= _ack);
        if (lost > 0)
        {
            Interlocked.Add(ref _corrupt, lost);
            Interlocked.Add(ref _dropped, lost);
            LogCorruptDropped(lost, _options.Directory);
        }

        PositionReader(_ack);
        if (_nextSeq > _ack)
        {
            LogRecovered(_nextSeq - _ack - HolesBetween(_ack, _nextSeq), _options.Directory);
        }
    }

    /// <summary>Notes the numbers [from, to) as a hole, as far as they are not acknowledged; returns how many that is.</summary>
    private long AddHole(long from, long to)
    {
        from = Math.Max(from, _ack);
        if (to <= from)
        {
            return 0;
        }

        _holes.Add((from, to));
        return to - from;
    }

    /// <summary>How many numbers in [<paramref name="from"/>, <paramref name="to"/>) are holes.</summary>
    private long HolesBetween(long from, long to)
    {
        long count = 0;
        foreach (var hole in _holes)
        {
            count += Math.Max(0, Math.Min(to, hole.To) - Math.Max(from, hole.From));
        }

        return count;
    }

    /// <summary>A segment with corrupt records in it: the good ones written beside, synced, renamed over it.</summary>
    private void Rewrite(string path, SegmentScan scan)
    {
        LogCorruptSegment(path, scan.CorruptBytes, scan.CorruptRegions, scan.Records.Count);
        var temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            foreach (var record in scan.Records)
            {
                file.Write(scan.Data, record.Offset, record.Size);
            }

            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        FsyncDirectory();
    }

    private void Checkpoint(long sequence, DateTimeOffset at)
    {
        if (_checkpoints.Count > 0 && at - _checkpoints[^1].At < TimeSpan.FromSeconds(1))
        {
            return;
        }

        _checkpoints.Add((sequence, at));
        if (_checkpoints.Count > 8192)
        {
            // Weeks of outage: keep every other checkpoint; the age stays right to a few minutes.
            for (var i = _checkpoints.Count - 2; i > 0; i -= 2)
            {
                _checkpoints.RemoveAt(i);
            }
        }
    }

    /// <summary>When the oldest line still waiting was committed (an upper bound of its age); null when nothing waits.</summary>
    private DateTimeOffset? OldestPendingAt()
    {
        if (_nextSeq <= _ack)
        {
            _checkpoints.Clear();
            return null;
        }

        var drop = 0;
        while (drop + 1 < _checkpoints.Count && _checkpoints[drop + 1].Seq <= _ack)
        {
            drop++;
        }

        _checkpoints.RemoveRange(0, drop);
        return _checkpoints.Count > 0 ? _checkpoints[0].At : null;
    }

    private void PositionReader(long sequence)
    {
        _readSeq = sequence;
        _readOffset = 0;
        _readSegment = null;
        if (_segments.Count == 0 || sequence >= _nextSeq)
        {
            _readSeq = _nextSeq;
            _readSegment = _segments.Count == 0 ? null : _segments[^1];
            _readOffset = _segments.Count == 0 ? 0 : _segments[^1].Length;
            return;
        }

        var segment = SegmentOf(sequence);
        _readSegment = segment;
        if (segment.FirstSeq == sequence)
        {
            return;
        }

        using var stream = new FileStream(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        long offset = 0;
        foreach (var (seq, _, end) in ReadRecords(stream, segment.FirstSeq))
        {
            if (seq >= sequence)
            {
                break;
            }

            offset = end;
        }

        _readOffset = offset;
    }

    private long ReadLedger()
    {
        var ack = ReadLedger(_options.Directory);
        if (ack is null)
        {
            LogLedgerCorrupt(Path.Combine(_options.Directory, "ack"));
        }

        return ack ?? 0; // a damaged ledger: resend from the oldest segment; duplicates are harmless, loss is not
    }

    /// <summary>The first unacknowledged sequence number; 0 without a ledger, null when it is damaged.</summary>
    private static long? ReadLedger(string directory)
    {
        var path = Path.Combine(directory, "ack");
        if (!File.Exists(path))
        {
            return 0;
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != 12 || Crc32C.Compute(bytes.AsSpan(0, 8)) != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)))
        {
            return null;
        }

        return BinaryPrimitives.ReadInt64LittleEndian(bytes);
    }

    /// <summary>
    /// The lines waiting in a journal folder, oldest first, read without taking the journal (the
    /// gateway may be running): for `sensors journal stats` and `export`.
    /// </summary>
    public static IEnumerable<byte[]> ReadPendingLines(string directory)
    {
        var ack = ReadLedger(directory) ?? 0;
        foreach (var path in Directory.Exists(directory) ? Directory.GetFiles(directory, "*.seg").Order(StringComparer.Ordinal) : Enumerable.Empty<string>())
        {
            if (!long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var first))
            {
                continue;
            }

            FileStream stream;
            try
            {
                stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (FileNotFoundException)
            {
                continue; // acknowledged and deleted meanwhile
            }

            using (stream)
            {
                foreach (var (seq, line, _) in ReadRecords(stream, first))
                {
                    if (seq >= ack)
                    {
                        yield return line;
                    }
                }
            }
        }
    }

    /// <summary>Whole, valid records of a segment, in order (holes allowed); stops at the first torn or corrupt one.</summary>
    private static IEnumerable<(long Seq, byte[] Line, long End)> ReadRecords(Stream stream, long firstSeq)
    {
        var header = new byte[HeaderSize];
        long position = 0;
        var expected = firstSeq;
        while (true)
        {
            if (stream.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false) < HeaderSize)
            {
                yield break;
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(header);
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
            var seq = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(8));
            if (length is <= 0 or > MaxLineBytes || seq < expected || seq - expected > SegmentScan.MaxSkip)
            {
                yield break;
            }

            var line = new byte[length];
            if (stream.ReadAtLeast(line, length, throwOnEndOfStream: false) < length)
            {
                yield break;
            }

            if (Crc32C.Compute(line, Crc32C.Compute(header.AsSpan(8, 8))) != crc)
            {
                yield break;
            }

            position += HeaderSize + length;
            expected = seq + 1; // a hole left by a corrupt record is skipped
            yield return (seq, line, position);
        }
    }

    private Segment SegmentOf(long sequence)
    {
        for (var i = _segments.Count - 1; i >= 0; i--)
        {
            if (_segments[i].FirstSeq <= sequence)
            {
                return _segments[i];
            }
        }

        return _segments[0];
    }

    /// <summary>The journal's lock file, held exclusively (.NET takes a flock on it): refused with IOException while another holds it.</summary>
    private static FileStream OpenLock(string path, FileMode mode) => new(path, mode, FileAccess.ReadWrite, FileShare.None);

    private static FileStream AcquireLock(string directory)
    {
        var path = Path.Combine(directory, "lock");
        try
        {
            return OpenLock(path, FileMode.OpenOrCreate);
        }
        catch (UnauthorizedAccessException error)
        {
            throw new JournalUnavailableException($"The journal in {directory} is not the service user's to write ({error.Message}): sudo chown -R sensors {directory}.", error);
        }
        catch (IOException error)
        {
            throw new JournalUnavailableException($"The journal in {directory} is in use by another process (is the gateway running?): {error.Message}", error);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal: could not sync the folder's entries ({Reason}); a power cut right after a new segment may lose its name. Check the file system under Journal:Directory. Said once")]
    private partial void LogDirectorySyncFailed(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Journal write failed in {Directory}: {Reason}; {Count} readings not stored (their sources keep them or retry). Free disk space or check the SD card")]
    private partial void LogWriteFailed(string directory, string reason, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Journal full (Journal:MaxBytes = {MaxBytes}): dropped the oldest segment, {Dropped} readings lost. InfluxDB has not taken data for long: check it, or raise the cap")]
    private partial void LogCapReached(long maxBytes, long dropped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal below its cap again; {Dropped} readings dropped since start")]
    private partial void LogCapEpisodeEnded(long dropped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal segment {Path} had a torn tail (a power cut during a write, never acknowledged): cut {Bytes} bytes, kept {Records} whole records")]
    private partial void LogTornTail(string path, long bytes, long records);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal segment {Path} had corrupt records (an SD card fault?): {Bytes} bytes in {Regions} place(s) skipped, kept {Records} good records after and around them; the segment is rewritten with those only")]
    private partial void LogCorruptSegment(string path, long bytes, int regions, long records);

    [LoggerMessage(Level = LogLevel.Error, Message = "Journal in {Directory}: {Count} readings were unreadable on disk (corrupt records) and are lost; counted in sensors_readings_dropped_total with reason corrupt. Check the SD card (dmesg, badblocks) and plan to replace it")]
    private partial void LogCorruptDropped(long count, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal ledger in {Directory} not saved ({Reason}); kept in memory and saved at the next acknowledgement. After a restart some readings may be sent twice, none lost")]
    private partial void LogLedgerWriteFailed(string directory, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Journal opened with {Pending} readings waiting to be forwarded ({Directory})")]
    private partial void LogRecovered(long pending, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal ledger {Path} is damaged: forwarding again from the oldest segment (InfluxDB keeps one copy of each point)")]
    private partial void LogLedgerCorrupt(string path);

    /// <summary>A line waiting for its commit, and the caller's wait for it (completed once on disk, or failed).</summary>
    private sealed class Pending(ReadOnlyMemory<byte> line, byte[]? rented, bool grouped, DateTimeOffset at) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public ReadOnlyMemory<byte> Line { get; } = line;

        /// <summary>The pooled buffer that holds <see cref="Line"/>, handed back once it is written.</summary>
        public byte[]? Rented { get; } = rented;

        public bool Grouped { get; } = grouped;
        public DateTimeOffset At { get; } = at;
    }

    /// <summary>An encoder's output in one pooled array (a line is a few hundred bytes; it grows if not).</summary>
    private sealed class PooledLineWriter : IBufferWriter<byte>
    {
        private int _written;

        public byte[] Array { get; private set; } = ArrayPool<byte>.Shared.Rent(256);

        /// <summary>The line without its newline.</summary>
        public ReadOnlyMemory<byte> Line => Array.AsMemory(0, Math.Max(0, _written - 1));

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return Array.AsMemory(_written);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return Array.AsSpan(_written);
        }

        public void Release() => ArrayPool<byte>.Shared.Return(Array);

        private void Ensure(int sizeHint)
        {
            if (Array.Length - _written >= Math.Max(sizeHint, 1))
            {
                return;
            }

            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(Array.Length * 2, _written + sizeHint));
            Array.AsSpan(0, _written).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(Array);
            Array = larger;
        }
    }

    private sealed class Segment(string path, long firstSeq)
    {
        public string Path { get; } = path;
        public long FirstSeq { get; } = firstSeq;
        public long Length { get; set; }
        public long Count { get; set; }
        public Microsoft.Win32.SafeHandles.SafeFileHandle? Handle { get; set; }
    }
}

/// <summary>What the journal holds.</summary>
/// <param name="Pending">Points not yet acknowledged.</param>
/// <param name="Bytes">Size of the segment files.</param>
/// <param name="Dropped">Points dropped since start: by the size cap, and lost to corrupt records.</param>
/// <param name="OldestPendingAt">When the oldest waiting point was committed, to the second; null when none waits.</param>
/// <param name="Corrupt">Of <paramref name="Dropped"/>, the points lost to corrupt records found at open.</param>
public sealed record JournalStats(long Pending, long Bytes, long Dropped, long Commits, long Acknowledged, long Next, DateTimeOffset? OldestPendingAt = null, long Corrupt = 0)
{
    /// <summary>How long the oldest waiting point has waited at <paramref name="now"/> (never negative); null when none waits.</summary>
    public TimeSpan? OldestPendingAge(DateTimeOffset now) => OldestPendingAt is { } oldest ? (now > oldest ? now - oldest : TimeSpan.Zero) : null;
}
