using System.Diagnostics.Metrics;
using Sensors.Pipeline.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Sensors.Gateway.Configuration;
using Sensors.Gateway.Health;
using Sensors.Pipeline;
using Sensors.Mqtt;
using Sensors.Mqtt.Packets;

namespace Sensors.Gateway.Sources.Mqtt;

/// <summary>
/// Readings from MQTT: devices, trucks and network servers publishing to a broker. The session is
/// persistent (the broker queues QoS 1/2 messages while the gateway is away) and acknowledgement
/// is manual: a message is acknowledged only once its readings are in the sink, so a crash before
/// that makes the broker send it again. A message that cannot be read goes to the quarantine
/// (kept with its reason, counted, logged at most once a minute) and is acknowledged, so that it
/// does not come back forever; the flow goes on.
/// </summary>
public sealed partial class MqttSource(MqttSourceOptions options, string gatewayId, MessageReaders readers, MessageQuarantine quarantine, TimeProvider time, ILoggerFactory loggers) : IReadingSource, IInstrumented, ISourceProgress
{
    /// <summary>Mosquitto's count of messages it dropped (a full queue, an over-long inflight): published on $SYS every sys_interval.</summary>
    public const string BrokerDroppedTopic = "$SYS/broker/publish/messages/dropped";

    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(5);

    private MqttClient? _client;
    private long _brokerDropped = -1;
    private bool _brokerDropping;
    private readonly ILogger _logger = loggers.CreateLogger<MqttSource>();
    private long _received;
    private long _inHand;
    private long _lastProgressTicks = time.GetUtcNow().UtcTicks;

    public string Id => "mqtt";

    public string Name => $"MQTT {options.Host}:{options.Port} ({options.Subscriptions.Count} subscription(s))";

    public long Received => Interlocked.Read(ref _received);

    public bool IsConnected => _client is { IsConnected: true };

    /// <summary>Messages set aside (the quarantine counts them, per source).</summary>
    public long Unreadable => quarantine.SetAsideBy(Id);

    public long Waiting => Interlocked.Read(ref _inHand) + (_client?.Messages is { CanCount: true } queue ? queue.Count : 0);

    public DateTimeOffset LastProgress => new(Interlocked.Read(ref _lastProgressTicks), TimeSpan.Zero);

    public async Task RunAsync(IReadingSink sink, CancellationToken cancellationToken)
    {
        var clientOptions = new MqttClientOptions
        {
            Host = options.Host,
            Port = options.Port,
            Version = options.Version,
            ClientId = string.IsNullOrEmpty(options.ClientId) ? $"sensors-{gatewayId}" : options.ClientId,
            Username = options.Username,
            Password = options.Password,
            KeepAlive = options.KeepAlive,
            CleanStart = false,
            SessionExpiry = options.SessionExpiry,
            Tls = options.Tls,
            AutoAcknowledge = false,
            ReceiveMaximum = options.ReceiveMaximum,
            MaximumPacketSize = options.MaxMessageBytes,
        };
        await using var client = new MqttClient(clientOptions, loggers.CreateLogger<MqttClient>(), time);
        _client = client;
        await ConnectAsync(client, cancellationToken).ConfigureAwait(false);
        var subscriptions = options.Subscriptions.Select(s => new MqttSubscription(s.Topic, s.Qos)).ToList();
        if (options.BrokerStats)
        {
            subscriptions.Add(new MqttSubscription(BrokerDroppedTopic, MqttQos.AtMostOnce));
        }

        await client.SubscribeAsync(subscriptions, cancellationToken).ConfigureAwait(false);
        LogSubscribed(clientOptions.Describe(), string.Join(", ", options.Subscriptions.Select(s => s.Topic)), client.SessionPresent);

        // At shutdown what was handed to the journal is finished, committed and acknowledged (within
        // a few seconds), so that nothing committed comes back from the broker as a duplicate with a
        // later receive time; what was not taken yet stays with the broker for the next start.
        using var drain = new CancellationTokenSource();
        using var onStop = cancellationToken.Register(() => drain.CancelAfter(DrainGrace));
        try
        {
            // Two loops joined by a bounded queue, so that taking never waits for the disk: this one
            // reads each message into readings and hands them to the journal at once; the other
            // awaits each message's commit, in order, and acknowledges it. The journal groups the
            // commits of a steady stream (Journal:CommitLinger): a few hundred messages a second
            // cost a few syncs, not one each.
            var handed = Channel.CreateBounded<(MqttMessage Message, ValueTask Committed)>(new BoundedChannelOptions(Math.Max(1, (int)options.ReceiveMaximum)) { SingleReader = true, SingleWriter = true });
            using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var acknowledging = AcknowledgeAsync(client, handed.Reader, drain, failed);
            try
            {
                var reader = client.Messages;
                Progressed();
                while (await reader.WaitToReadAsync(failed.Token).ConfigureAwait(false))
                {
                    while (reader.TryRead(out var message))
                    {
                        // Room first, then the commit: a message whose readings go to the journal always
                        // reaches the acknowledger too (a write cancelled after the commit would leave it
                        // committed and unacknowledged, and the broker would send it again).
                        if (!await handed.Writer.WaitToWriteAsync(failed.Token).ConfigureAwait(false))
                        {
                            break;
                        }

                        Interlocked.Increment(ref _inHand);
                        handed.Writer.TryWrite((message, Commit(sink, message, drain.Token))); // the only writer: there is room
                    }
                }
            }
            finally
            {
                handed.Writer.TryComplete();
                await acknowledging.ConfigureAwait(false); // what was handed is acknowledged, or the journal's failure ends the source
            }
        }
        finally
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.DisconnectAsync(cancellationToken: stop.Token).ConfigureAwait(false);
        }
    }

    private void Progressed() => Interlocked.Exchange(ref _lastProgressTicks, time.GetUtcNow().UtcTicks);

    /// <summary>
    /// Acknowledges each handed message once its readings are committed, in the order received. A
    /// journal failure stops it (and the taking): the broker sends again what was not acknowledged.
    /// </summary>
    private async Task AcknowledgeAsync(MqttClient client, ChannelReader<(MqttMessage Message, ValueTask Committed)> handed, CancellationTokenSource drain, CancellationTokenSource failed)
    {
        try
        {
            while (await handed.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (handed.TryRead(out var item))
                {
                    var (message, committed) = item;
                    try
                    {
                        await committed.ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (drain.IsCancellationRequested)
                    {
                        LogDrainExpired((int)Interlocked.Read(ref _inHand), DrainGrace.TotalSeconds);
                        return;
                    }
                    catch (Exception error) when (MessageQuarantine.IsAboutTheMessage(error))
                    {
                        // Not the journal: something about this message's readings. Set it aside like an unreadable one.
                        quarantine.SetAside(Id, message.Topic, MessageQuarantine.Unexpected(error, IsPersonal(message.Topic)), message.Payload.Span);
                    }

                    // Committed: acknowledged whatever the shutdown's deadline, or the broker would send it again.
                    await client.AcknowledgeAsync(message, CancellationToken.None).ConfigureAwait(false);
                    Interlocked.Decrement(ref _inHand);
                    Progressed();
                }
            }
        }
        catch
        {
            await failed.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Maps and commits one message; an unreadable one is set aside (and acknowledged like the others).</summary>
    private ValueTask Commit(IReadingSink sink, MqttMessage message, CancellationToken cancellationToken)
    {
        if (message.Topic == BrokerDroppedTopic)
        {
            if (long.TryParse(System.Text.Encoding.ASCII.GetString(message.Payload.Span).Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var dropped))
            {
                BrokerDropped(dropped);
            }

            return ValueTask.CompletedTask;
        }

        Interlocked.Increment(ref _received);
        if (message.OversizeBytes > 0)
        {
            quarantine.SetAside(Id, message.Topic, new UnreadablePayloadException($"a message of {message.OversizeBytes} bytes, over Mqtt:MaxMessageBytes ({options.MaxMessageBytes}): read past, not kept; fix the publisher, or raise Mqtt:MaxMessageBytes", keepPayload: false), default);
            return ValueTask.CompletedTask;
        }

        var subscription = options.Subscriptions.FirstOrDefault(s => MqttTopic.Matches(s.Topic, message.Topic));
        if (subscription is null)
        {
            // The broker's session still holds a subscription the settings no longer have (or a
            // broker that sends what was not asked): kept and counted like any unreadable message.
            quarantine.SetAside(Id, message.Topic, new UnreadablePayloadException($"no subscription in Mqtt:Subscriptions matches this topic (the broker's session may keep an old one: it goes with a new Mqtt:ClientId or once the session expires)"), message.Payload.Span);
            return ValueTask.CompletedTask;
        }

        var readings = quarantine.Read(Id, message.Topic, message.Payload.Span, (readers, subscription, message.Topic, time.GetUtcNow()), ReadMessage, out _, personal: subscription.Format == PayloadFormat.Pickups);
        if (readings is null)
        {
            return ValueTask.CompletedTask;
        }

        try
        {
            return sink.WriteAllAsync(readings, cancellationToken);
        }
        catch (Exception error)
        {
            return ValueTask.FromException(error);
        }
    }

    private bool IsPersonal(string topic) =>
        options.Subscriptions.FirstOrDefault(s => MqttTopic.Matches(s.Topic, topic)) is { Format: PayloadFormat.Pickups };

    /// <summary>
    /// The broker's dropped-message counter, as $SYS publishes it: logged once per episode (it
    /// went up), with the count and the fix, and once more when an update shows it has stopped.
    /// </summary>
    private void BrokerDropped(long dropped)
    {
        var before = Interlocked.Exchange(ref _brokerDropped, dropped);
        if (dropped > Math.Max(before, 0))
        {
            if (!_brokerDropping)
            {
                _brokerDropping = true;
                LogBrokerDropping(options.Host, options.Port, dropped - Math.Max(before, 0), dropped);
            }
        }
        else if (_brokerDropping && dropped == before)
        {
            _brokerDropping = false;
            LogBrokerStoppedDropping(options.Host, options.Port, dropped);
        }
    }

    private static IReadOnlyList<Sensors.Core.Reading> ReadMessage((MessageReaders Readers, MqttSubscriptionOptions Subscription, string Topic, DateTimeOffset Received) state, ReadOnlySpan<byte> payload) =>
        state.Readers.Read(state.Subscription, state.Topic, payload, state.Received);

    public void CreateInstruments(Meter meter)
    {
        meter.CreateObservableGauge("sensors_mqtt_connected", () => _client is { IsConnected: true } ? 1L : 0L, description: "1 while the MQTT source is connected to its broker.");
        meter.CreateObservableCounter("sensors_mqtt_reconnects_total", () => (long)(_client?.Reconnects ?? 0), description: "Times the MQTT source connected again after losing its broker.");
        meter.CreateObservableCounter("sensors_mqtt_messages_received_total", () => Received, description: "MQTT messages received on the subscriptions.");
        meter.CreateObservableCounter("sensors_mqtt_messages_unreadable_total", () => Unreadable, description: "MQTT messages whose payload could not become readings (kept in the unreadable store and acknowledged).");
        meter.CreateObservableGauge(
            "sensors_mqtt_broker_dropped_messages",
            () => Interlocked.Read(ref _brokerDropped) is var dropped and >= 0 ? [new Measurement<long>(dropped)] : Array.Empty<Measurement<long>>(),
            description: "The broker's own count of messages it dropped ($SYS/broker/publish/messages/dropped), since it started.");
    }

    private async Task ConnectAsync(MqttClient client, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var permanent = error is MqttConnectException { IsPermanent: true };
                if (attempt == 1 || attempt % 10 == 0)
                {
                    if (permanent)
                    {
                        LogRefused(error.Message);
                    }
                    else
                    {
                        LogUnreachable(client.Options.Describe(), error.Message);
                    }
                }

                delay = permanent ? TimeSpan.FromMinutes(1) : TimeSpan.FromSeconds(Math.Min(60, delay.TotalSeconds * 2));
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT broker {Host}:{Port} is dropping messages: {New} more ({Total} since it started, $SYS/broker/publish/messages/dropped). Readings may be lost before they reach the gateway: raise max_queued_messages (and max_inflight_messages) in mosquitto.conf, or find why the gateway is slow to take them. Said once until it stops")]
    private partial void LogBrokerDropping(string host, int port, long @new, long total);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT broker {Host}:{Port} has stopped dropping messages ({Total} since it started)")]
    private partial void LogBrokerStoppedDropping(string host, int port, long total);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT source stopping: {Count} message(s) in hand were not committed within {Seconds:0} s; the broker will send them again at the next start (InfluxDB may then hold a reading twice)")]
    private partial void LogDrainExpired(int count, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT source connected to {Broker}, subscribed to {Topics} (session kept by the broker: {SessionPresent})")]
    private partial void LogSubscribed(string broker, string topics, bool sessionPresent);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Reason}. Fix Mqtt:Username/Password or the broker's ACL; trying again every minute")]
    private partial void LogRefused(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT broker {Broker} unreachable ({Reason}); trying again with backoff")]
    private partial void LogUnreachable(string broker, string reason);
}
