using Sensors.Central;
using System.Globalization;
using Sensors.Portal.Influx;
using Sensors.Portal.Rollups;

namespace Sensors.Portal.OpenData;

/// <summary>One column of a dataset, as its Table Schema (Frictionless Data) documents it.</summary>
public sealed record DatasetField(string Name, string Type, string DescriptionFr, string DescriptionEn, string? Unit = null);

/// <summary>
/// A published dataset: what it is, its columns, the InfluxQL statement that gives its rows for a
/// period, and how many local days one statement asks for when a download is read a slice at a
/// time; a streamed dataset (<see cref="Dataset.Streamed"/>) selects its tags as columns and is
/// read without GROUP BY, in time order, as InfluxDB streams it.
/// </summary>
public sealed record Dataset(
    string Id,
    string TitleFr,
    string TitleEn,
    string DescriptionFr,
    string DescriptionEn,
    string[] Keywords,
    string Theme,
    string Frequency,
    IReadOnlyList<DatasetField> Fields,
    Func<PortalOptions, DateTimeOffset, DateTimeOffset, string> Query,
    string[] GroupTags,
    int SliceDays,
    bool Streamed = false);

/// <summary>
/// The open datasets. Every one is an aggregate: hourly per classroom, daily per sector or per
/// street. Pickups are published per sector and day only, never per bin.
/// </summary>
public static class Datasets
{
    public static IReadOnlyList<Dataset> All { get; } =
    [
        new(
            "qualite-air-classes-horaire",
            "Qualité de l'air des classes, par heure",
            "Classroom air quality, hourly",
            "CO2 (moyenne, minimum, maximum), température et humidité de chaque salle de classe équipée, heure par heure, avec le nombre de mesures et combien dépassaient 1000 et 1700 ppm (de quoi calculer l'indice ICONE).",
            "CO2 (mean, minimum, maximum), temperature and humidity of each equipped classroom, hour by hour, with the number of readings and how many were above 1000 and 1700 ppm (enough to compute the ICONE index).",
            ["qualité de l'air", "CO2", "école", "air intérieur", "ICONE"],
            "ENVI",
            "HOURLY",
            [
                new("time", "datetime", "Début de l'heure (UTC, ISO 8601)", "Start of the hour (UTC, ISO 8601)"),
                new("site", "string", "Identifiant de l'école", "School identifier"),
                new("room", "string", "Identifiant de la salle", "Room identifier"),
                new("co2_ppm", "number", "CO2 moyen de l'heure", "Mean CO2 of the hour", "ppm"),
                new("co2_ppm_min", "number", "CO2 le plus bas de l'heure", "Lowest CO2 of the hour", "ppm"),
                new("co2_ppm_max", "number", "CO2 le plus haut de l'heure", "Highest CO2 of the hour", "ppm"),
                new("samples", "integer", "Nombre de mesures dans l'heure", "Readings in the hour"),
                new("samples_above_1000", "integer", "Mesures au-dessus de 1000 ppm", "Readings above 1000 ppm"),
                new("samples_above_1700", "integer", "Mesures au-dessus de 1700 ppm", "Readings above 1700 ppm"),
                new("temperature_c", "number", "Température moyenne", "Mean temperature", "°C"),
                new("humidity_pct", "number", "Humidité relative moyenne", "Mean relative humidity", "%"),
                new("pressure_hpa", "number", "Pression atmosphérique moyenne (baromètre de l'école, s'il y en a un)", "Mean air pressure (the school's barometer, if it has one)", "hPa"),
            ],
            (o, from, to) => $"SELECT co2_ppm, co2_ppm_min, co2_ppm_max, samples, samples_above_1000, samples_above_1700, temperature_c, humidity_pct, pressure_hpa, \"site\", \"room\" FROM {o.Hourly("air_quality")} WHERE {Ql.Between(from, to)}",
            ["site", "room"],
            31,
            Streamed: true),
        new(
            "collectes-dechets-secteur-jour",
            "Levées de bacs par secteur et par jour",
            "Bin pickups per sector and day",
            "Nombre de levées de bacs pucés et poids collecté, par secteur de collecte et par jour (heure de Paris). Aucun identifiant de bac ni de foyer.",
            "Number of pickups of chipped bins and weight collected, per collection sector and per day (Paris time). No bin or household identifier.",
            ["déchets", "collecte", "redevance incitative", "levées"],
            "ENVI",
            "DAILY",
            [
                new("date", "date", "Jour (heure locale)", "Day (local time)"),
                new("sector", "string", "Secteur de collecte", "Collection sector"),
                new("pickups", "integer", "Nombre de levées", "Number of pickups"),
                new("weight_kg", "number", "Poids collecté", "Weight collected", "kg"),
            ],
            (o, from, to) => $"SELECT pickups, weight_kg, \"sector\" FROM {o.Hourly(RollupNames.PickupsPerSectorDay)} WHERE {Ql.Between(from, to)}",
            ["sector"],
            366,
            Streamed: true),
        new(
            "remplissage-conteneurs-secteur-jour",
            "Remplissage des conteneurs par secteur et par jour",
            "Container fill level per sector and day",
            "Taux de remplissage moyen et maximal des conteneurs d'apport volontaire équipés d'un capteur, par secteur et par jour.",
            "Mean and highest fill level of the drop-off containers fitted with a sensor, per sector and per day.",
            ["déchets", "conteneurs", "remplissage", "capteur"],
            "ENVI",
            "DAILY",
            [
                new("date", "date", "Jour (heure locale)", "Day (local time)"),
                new("sector", "string", "Secteur", "Sector"),
                new("fill_pct", "number", "Remplissage moyen", "Mean fill level", "%"),
                new("fill_pct_max", "number", "Remplissage le plus haut", "Highest fill level", "%"),
            ],
            (o, from, to) => $"SELECT fill_pct, fill_pct_max, \"sector\" FROM {o.Hourly(RollupNames.FillPerSectorDay)} WHERE {Ql.Between(from, to)}",
            ["sector"],
            366,
            Streamed: true),
        new(
            "eclairage-public-rue-jour",
            "Éclairage public : puissance et gradation par rue et par jour",
            "Street lights: power and dimming per street and day",
            "Puissance moyenne, niveau de gradation moyen et plus haut code de panne des lampadaires connectés, par rue et par jour.",
            "Mean power, mean dimming level and highest fault code of the connected lamp posts, per street and per day.",
            ["éclairage public", "énergie", "sobriété", "lampadaires"],
            "ENER",
            "DAILY",
            [
                new("date", "date", "Jour (heure locale)", "Day (local time)"),
                new("street", "string", "Rue", "Street"),
                new("power_w", "number", "Puissance moyenne par lampadaire", "Mean power per lamp post", "W"),
                new("dim_pct", "number", "Niveau d'éclairage moyen", "Mean light level", "%"),
                new("fault_code", "integer", "Plus haut code de panne du jour (0 : aucune)", "Highest fault code of the day (0: none)"),
            ],
            (o, from, to) => $"SELECT mean(power_w) AS power_w, mean(dim_pct) AS dim_pct, max(fault_code) AS fault_code FROM {o.Hourly("lamp")} WHERE {Ql.Between(from, to)} GROUP BY time(1d), \"street\" fill(none) {o.Tz}",
            ["street"],
            7),
    ];

    public static Dataset? Find(string id) => All.FirstOrDefault(d => d.Id == id);

    /// <summary>
    /// The rows of a dataset for the slices of a period, in the dataset's order (by time, then by
    /// its group tags), a batch at a time. A streamed dataset's statement selects its tags as
    /// columns without GROUP BY: InfluxDB streams its rows in time order, and only the rows of one
    /// time are held to be put in the tags' order. Another's statement groups: a slice at a time,
    /// the next one asked for while the current one is written.
    /// </summary>
    public static IAsyncEnumerable<IReadOnlyList<object?[]>> BatchesAsync(Dataset dataset, IInfluxQuery influx, PortalOptions options, IReadOnlyList<(DateTimeOffset Start, DateTimeOffset End)> slices, CancellationToken cancellation) =>
        dataset.Streamed ? StreamedAsync(dataset, influx, options, slices, cancellation) : SlicedAsync(dataset, influx, options, slices, cancellation);

    private const int BatchRows = 1000;

    private static async IAsyncEnumerable<IReadOnlyList<object?[]>> StreamedAsync(Dataset dataset, IInfluxQuery influx, PortalOptions options, IReadOnlyList<(DateTimeOffset Start, DateTimeOffset End)> slices, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation)
    {
        var batch = new List<object?[]>(BatchRows);
        var sameTime = new List<object?[]>();
        var order = new TagOrder(dataset.GroupTags.Length);
        long? time = null;
        foreach (var (start, end) in slices)
        {
            await foreach (var series in influx.StreamAsync(dataset.Query(options, start, end), cancellation))
            {
                var columns = Columns(dataset, series);
                foreach (var row in series.Rows)
                {
                    var at = Convert.ToInt64(row[0], CultureInfo.InvariantCulture);
                    if (at != time)
                    {
                        sameTime.Sort(order);
                        batch.AddRange(sameTime);
                        sameTime.Clear();
                        time = at;
                        if (batch.Count >= BatchRows)
                        {
                            yield return batch;
                            batch = new List<object?[]>(BatchRows);
                        }
                    }

                    if (Row(dataset, options, row, columns, t => row[columns.Tags[t]] as string ?? string.Empty) is { } values)
                    {
                        sameTime.Add(values);
                    }
                }
            }
        }

        sameTime.Sort(order);
        batch.AddRange(sameTime);
        yield return batch;
    }

    private static async IAsyncEnumerable<IReadOnlyList<object?[]>> SlicedAsync(Dataset dataset, IInfluxQuery influx, PortalOptions options, IReadOnlyList<(DateTimeOffset Start, DateTimeOffset End)> slices, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation)
    {
        Task<IReadOnlyList<object?[]>>? next = RowsAsync(dataset, influx, options, slices[0].Start, slices[0].End, cancellation);
        try
        {
            for (var i = 0; i < slices.Count; i++)
            {
                var rows = await next!;
                next = i + 1 < slices.Count ? RowsAsync(dataset, influx, options, slices[i + 1].Start, slices[i + 1].End, cancellation) : null;
                yield return rows;
            }
        }
        finally
        {
            if (next is { IsCompleted: false })
            {
                try
                {
                    await next; // the slice read ahead, when the reader stopped early
                }
                catch (Exception)
                {
                    // its failure is the one already said, or nobody waits for it any more
                }
            }
        }
    }

    /// <summary>The rows of one grouped statement for [from, to), in the dataset's order.</summary>
    public static async Task<IReadOnlyList<object?[]>> RowsAsync(Dataset dataset, IInfluxQuery influx, PortalOptions options, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellation)
    {
        var answers = await influx.QueryAsync([dataset.Query(options, from, to)], cancellation);
        var rows = new List<object?[]>();
        foreach (var series in answers[0])
        {
            var columns = Columns(dataset, series);
            foreach (var row in series.Rows)
            {
                if (Row(dataset, options, row, columns, t => series.Tag(dataset.GroupTags[t])) is { } values)
                {
                    rows.Add(values);
                }
            }
        }

        rows.Sort(new TimeThenTags(dataset.GroupTags.Length));
        return rows;
    }

    private sealed record ColumnMap(int[] Values, int[] Tags);

    private static ColumnMap Columns(Dataset dataset, Series series) =>
        new([.. dataset.Fields.Skip(1 + dataset.GroupTags.Length).Select(f => series.Column(f.Name))],
            dataset.Streamed ? [.. dataset.GroupTags.Select(series.Column)] : []);

    /// <summary>One row in its columns' types (time as ISO 8601 UTC, dates as local yyyy-MM-dd), or null when it has no value.</summary>
    private static object?[]? Row(Dataset dataset, PortalOptions options, object?[] row, ColumnMap columns, Func<int, string> tag)
    {
        var values = new object?[dataset.Fields.Count];
        var at = Series.Time(row);
        values[0] = dataset.Fields[0].Type == "date"
            ? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, options.Zone).DateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var tags = dataset.GroupTags.Length;
        for (var t = 0; t < tags; t++)
        {
            values[1 + t] = tag(t);
        }

        var any = false;
        for (var v = 0; v < columns.Values.Length; v++)
        {
            var field = dataset.Fields[1 + tags + v];
            var number = Series.Number(row, columns.Values[v]);
            any |= number is not null;
            // An hour without a reading above 1000 ppm has no samples_above_1000 point: that is a count of 0.
            var value = number ?? (field.Name.StartsWith("samples_above", StringComparison.Ordinal) ? 0 : null);
            values[1 + tags + v] = value is not { } x ? null : field.Type == "integer" ? (long)Math.Round(x) : Math.Round(x, 3);
        }

        return any ? values : null;
    }

    /// <summary>Rows of one time by their group tags, ordinal.</summary>
    private sealed class TagOrder(int tags) : IComparer<object?[]>
    {
        public int Compare(object?[]? a, object?[]? b)
        {
            for (var t = 1; t <= tags; t++)
            {
                var c = string.CompareOrdinal((string?)a![t], (string?)b![t]);
                if (c != 0)
                {
                    return c;
                }
            }

            return 0;
        }
    }

    /// <summary>Rows by time, then by their group tags, ordinal.</summary>
    private sealed class TimeThenTags(int tags) : IComparer<object?[]>
    {
        private readonly TagOrder _tags = new(tags);

        public int Compare(object?[]? a, object?[]? b)
        {
            var c = string.CompareOrdinal((string?)a![0], (string?)b![0]);
            return c != 0 ? c : _tags.Compare(a, b);
        }
    }
}
