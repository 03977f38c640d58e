using System.Buffers;
using System.Security.Authentication;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sensors.Mqtt.Packets;

namespace Sensors.Mqtt;

/// <summary>
/// An MQTT 3.1.1 and 5.0 client for a gateway that must not lose messages.
/// <list type="bullet">
/// <item>Inbound messages go to <see cref="Messages"/>, a bounded queue read by the application;
/// the receive loop only decodes and dispatches, so acknowledgements and pings keep flowing.</item>
/// <item>With <see cref="MqttClientOptions.AutoAcknowledge"/> off, a QoS 1/2 message is
/// acknowledged (PUBACK, or PUBREC for QoS 2) only when the application calls
/// <see cref="AcknowledgeAsync"/>: until then the broker keeps it and resends it after a reconnect.</item>
/// <item>The connection is watched by keep-alive and re-established with exponential backoff and
/// jitter; subscriptions are restored when the broker did not keep the session, and unacknowledged
/// outbound QoS 1/2 messages are sent again (DUP) [MQTT-4.4.0-1].</item>
/// <item>A PUBLISH over <see cref="MqttClientOptions.MaximumPacketSize"/> is read past on the wire
/// without being buffered and delivered with <see cref="MqttMessage.OversizeBytes"/> and no payload,
/// to be acknowledged and reported like any message: one such message must not wedge the session.</item>
/// <item>A malformed packet from the broker, or another oversized one, closes the connection with
/// one log line (and, in 5.0, DISCONNECT with the reason code), then reconnects.</item>
/// </list>
/// </summary>
public sealed partial class MqttClient : IAsyncDisposable
{
    /// <summary>How long a disconnect waits for the broker to close its side after our DISCONNECT.</summary>
    public static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly MqttClientOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<MqttMessage> _inbound;
    private readonly object _gate = new();
    private readonly Dictionary<ushort, Outbound> _outbound = [];
    private readonly Dictionary<ushort, (TaskCompletionSource<MqttPacket> Answer, long Connection)> _requests = [];
    private readonly HashSet<ushort> _inboundQos2 = [];
    private readonly List<MqttSubscription> _subscriptions = [];
    private readonly CancellationTokenSource _stopping = new();
    private SemaphoreSlim _inFlight;
    private Connection? _connection;
    private Task? _supervisor;
    private ushort _nextPacketId;
    private long _connections;
    private long _reconnects;

    public MqttClient(MqttClientOptions options, ILogger<MqttClient>? logger = null, TimeProvider? time = null)
    {
        _options = options;
        _logger = logger ?? NullLogger<MqttClient>.Instance;
        _time = time ?? TimeProvider.System;
        _inbound = Channel.CreateBounded<MqttMessage>(new BoundedChannelOptions(options.InboundQueueCapacity) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        _inFlight = new SemaphoreSlim(options.MaxOutboundInFlight, options.MaxOutboundInFlight);
    }

    /// <summary>Messages from the broker, in the order received.</summary>
    public ChannelReader<MqttMessage> Messages => _inbound.Reader;

    public bool IsConnected => _connection is { IsOpen: true };

    /// <summary>Connections re-established after a loss since start.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Whether the broker resumed a session at the last connect.</summary>
    public bool SessionPresent { get; private set; }

    public MqttClientOptions Options => _options;

    /// <summary>
    /// Connects, and from then on keeps the connection up in the background. Throws
    /// <see cref="MqttConnectException"/> when the broker refuses (bad password, not authorised…),
    /// or the network error when it cannot be reached: the caller decides whether to retry.
    /// </summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        _supervisor = Task.Run(() => SuperviseAsync(connection, _stopping.Token), CancellationToken.None);
    }

    /// <summary>Subscribes and remembers the subscriptions, to restore them after a reconnect. Returns the granted QoS or reason code per filter.</summary>
    public async Task<IReadOnlyList<byte>> SubscribeAsync(IReadOnlyList<MqttSubscription> subscriptions, CancellationToken cancellationToken = default)
    {
        foreach (var subscription in subscriptions)
        {
            if (MqttTopic.FilterProblem(subscription.Filter) is { } problem)
            {
                throw new ArgumentException($"Cannot subscribe: {problem}.", nameof(subscriptions));
            }
        }

        lock (_gate)
        {
            _subscriptions.RemoveAll(s => subscriptions.Any(n => n.Filter == s.Filter));
            _subscriptions.AddRange(subscriptions);
        }

        var answer = (SubAckPacket)await RequestAsync(id => new SubscribePacket(id, subscriptions), cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < answer.ReasonCodes.Count && i < subscriptions.Count; i++)
        {
            if (answer.ReasonCodes[i] >= 0x80)
            {
                LogSubscribeRefused(subscriptions[i].Filter, answer.ReasonCodes[i], answer.Properties.ReasonString ?? string.Empty);
            }
        }

        return answer.ReasonCodes;
    }

    public async Task UnsubscribeAsync(IReadOnlyList<string> filters, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _subscriptions.RemoveAll(s => filters.Contains(s.Filter));
        }

        await RequestAsync(id => new UnsubscribePacket(id, filters), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Publishes; for QoS 1 and 2 the task ends when the broker has acknowledged (PUBACK, PUBCOMP),
    /// across reconnects if need be. At most <see cref="MqttClientOptions.MaxOutboundInFlight"/> wait at once.
    /// </summary>
    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, MqttQos qos = MqttQos.AtLeastOnce, bool retain = false, MqttProperties? properties = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(topic) || topic.AsSpan().IndexOfAny('+', '#') >= 0)
        {
            throw new ArgumentException($"'{topic}' is not a topic name one can publish to [MQTT-3.3.2-2].", nameof(topic));
        }

        var packet = new PublishPacket(topic, payload, qos, retain) { PropertiesOrNull = properties };
        if (qos == MqttQos.AtMostOnce)
        {
            await Current().WriteAsync(packet, cancellationToken).ConfigureAwait(false);
            return;
        }

        await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        Outbound outbound;
        lock (_gate)
        {
            packet = packet with { PacketId = NextPacketId() };
            outbound = new Outbound(packet);
            _outbound[packet.PacketId] = outbound;
        }

        try
        {
            if (_connection is { IsOpen: true } connection)
            {
                try
                {
                    await connection.WriteAsync(packet, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception error) when (error is IOException or SocketException or ObjectDisposedException || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    // The connection broke under us: the message is in the session and goes out after the reconnect.
                }
            }

            // Not connected: the message waits in the session and goes out after the reconnect.
            await outbound.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _outbound.Remove(packet.PacketId);
            }

            _inFlight.Release();
        }
    }

    /// <summary>
    /// Acknowledges a QoS 1/2 message that the application has stored. Idempotent. An
    /// acknowledgement for a message of an earlier connection is dropped: the broker sends that
    /// message again on the new connection, and that copy is the one to acknowledge.
    /// </summary>
    public ValueTask AcknowledgeAsync(MqttMessage message, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (message.Qos == MqttQos.AtMostOnce || Interlocked.Exchange(ref message.Acknowledged, 1) == 1)
        {
            return default;
        }

        var connection = _connection;
        if (connection is null || connection.Number != message.Connection || !connection.IsOpen)
        {
            return default;
        }

        if (message.Qos == MqttQos.AtLeastOnce)
        {
            // Queued for the writer loop without waiting for the socket: if the connection drops
            // first, the broker resends the message, which is what an unsent PUBACK means anyway.
            connection.Post(new AckPacket(MqttPacketType.PubAck, message.PacketId));
            return default;
        }

        lock (_gate)
        {
            _inboundQos2.Add(message.PacketId);
        }

        connection.Post(new AckPacket(MqttPacketType.PubRec, message.PacketId));
        return default;
    }

    /// <summary>Sends DISCONNECT (normal, or with a 5.0 reason code) and closes; no reconnect follows.</summary>
    public async Task DisconnectAsync(byte reasonCode = 0, CancellationToken cancellationToken = default)
    {
        _stopping.Cancel();
        var connection = _connection;
        if (connection is { IsOpen: true })
        {
            // What arrives from now on is read but not delivered (so not acknowledged: the broker
            // sends it again to the next session). Then DISCONNECT, behind the PUBACKs already
            // queued, and the broker's own close is awaited: closing a socket that still holds
            // unread data sends a TCP reset, on which the broker's kernel drops what the broker had
            // not read yet of ours, the last PUBACKs and the DISCONNECT, and the broker would send
            // those messages again although they were stored.
            connection.BeginClosing();
            try
            {
                await connection.WriteAsync(new DisconnectPacket(reasonCode), cancellationToken).ConfigureAwait(false);
                if (connection.Receiving is { } receiving)
                {
                    await receiving.WaitAsync(CloseGrace, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception error) when (error is IOException or SocketException or ObjectDisposedException or OperationCanceledException or TimeoutException)
            {
                // Closing anyway.
            }

            connection.Close();
        }

        if (_supervisor is { } supervisor)
        {
            await supervisor.ConfigureAwait(false);
        }

        _inbound.Writer.TryComplete();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await DisconnectAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    // ------------------------------------------------------------ connection lifecycle

    private async Task<Connection> OpenAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        var stream = await MqttTransport.ConnectAsync(_options, timeout.Token).ConfigureAwait(false);
        var number = Interlocked.Increment(ref _connections);
        var connection = new Connection(stream, number, _options.MaximumPacketSize, _options.Version);
        try
        {
            var connect = new ConnectPacket(_options.ClientId, _options.CleanStart, (ushort)Math.Min(ushort.MaxValue, _options.KeepAlive.TotalSeconds))
            {
                Version = _options.Version,
                Username = _options.Username,
                Password = _options.Password is null ? (ReadOnlyMemory<byte>?)null : System.Text.Encoding.UTF8.GetBytes(_options.Password),
                Will = _options.Will,
            };
            if (_options.Version == MqttProtocolVersion.V500)
            {
                connect.Properties.SessionExpiryInterval = (uint)Math.Min(uint.MaxValue, _options.SessionExpiry.TotalSeconds);
                connect.Properties.ReceiveMaximum = _options.ReceiveMaximum;
                // No Maximum Packet Size is announced: the broker would drop a larger message
                // unseen [MQTT-3.1.2-25]. Read past it instead, and the application reports it.
                connect.Properties.TopicAliasMaximum = _options.TopicAliasMaximum;
            }

            await connection.WriteAsync(connect, timeout.Token).ConfigureAwait(false);
            var frame = await connection.Reader.ReadAsync(timeout.Token).ConfigureAwait(false)
                ?? throw new IOException($"{_options.Describe()} closed the connection before answering CONNECT.");
            if (MqttCodec.Decode(frame.First, frame.Body, _options.Version) is not ConnAckPacket connAck)
            {
                throw new MqttProtocolException("The broker's first packet was not CONNACK [MQTT-3.2.0-1].", MqttProtocolException.ProtocolError);
            }

            if (connAck.ReasonCode != 0)
            {
                throw new MqttConnectException(connAck.ReasonCode, _options.Version, _options.Describe(), connAck.Properties.ReasonString);
            }

            connection.ServerKeepAlive = connAck.Properties.ServerKeepAlive is { } keepAlive ? TimeSpan.FromSeconds(keepAlive) : _options.KeepAlive;
            connection.ServerMaximumPacketSize = connAck.Properties.MaximumPacketSize ?? MqttCodec.MaxRemainingLength;
            SessionPresent = connAck.SessionPresent;
            _connection = connection;
            connection.Receiving = Task.Run(() => ReceiveAsync(connection), CancellationToken.None);
            _ = Task.Run(() => KeepAliveAsync(connection), CancellationToken.None);
            await RestoreAsync(connection, connAck.SessionPresent, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            connection.Close();
            throw;
        }
    }

    /// <summary>After a (re)connect: subscriptions again when the session is new, outbound messages in flight again.</summary>
    private async Task RestoreAsync(Connection connection, bool sessionPresent, CancellationToken cancellationToken)
    {
        List<MqttSubscription> subscriptions;
        List<Outbound> outbound;
        lock (_gate)
        {
            subscriptions = [.. _subscriptions];
            outbound = [.. _outbound.Values.OrderBy(o => o.Packet.PacketId)];
            if (!sessionPresent)
            {
                _inboundQos2.Clear();
            }
        }

        if (!sessionPresent && subscriptions.Count > 0)
        {
            _ = RequestOnAsync(connection, id => new SubscribePacket(id, subscriptions), cancellationToken);
        }

        foreach (var message in outbound)
        {
            MqttPacket resend = message.Released && sessionPresent
                ? new AckPacket(MqttPacketType.PubRel, message.Packet.PacketId)
                : message.Packet with { Duplicate = sessionPresent };
            message.Released &= sessionPresent;
            await connection.WriteAsync(resend, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SuperviseAsync(Connection first, CancellationToken stopping)
    {
        var connection = first;
        while (!stopping.IsCancellationRequested)
        {
            var reason = await connection.Closed.Task.ConfigureAwait(false);
            if (stopping.IsCancellationRequested)
            {
                return;
            }

            LogConnectionLost(_options.Describe(), reason);
            var delay = _options.ReconnectDelay;
            var attempts = 0;
            while (!stopping.IsCancellationRequested)
            {
                var jittered = delay * (0.8 + (Random.Shared.NextDouble() * 0.4));
                try
                {
                    await Task.Delay(jittered, _time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                attempts++;
                try
                {
                    connection = await OpenAsync(stopping).ConfigureAwait(false);
                    Interlocked.Increment(ref _reconnects);
                    LogReconnected(_options.Describe(), attempts, SessionPresent);
                    break;
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception error) when (error is not OutOfMemoryException)
                {
                    if (attempts == 1 || attempts % 10 == 0)
                    {
                        LogReconnectFailed(_options.Describe(), attempts, error.Message, jittered.TotalSeconds);
                    }

                    delay = TimeSpan.FromTicks(Math.Min(_options.MaxReconnectDelay.Ticks, delay.Ticks * 2));
                }
            }
        }
    }

    private async Task ReceiveAsync(Connection connection)
    {
        string reason;
        try
        {
            while (true)
            {
                var frame = await connection.Reader.ReadAsync(connection.Token).ConfigureAwait(false);
                if (frame is null)
                {
                    reason = "the broker closed the connection";
                    break;
                }

                connection.LastReceived = _time.GetTimestamp();
                connection.PingOutstanding = false;
                if (frame.Value.Oversize > 0)
                {
                    // Too large to keep: delivered without its payload, to be acknowledged and reported like any message.
                    await ReceivePublishAsync(connection, MqttCodec.DecodePublishHead(frame.Value.First, frame.Value.Body, _options.Version), frame.Value.Oversize).ConfigureAwait(false);
                    continue;
                }

                await DispatchAsync(connection, MqttCodec.Decode(frame.Value.First, frame.Value.Body, _options.Version)).ConfigureAwait(false);
            }
        }
        catch (MqttProtocolException error)
        {
            reason = $"protocol violation from the broker: {error.Message}";
            if (_options.Version == MqttProtocolVersion.V500)
            {
                await connection.TryWriteAsync(new DisconnectPacket(error.ReasonCode)).ConfigureAwait(false);
            }
        }
        catch (BrokerDisconnectException error)
        {
            reason = error.Message;
        }
        catch (OperationCanceledException)
        {
            reason = connection.CloseReason ?? "connection closed";
        }
        catch (Exception error) when (error is IOException or SocketException or ObjectDisposedException or AuthenticationException)
        {
            reason = connection.CloseReason ?? error.Message;
        }

        connection.Close(reason);
        FailRequests(connection, reason);
    }

    private async ValueTask DispatchAsync(Connection connection, MqttPacket packet)
    {
        switch (packet)
        {
            case PublishPacket publish:
                await ReceivePublishAsync(connection, publish).ConfigureAwait(false);
                break;

            case AckPacket { AckType: MqttPacketType.PubAck or MqttPacketType.PubComp } ack:
                Outbound? done;
                lock (_gate)
                {
                    _outbound.TryGetValue(ack.PacketId, out done);
                }

                if (ack.ReasonCode >= 0x80)
                {
                    done?.Done.TrySetException(new InvalidOperationException($"The broker refused the message to '{done.Packet.Topic}': reason code 0x{ack.ReasonCode:X2} {ack.Properties.ReasonString}"));
                }
                else
                {
                    done?.Done.TrySetResult();
                }

                break;

            case AckPacket { AckType: MqttPacketType.PubRec } rec:
                Outbound? waiting;
                lock (_gate)
                {
                    _outbound.TryGetValue(rec.PacketId, out waiting);
                }

                if (rec.ReasonCode >= 0x80)
                {
                    waiting?.Done.TrySetException(new InvalidOperationException($"The broker refused the message to '{waiting.Packet.Topic}': reason code 0x{rec.ReasonCode:X2} {rec.Properties.ReasonString}"));
                    break;
                }

                if (waiting is not null)
                {
                    waiting.Released = true;
                }

                connection.Post(new AckPacket(MqttPacketType.PubRel, rec.PacketId));
                break;

            case AckPacket { AckType: MqttPacketType.PubRel } rel:
                lock (_gate)
                {
                    _inboundQos2.Remove(rel.PacketId);
                }

                connection.Post(new AckPacket(MqttPacketType.PubComp, rel.PacketId));
                break;

            case SubAckPacket or UnsubAckPacket:
                var id = packet is SubAckPacket s ? s.PacketId : ((UnsubAckPacket)packet).PacketId;
                (TaskCompletionSource<MqttPacket> Answer, long Connection) request;
                lock (_gate)
                {
                    _requests.Remove(id, out request);
                }

                request.Answer?.TrySetResult(packet);
                break;

            case PingRespPacket:
                break;

            case DisconnectPacket disconnect:
                throw new BrokerDisconnectException($"the broker disconnected us: {MqttConnectException.Describe(disconnect.ReasonCode, _options.Version)}{(disconnect.Properties.ReasonString is { } text ? $" ({text})" : string.Empty)}");

            default:
                throw new MqttProtocolException($"A client does not expect {packet.Type} from a broker.", MqttProtocolException.ProtocolError);
        }
    }

    private async ValueTask ReceivePublishAsync(Connection connection, PublishPacket publish, int oversize = 0)
    {
        var topic = publish.Topic;
        if (publish.PropertiesOrNull?.TopicAlias is { } alias)
        {
            if (alias == 0 || alias > _options.TopicAliasMaximum)
            {
                throw new MqttProtocolException($"Topic alias {alias} outside 1..{_options.TopicAliasMaximum} [MQTT-3.3.2-9].", MqttProtocolException.TopicAliasInvalid);
            }

            if (topic.Length > 0)
            {
                connection.Aliases[alias] = topic;
            }
            else if (!connection.Aliases.TryGetValue(alias, out topic!))
            {
                throw new MqttProtocolException($"Topic alias {alias} used before it was set.", MqttProtocolException.ProtocolError);
            }
        }
        else if (topic.Length == 0)
        {
            throw new MqttProtocolException("PUBLISH with an empty topic and no alias [MQTT-4.7.3-1].", MqttProtocolException.ProtocolError);
        }

        if (publish.Qos == MqttQos.ExactlyOnce)
        {
            bool seen;
            lock (_gate)
            {
                seen = _inboundQos2.Contains(publish.PacketId);
            }

            if (seen)
            {
                // Already received and acknowledged with PUBREC: do not deliver twice.
                connection.Post(new AckPacket(MqttPacketType.PubRec, publish.PacketId));
                return;
            }
        }

        if (connection.IsClosing)
        {
            return; // disconnecting: not delivered, not acknowledged; the broker sends it again next session
        }

        var message = new MqttMessage(publish, topic, connection.Number) { OversizeBytes = oversize };
        connection.Delivering = true;
        try
        {
            await _inbound.Writer.WriteAsync(message, connection.DeliveryToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (connection.IsClosing && connection.IsOpen)
        {
            return; // the application stopped taking while disconnecting: read on, to the broker's close
        }
        finally
        {
            connection.Delivering = false;
        }

        if (_options.AutoAcknowledge)
        {
            await AcknowledgeAsync(message, connection.Token).ConfigureAwait(false);
        }
    }

    private async Task KeepAliveAsync(Connection connection)
    {
        var interval = connection.ServerKeepAlive;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            while (connection.IsOpen)
            {
                await Task.Delay(interval / 2, _time, connection.Token).ConfigureAwait(false);
                var sinceSent = _time.GetElapsedTime(connection.LastSent);
                var sinceReceived = _time.GetElapsedTime(connection.LastReceived);

                // While the application is slow to take messages, the receive loop waits and
                // PINGRESP is not read: that is backpressure, not a dead connection.
                if (connection.PingOutstanding && !connection.Delivering && sinceReceived > interval)
                {
                    connection.Close($"no answer from the broker for {sinceReceived.TotalSeconds:0} s (keep-alive)");
                    return;
                }

                if (sinceSent >= interval / 2 && !connection.PingOutstanding)
                {
                    connection.PingOutstanding = true;
                    await connection.WriteAsync(new PingReqPacket(), connection.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception error) when (error is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The receive loop reports why the connection ended.
        }
    }

    // ------------------------------------------------------------ requests and sending

    private async Task<MqttPacket> RequestAsync(Func<ushort, MqttPacket> build, CancellationToken cancellationToken) =>
        await RequestOnAsync(Current(), build, cancellationToken).ConfigureAwait(false);

    private async Task<MqttPacket> RequestOnAsync(Connection connection, Func<ushort, MqttPacket> build, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<MqttPacket>(TaskCreationOptions.RunContinuationsAsynchronously);
        ushort id;
        lock (_gate)
        {
            id = NextPacketId();
            _requests[id] = (answer, connection.Number);
        }

        try
        {
            await connection.WriteAsync(build(id), cancellationToken).ConfigureAwait(false);
            return await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _requests.Remove(id);
            }
        }
    }

    private void FailRequests(Connection connection, string reason)
    {
        List<TaskCompletionSource<MqttPacket>> pending;
        lock (_gate)
        {
            pending = [.. _requests.Values.Where(r => r.Connection == connection.Number).Select(r => r.Answer)];
        }

        foreach (var request in pending)
        {
            request.TrySetException(new IOException($"Connection to {_options.Describe()} lost: {reason}"));
        }
    }

    private Connection Current() =>
        _connection is { IsOpen: true } connection ? connection : throw new IOException($"Not connected to {_options.Describe()}.");

    /// <summary>A packet identifier not in use by another exchange [MQTT-2.2.1-3]. Called under <see cref="_gate"/>.</summary>
    private ushort NextPacketId()
    {
        for (var i = 0; i < ushort.MaxValue; i++)
        {
            _nextPacketId = (ushort)(_nextPacketId == ushort.MaxValue ? 1 : _nextPacketId + 1);
            if (!_outbound.ContainsKey(_nextPacketId) && !_requests.ContainsKey(_nextPacketId))
            {
                return _nextPacketId;
            }
        }

        throw new InvalidOperationException("All 65535 packet identifiers are in use.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connection to {Broker} lost: {Reason}; reconnecting")]
    private partial void LogConnectionLost(string broker, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT reconnected to {Broker} after {Attempts} attempt(s), session {SessionPresent}")]
    private partial void LogReconnected(string broker, int attempts, bool sessionPresent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT reconnect to {Broker} failed (attempt {Attempts}): {Reason}; next try in {Seconds:0.0} s")]
    private partial void LogReconnectFailed(string broker, int attempts, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT broker refused the subscription to '{Filter}': reason code 0x{Code:X2} {Reason}. Check the broker's ACL for this client")]
    private partial void LogSubscribeRefused(string filter, byte code, string reason);

    private sealed class Outbound(PublishPacket packet)
    {
        public PublishPacket Packet { get; } = packet;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>QoS 2: PUBREC received, PUBREL sent, waiting for PUBCOMP.</summary>
        public bool Released { get; set; }
    }

    private sealed class BrokerDisconnectException(string message) : Exception(message);

    /// <summary>
    /// One TCP (or TLS) session with the broker. Everything sent goes through one writer loop that
    /// takes whatever packets are waiting and writes them with one system call: under load, a
    /// hundred PUBACKs cost one write, not a hundred.
    /// </summary>
    private sealed class Connection
    {
        private const int MaxBatchBytes = 64 * 1024;

        private readonly Stream _stream;
        private readonly MqttProtocolVersion _version;
        private readonly CancellationTokenSource _closed = new();
        private readonly CancellationTokenSource _closing = new();
        private readonly Channel<(MqttPacket Packet, TaskCompletionSource? Written)> _outgoing =
            Channel.CreateUnbounded<(MqttPacket, TaskCompletionSource?)>(new UnboundedChannelOptions { SingleReader = true });

        public Connection(Stream stream, long number, int maximumPacketSize, MqttProtocolVersion version)
        {
            _stream = stream;
            _version = version;
            Number = number;
            Reader = new MqttFrameReader(stream, maximumPacketSize);
            LastReceived = LastSent = TimeProvider.System.GetTimestamp();
            Writing = Task.Run(WriteLoopAsync);
        }

        public long Number { get; }
        public MqttFrameReader Reader { get; }
        public CancellationToken Token => _closed.Token;
        public bool IsOpen => !_closed.IsCancellationRequested;

        /// <summary>Set by a DISCONNECT of ours: the socket is read to the broker's close, nothing more is delivered.</summary>
        public bool IsClosing => _closing.IsCancellationRequested;

        /// <summary>Cancelled when the connection closes or begins to.</summary>
        public CancellationToken DeliveryToken => _closing.Token;

        public void BeginClosing() => _closing.Cancel();
        public TaskCompletionSource<string> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public string? CloseReason { get; private set; }
        public Dictionary<ushort, string> Aliases { get; } = [];
        public TimeSpan ServerKeepAlive { get; set; }
        public uint ServerMaximumPacketSize { get; set; } = MqttCodec.MaxRemainingLength;
        public long LastReceived { get; set; }
        public long LastSent { get; set; }
        public volatile bool PingOutstanding;
        public volatile bool Delivering;
        public Task? Receiving { get; set; }
        private Task Writing { get; }

        /// <summary>Queues the packet for the writer loop, without waiting for it to be written.</summary>
        public void Post(MqttPacket packet) => _outgoing.Writer.TryWrite((packet, null));

        /// <summary>Queues the packet; the task ends when it is written to the socket.</summary>
        public Task WriteAsync(MqttPacket packet, CancellationToken cancellationToken)
        {
            var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_outgoing.Writer.TryWrite((packet, written)))
            {
                return Task.FromException(new IOException($"The connection is closed ({CloseReason ?? "closing"})."));
            }

            return written.Task.WaitAsync(cancellationToken);
        }

        public async Task TryWriteAsync(MqttPacket packet)
        {
            try
            {
                await WriteAsync(packet, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
            catch (Exception error) when (error is IOException or SocketException or ObjectDisposedException or OperationCanceledException or TimeoutException)
            {
            }
        }

        public void Close(string? reason = null)
        {
            CloseReason ??= reason;
            if (!_closed.IsCancellationRequested)
            {
                _outgoing.Writer.TryComplete();
                _closing.Cancel();
                _closed.Cancel();
                _stream.Dispose();
            }

            if (Receiving is null || Receiving.IsCompleted || reason is not null)
            {
                Closed.TrySetResult(CloseReason ?? "connection closed");
            }
        }

        private async Task WriteLoopAsync()
        {
            var buffer = new ArrayBufferWriter<byte>(4096);
            var scratch = new ArrayBufferWriter<byte>(256);
            var written = new List<TaskCompletionSource>();
            var reader = _outgoing.Reader;
            try
            {
                while (await reader.WaitToReadAsync(Token).ConfigureAwait(false))
                {
                    buffer.ResetWrittenCount();
                    written.Clear();
                    while (buffer.WrittenCount < MaxBatchBytes && reader.TryRead(out var item))
                    {
                        scratch.ResetWrittenCount();
                        try
                        {
                            MqttCodec.Encode(item.Packet, _version, scratch);
                        }
                        catch (Exception error) when (error is ArgumentException or MqttProtocolException)
                        {
                            item.Written?.TrySetException(error);
                            continue;
                        }

                        if (scratch.WrittenCount > ServerMaximumPacketSize)
                        {
                            item.Written?.TrySetException(new InvalidOperationException($"A {item.Packet.Type} packet of {scratch.WrittenCount} bytes is over the broker's maximum packet size ({ServerMaximumPacketSize})."));
                            continue;
                        }

                        buffer.Write(scratch.WrittenSpan);

                        if (item.Written is not null)
                        {
                            written.Add(item.Written);
                        }
                    }

                    await _stream.WriteAsync(buffer.WrittenMemory, Token).ConfigureAwait(false);
                    await _stream.FlushAsync(Token).ConfigureAwait(false);
                    LastSent = TimeProvider.System.GetTimestamp();
                    foreach (var done in written)
                    {
                        done.TrySetResult();
                    }
                }
            }
            catch (Exception error) when (error is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
                var failure = new IOException($"The connection closed before the packet was written ({CloseReason ?? error.Message}).");
                foreach (var done in written)
                {
                    done.TrySetException(failure);
                }

                while (reader.TryRead(out var item))
                {
                    item.Written?.TrySetException(failure);
                }

                Close(CloseReason ?? error.Message);
            }
        }
    }
}
