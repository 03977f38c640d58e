using System.Device.Gpio;

namespace Sensors.Hardware.Emulation;

/// <summary>
/// GPIO pins in memory, behind .NET IoT's <see cref="GpioDriver"/>, so that a GpioController (and a
/// binding built on it) runs in tests and the demo: it keeps each pin's mode and level, every
/// write in order, and refuses what a Pi's header refuses (a pin that does not exist, one not opened).
/// </summary>
public sealed class EmulatedGpioDriver(int pinCount = 28) : GpioDriver
{
    private readonly Dictionary<int, (PinMode Mode, PinValue Value)> _pins = [];

    /// <summary>Every write, in order: (pin, level).</summary>
    public List<(int Pin, PinValue Value)> Writes { get; } = [];

    protected override int PinCount => pinCount;

    public PinValue Level(int pin) => _pins.TryGetValue(pin, out var state) ? state.Value : PinValue.Low;

    public bool IsOpen(int pin) => _pins.ContainsKey(pin);

    /// <summary>What the outside world does to an input: a button pressed to GND reads low.</summary>
    public void Drive(int pin, PinValue value) => _pins[pin] = (Opened(pin).Mode, value);

    protected override void OpenPin(int pinNumber)
    {
        if (pinNumber < 0 || pinNumber >= pinCount)
        {
            throw new ArgumentOutOfRangeException(nameof(pinNumber), pinNumber, $"GPIO{pinNumber} does not exist on this header (0–{pinCount - 1}).");
        }

        _pins[pinNumber] = (PinMode.Input, PinValue.Low);
    }

    protected override void ClosePin(int pinNumber) => _pins.Remove(pinNumber);

    protected override void SetPinMode(int pinNumber, PinMode mode) =>
        _pins[pinNumber] = (mode, mode == PinMode.InputPullUp ? PinValue.High : mode == PinMode.InputPullDown ? PinValue.Low : Opened(pinNumber).Value);

    protected override PinMode GetPinMode(int pinNumber) => Opened(pinNumber).Mode;

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => mode is PinMode.Input or PinMode.Output or PinMode.InputPullUp or PinMode.InputPullDown;

    protected override PinValue Read(int pinNumber) => Opened(pinNumber).Value;

    protected override void Toggle(int pinNumber) => Write(pinNumber, !Read(pinNumber));

    protected override void Write(int pinNumber, PinValue value)
    {
        var (mode, _) = Opened(pinNumber);
        if (mode != PinMode.Output)
        {
            throw new InvalidOperationException($"GPIO{pinNumber} is not an output.");
        }

        _pins[pinNumber] = (mode, value);
        Writes.Add((pinNumber, value));
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        new() { TimedOut = true, EventTypes = PinEventTypes.None };

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
    }

    private (PinMode Mode, PinValue Value) Opened(int pin) =>
        _pins.TryGetValue(pin, out var state) ? state : throw new InvalidOperationException($"GPIO{pin} is not open.");
}
