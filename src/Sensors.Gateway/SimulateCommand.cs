using System.Text;
using Sensors.Gateway.Configuration;
using Sensors.Mqtt;
using Sensors.Mqtt.Packets;
using Sensors.Simulation;

namespace Sensors.Gateway;

/// <summary>
/// `sensors simulate-field`: plays the city's field devices for a demo or a rehearsal: every
/// device of the registry sends what its model sends (wrapped as ChirpStack or The Things Stack
/// publish it), and two trucks read household bins' chips, all published on the broker of the
/// settings (Mqtt:Host/Port) as a network server and the trucks would. It first sends the last
/// <see cref="SimulationOptions.Backfill"/> at one-minute steps, then one round every
/// <see cref="SimulationOptions.Interval"/> until Ctrl-C.
/// </summary>
public static class SimulateCommand
{
    public static async Task<int> RunAsync(GatewaySettings settings, TextWriter output, TimeProvider time, CancellationToken cancellationToken)
    {
        if (settings.Registry is not { Count: > 0 } registry)
        {
            output.WriteLine("Nothing to simulate: LoRaWan:Registry names no device. Point it at firmware-config/registry/devices.yaml.");
            return ExitCodes.Configuration;
        }

        var devices = registry.Devices.Select(d => new FieldDevice(d.DevEui, d.TypeName, d.Spec.DepthMm)).OrderBy(d => d.DevEui, StringComparer.Ordinal).ToList();
        var field = new FieldDevices(devices, settings.Simulation.Seed);
        await using var client = new MqttClient(new MqttClientOptions
        {
            Host = settings.Mqtt.Host,
            Port = settings.Mqtt.Port,
            ClientId = $"sensors-field-simulation-{Environment.ProcessId}",
            Username = settings.Mqtt.Username,
            Password = settings.Mqtt.Password,
            Tls = settings.Mqtt.Tls,
        }, time: time);
        await client.ConnectAsync(cancellationToken).ConfigureAwait(false);

        var now = time.GetUtcNow();
        var sent = 0;
        for (var at = now - settings.Simulation.Backfill; at < now; at += TimeSpan.FromMinutes(1))
        {
            sent += await PublishAsync(client, field.Tick(at, TimeSpan.FromMinutes(1)), cancellationToken).ConfigureAwait(false);
        }

        output.WriteLine($"Field simulation: {devices.Count} LoRaWAN device(s) and 2 trucks; {sent} message(s) for the last {settings.Simulation.Backfill}, then a round every {settings.Simulation.Interval} on {settings.Mqtt.Host}:{settings.Mqtt.Port}.");
        using var timer = new PeriodicTimer(settings.Simulation.Interval, time);
        var silent = settings.Simulation.SilentDevice.ToLowerInvariant();
        var silentFrom = silent.Length > 0 ? time.GetUtcNow() + settings.Simulation.SilentAfter : DateTimeOffset.MaxValue;
        var saidSilent = false;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                IReadOnlyList<FieldMessage> messages = field.Tick(time.GetUtcNow(), settings.Simulation.Interval);
                if (time.GetUtcNow() >= silentFrom)
                {
                    messages = [.. messages.Where(m => !m.Payload.Contains(silent, StringComparison.OrdinalIgnoreCase))];
                    if (!saidSilent)
                    {
                        output.WriteLine($"Field simulation: device {settings.Simulation.SilentDevice} stops sending now (Simulation:SilentDevice), as a flat battery would.");
                        saidSilent = true;
                    }
                }

                await PublishAsync(client, messages, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }

        return 0;
    }

    private static async Task<int> PublishAsync(MqttClient client, IReadOnlyList<FieldMessage> messages, CancellationToken cancellationToken)
    {
        foreach (var message in messages)
        {
            await client.PublishAsync(message.Topic, Encoding.UTF8.GetBytes(message.Payload), MqttQos.AtLeastOnce, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return messages.Count;
    }
}
