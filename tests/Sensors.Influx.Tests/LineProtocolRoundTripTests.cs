using System.Text;
using System.Text.Json;
using Sensors.Core;
using Sensors.Influx;
using Sensors.Testing;

namespace Sensors.Influx.Tests;

/// <summary>
/// Property test: randomized names and values full of commas, spaces, equals signs, quotes,
/// backslashes and unicode are written to a real InfluxDB and read back identical.
/// </summary>
public sealed class LineProtocolRoundTripTests(InfluxServerFixture influx) : IClassFixture<InfluxServerFixture>
{
    private const string Alphabet = "abcXYZ09_-., =\"'\\éü中😀#{}[]()/:;";
    private const string StringAlphabet = Alphabet + "\n\t";

    [Theory]
    [InlineData(20261124)]
    [InlineData(1)]
    [InlineData(424242)]
    public async Task RandomTrickyReadings_ReadBackIdentical(int seed)
    {
        var db = $"roundtrip_{seed}";
        influx.Server.CreateDatabase(db);
        var random = new Random(seed);
        var readings = new List<Reading>();
        var refused = 0;
        for (var i = 0; readings.Count < 300; i++)
        {
            try
            {
                readings.Add(RandomReading(random, i));
            }
            catch (InvalidReadingException)
            {
                refused++; // a backslash the server would take as an escape: refused by design
            }
        }

        Assert.True(refused < readings.Count, $"the generator made {refused} refused readings for {readings.Count} accepted");
        var writer = new InfluxWriter(new HttpClient(), new InfluxOptions { Url = influx.Server.Url, Database = db });
        var report = await writer.WriteAsync(Points.Batch(writer, readings));
        Assert.True(report.IsComplete, report.Failure?.Reason);
        Assert.Empty(report.Rejected.Select(r => $"{r.Line}: {r.Reason}"));

        var rows = influx.Server.Query(db, "SELECT * FROM /.*/ GROUP BY *").ToDictionary(r => r["time"].GetInt64());
        var missing = readings.Where(r => !rows.ContainsKey(r.TimestampNs)).Select(r => r.ToString()).ToList();
        Assert.True(missing.Count == 0, $"seed {seed}: {missing.Count} accepted but not stored:\n{string.Join("\n", missing)}");
        foreach (var reading in readings)
        {
            var row = rows[reading.TimestampNs];
            var context = $"seed {seed}, line {reading}";
            Assert.True(reading.Measurement == row["_measurement"].GetString(), context);
            foreach (var tag in reading.Tags)
            {
                Assert.True(row.TryGetValue(tag.Key, out var value) && value.GetString() == tag.Value, $"tag '{tag.Key}': {context}");
            }

            foreach (var field in reading.Fields)
            {
                Assert.True(row.TryGetValue(field.Key, out var value), $"field '{field.Key}' missing: {context}");
                AssertSame(field.Value, value, context);
            }

            var extra = row.Where(c => c.Key is not ("time" or "_measurement") && c.Value.ValueKind != JsonValueKind.Null
                && reading.Tag(c.Key) is null && reading.Field(c.Key) is null && !(c.Value.ValueKind == JsonValueKind.String && c.Value.GetString() == string.Empty));
            Assert.True(!extra.Any(), $"unexpected columns {string.Join(", ", extra.Select(e => e.Key))}: {context}");
        }
    }

    private static void AssertSame(FieldValue expected, JsonElement actual, string context)
    {
        switch (expected.Kind)
        {
            case FieldKind.Float:
                Assert.True(expected.AsFloat == actual.GetDouble(), $"{expected} read back as {actual}: {context}");
                break;
            case FieldKind.Integer:
                Assert.True(expected.AsInteger == actual.GetInt64(), $"{expected} read back as {actual}: {context}");
                break;
            case FieldKind.Boolean:
                Assert.True(expected.AsBoolean == actual.GetBoolean(), $"{expected} read back as {actual}: {context}");
                break;
            default:
                Assert.True(expected.AsString == actual.GetString(), $"{expected} read back as {actual}: {context}");
                break;
        }
    }

    private static Reading RandomReading(Random random, int index)
    {
        var tags = new Tag[random.Next(0, 4)];
        for (var t = 0; t < tags.Length; t++)
        {
            tags[t] = new Tag($"t{t}{Text(random, Alphabet, 0, 8)}", Text(random, Alphabet, 1, 12));
        }

        var fields = new Field[random.Next(1, 5)];
        for (var f = 0; f < fields.Length; f++)
        {
            // The key starts with its type: InfluxDB 1.x expands SELECT * across measurements with
            // one type per field key, and silently skips series where that key has another type.
            var value = RandomValue(random);
            fields[f] = new Field($"f{value.Kind}{f}{Text(random, Alphabet, 0, 8)}", value);
        }

        // The index keeps each measurement's schema its own (no field type conflicts between readings).
        var measurement = $"{Text(random, Alphabet, 1, 10).TrimStart('#')}_{index}";
        return new Reading(measurement, tags, fields, Points.T0 + index);
    }

    private static FieldValue RandomValue(Random random) => random.Next(9) switch
    {
        0 => random.NextDouble() * Math.Pow(10, random.Next(-300, 300)) * (random.Next(2) == 0 ? -1 : 1),
        1 => new[] { 0.0, -0.0, double.MaxValue, double.MinValue, double.Epsilon, 0.1, 1e21, 123456789.123456789 }[random.Next(8)],
        2 => random.NextInt64(long.MinValue, long.MaxValue),
        3 => new[] { long.MinValue, long.MaxValue, 0L, -1L }[random.Next(4)],
        4 => random.Next(2) == 0,
        5 => string.Empty,
        _ => Text(random, StringAlphabet, 0, 40),
    };

    private static string Text(Random random, string alphabet, int min, int max)
    {
        var runes = alphabet.EnumerateRunes().ToArray();
        var builder = new StringBuilder();
        var length = random.Next(min, max + 1);
        for (var i = 0; i < length; i++)
        {
            builder.Append(runes[random.Next(runes.Length)].ToString());
        }

        return builder.ToString();
    }
}
