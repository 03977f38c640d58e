// Dragino LDDS75 (LoRaWAN ultrasonic distance sensor), uplink on fPort 2, 8 bytes, big-endian,
// as Dragino's LDDS75 user manual describes it:
//   0-1  battery in mV (the two top bits are flags)
//   2-3  distance in mm (0: no sensor connected; below 280: not a valid reading)
//   4    interrupt flag
//   5-6  temperature of the optional DS18B20 probe, signed, in 0.1 °C
//   7    sensor flag (1: the ultrasonic probe is connected)
// Written for this gateway in the decodeUplink(input) form that The Things Stack and
// ChirpStack v4 use; the registry maps its names to ours.
function decodeUplink(input) {
  var b = input.bytes;
  if (input.fPort !== 2) {
    return { data: {}, warnings: ["fPort " + input.fPort + " carries no measurement"] };
  }
  if (b.length !== 8) {
    return { errors: ["expected 8 bytes on fPort 2, got " + b.length] };
  }
  var data = { Bat_V: (((b[0] << 8) | b[1]) & 0x3fff) / 1000, Interrupt: b[4] === 1 };
  var distance = (b[2] << 8) | b[3];
  if (distance >= 280) {
    data.Distance_mm = distance;
  }
  var t = (b[5] << 8) | b[6];
  if (t !== 0) {
    data.TempC_DS18B20 = (t & 0x8000 ? t - 0x10000 : t) / 10;
  }
  return { data: data, warnings: distance === 0 ? ["no distance probe connected"] : [] };
}
