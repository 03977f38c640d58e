using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sensors.Core;
using Sensors.Gateway.Status;
using Sensors.Hardware.Bus;
using Sensors.Hardware.Devices.TrafficLight;
using Sensors.Hardware.Drivers;
using Sensors.Sites;

namespace Sensors.Gateway.Indicators;

/// <summary>
/// Drives the classroom indicators of the site file: twice a second, for each room with one, the
/// newest CO2 of the room (<see cref="RoomBoard"/>, what the journal committed) goes through
/// <see cref="IndicatorRule"/> (the pages' thresholds; grey when missing or stale; the buzzer at
/// red in lesson hours), and the device is told when what it should show changed. The mute button
/// silences the buzzer until the room is back under red. A device that fails is let go and opened
/// again every <see cref="RetryEvery"/>; the sensors and the other rooms go on. One log line per
/// change of colour or of the device's health. What each shows goes to the <see cref="IndicatorBoard"/>
/// (status page, /metrics). Stopped, every indicator goes dark.
/// </summary>
public sealed partial class IndicatorService(SiteFile site, IndicatorDevices devices, RoomBoard rooms, IndicatorBoard board, Co2Levels levels, TimeProvider time, ILogger<IndicatorService> logger) : BackgroundService
{
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(30);

    private readonly List<Room> _rooms = site.Rooms.Where(r => r.Indicator is not null).Select(r => new Room(r.Id, string.IsNullOrWhiteSpace(r.Name) ? r.Id : r.Name, r.Indicator!)).ToList();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // opening the devices (an LCD's initialisation sleeps) does not hold up the host's start
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var now = time.GetUtcNow();
                foreach (var room in _rooms)
                {
                    Update(room, now);
                }

                await Task.Delay(Tick, time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var room in _rooms)
            {
                Release(room);
            }

            devices.Dispose();
        }
    }

    private void Update(Room room, DateTimeOffset now)
    {
        if (room.Device is null && now >= room.RetryAt && !TryOpen(room, now))
        {
            return;
        }

        if (room.Device is not { } device)
        {
            return;
        }

        try
        {
            if (!room.Muted && room.Shown?.Light == LightShown.Red && device.MutePressed)
            {
                room.Muted = true;
                LogMuted(room.Id, room.Name);
            }

            var shows = IndicatorRule.Decide(rooms.Latest(site.Site, room.Id), now, levels, site.LessonHours, site.TimeZone, room.Muted);
            if (shows.Colour != LightShown.Red && room.Muted)
            {
                room.Muted = false; // back under red: the next red sounds again
            }

            var frame = new IndicatorFrame(shows.Colour, shows.Ppm, shows.French, shows.Buzzer);
            if (frame != room.Shown)
            {
                device.Show(frame);
                if (room.Shown?.Light != frame.Light || room.Shown?.Buzzer != frame.Buzzer)
                {
                    LogShows(room.Id, room.Name, IndicatorBoard.Name(frame.Light), shows.Why);
                }

                room.Shown = frame;
            }

            board.Report(new IndicatorState(site.Site, room.Id, device.Describe, frame.Light, frame.Ppm, shows.French, shows.English, frame.Buzzer, room.Muted, null));
        }
        catch (HardwareException error)
        {
            LogFailed(room.Id, room.Name, error.Message, RetryEvery.TotalSeconds);
            Release(room);
            OutOfOrder(room, error.Message, now);
        }
    }

    private bool TryOpen(Room room, DateTimeOffset now)
    {
        try
        {
            room.Device = devices.Open(room.Spec);
            room.Shown = null;
            LogReady(room.Id, room.Name, room.Device.Describe);
            room.Problem = null;
            return true;
        }
        catch (HardwareException error)
        {
            if (room.Problem != error.Message)
            {
                LogFailed(room.Id, room.Name, error.Message, RetryEvery.TotalSeconds);
            }

            OutOfOrder(room, error.Message, now);
            return false;
        }
    }

    /// <summary>The device is let go until <see cref="RetryEvery"/> has passed; the board says why it shows nothing.</summary>
    private void OutOfOrder(Room room, string problem, DateTimeOffset now)
    {
        room.Problem = problem;
        room.RetryAt = now + RetryEvery;
        board.Report(new IndicatorState(site.Site, room.Id, room.Spec.Kind, LightShown.Off, null, "Voyant en panne", "Indicator out of order", false, room.Muted, problem));
    }

    private static void Release(Room room)
    {
        try
        {
            room.Device?.Dispose();
        }
        catch (HardwareException)
        {
            // unplugged: nothing left to darken
        }

        room.Device = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Indicator of room {Room} ({Name}) ready: {Device}")]
    private partial void LogReady(string room, string name, string device);

    [LoggerMessage(Level = LogLevel.Information, Message = "Indicator of room {Room} ({Name}) now {Light}: {Why}")]
    private partial void LogShows(string room, string name, string light, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "Indicator of room {Room} ({Name}): buzzer muted by its button until the air is back under red")]
    private partial void LogMuted(string room, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Indicator of room {Room} ({Name}) cannot show anything: {Reason} Trying again every {Seconds:0} s; the readings go on")]
    private partial void LogFailed(string room, string name, string reason, double seconds);

    private sealed class Room(string id, string name, IndicatorSpec spec)
    {
        public string Id => id;
        public string Name => name;
        public IndicatorSpec Spec => spec;
        public IIndicator? Device { get; set; }
        public IndicatorFrame? Shown { get; set; }
        public bool Muted { get; set; }
        public DateTimeOffset RetryAt { get; set; }
        public string? Problem { get; set; }
    }
}
