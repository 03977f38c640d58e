using Sensors.Core;
using System.Globalization;
using System.Text;

namespace Sensors.Look;

/// <summary>A mark on a chart's time axis: where, and what it says.</summary>
public readonly record struct Tick(DateTimeOffset At, string Label);

/// <summary>
/// SVG charts drawn on the server: a CO2 curve over the bands of the traffic light, and bars. Each
/// is a figure whose SVG has role="img" and is labelled by its caption; the pages put the numbers
/// in a table beside it for screen readers and for anyone who wants them.
/// </summary>
public static class Charts
{
    private const double Co2Floor = 400;
    private const double Co2Ceiling = 2000;

    /// <summary>
    /// A CO2 curve from <paramref name="from"/> to <paramref name="to"/>: the three light bands, the
    /// <paramref name="shaded"/> spans (lesson hours) darker, the line broken where readings are
    /// missing for longer than <paramref name="gap"/>.
    /// </summary>
    public static void Co2Curve(
        StringBuilder html,
        string id,
        IReadOnlyList<(DateTimeOffset At, double Ppm)> points,
        DateTimeOffset from,
        DateTimeOffset to,
        Co2Levels levels,
        string captionHtml,
        int width = 600,
        int height = 160,
        IEnumerable<(DateTimeOffset From, DateTimeOffset To)>? shaded = null,
        IEnumerable<Tick>? ticks = null,
        TimeSpan? gap = null)
    {
        var plotHeight = ticks is null ? height : height - 16;
        var span = Math.Max(1, (to - from).TotalSeconds);
        double X(DateTimeOffset at) => Math.Clamp((at - from).TotalSeconds / span, 0, 1) * width;
        double Y(double ppm) => plotHeight - ((Math.Clamp(ppm, Co2Floor, Co2Ceiling) - Co2Floor) / (Co2Ceiling - Co2Floor) * plotHeight);

        html.Append("<figure><svg viewBox=\"0 0 ").Append(width).Append(' ').Append(height).Append("\" role=\"img\" aria-labelledby=\"").Append(id).Append("\">");
        Band(html, width, Y(Math.Min(levels.OrangeFromPpm, Co2Ceiling)), Y(Co2Floor), "band-green");
        Band(html, width, Y(Math.Min(levels.RedAbovePpm, Co2Ceiling)), Y(Math.Min(levels.OrangeFromPpm, Co2Ceiling)), "band-orange");
        Band(html, width, Y(Co2Ceiling), Y(Math.Min(levels.RedAbovePpm, Co2Ceiling)), "band-red");
        foreach (var (a, b) in shaded ?? [])
        {
            html.Append("<rect class=\"lesson\" x=\"").Append(F(X(a))).Append("\" y=\"0\" width=\"").Append(F(X(b) - X(a))).Append("\" height=\"").Append(plotHeight).Append("\"/>");
        }

        if (points.Count > 0)
        {
            var maxGap = gap ?? TimeSpan.FromMinutes(20);
            html.Append("<path fill=\"none\" stroke=\"#111\" stroke-width=\"2\" stroke-linejoin=\"round\" d=\"");
            for (var i = 0; i < points.Count; i++)
            {
                var jump = i == 0 || points[i].At - points[i - 1].At > maxGap;
                html.Append(jump ? 'M' : 'L').Append(F(X(points[i].At))).Append(',').Append(F(Y(points[i].Ppm)));
                if (jump && (i + 1 == points.Count || points[i + 1].At - points[i].At > maxGap))
                {
                    html.Append("h2"); // a lone reading still shows as a short dash
                }
            }

            html.Append("\"/>");
        }

        foreach (var tick in ticks ?? [])
        {
            var x = X(tick.At);
            html.Append("<line x1=\"").Append(F(x)).Append("\" x2=\"").Append(F(x)).Append("\" y1=\"").Append(plotHeight).Append("\" y2=\"").Append(plotHeight + 4).Append("\" stroke=\"#333\"/>")
                .Append("<text class=\"axis\" text-anchor=\"middle\" x=\"").Append(F(LabelX(x, tick.Label, width))).Append("\" y=\"").Append(height - 2).Append("\">").Append(PageLook.Encode(tick.Label)).Append("</text>");
        }

        html.Append("</svg><figcaption id=\"").Append(id).Append("\">").Append(captionHtml).Append("</figcaption></figure>\n");
    }

    /// <summary>
    /// Vertical bars, one per label, scaled to the largest value (or <paramref name="max"/>); every
    /// <paramref name="labelEvery"/>-th label is written under its bar.
    /// </summary>
    public static void Bars(
        StringBuilder html,
        string id,
        IReadOnlyList<(string Label, double Value)> bars,
        string captionHtml,
        int width = 600,
        int height = 160,
        double? max = null,
        int labelEvery = 1,
        string css = "bar")
    {
        var plotHeight = height - 16;
        var top = max ?? Math.Max(1e-9, bars.Count == 0 ? 1 : bars.Max(b => b.Value));
        var step = bars.Count == 0 ? width : (double)width / bars.Count;
        html.Append("<figure><svg viewBox=\"0 0 ").Append(width).Append(' ').Append(height).Append("\" role=\"img\" aria-labelledby=\"").Append(id).Append("\">");
        for (var i = 0; i < bars.Count; i++)
        {
            var h = Math.Clamp(bars[i].Value / top, 0, 1) * (plotHeight - 2);
            html.Append("<rect class=\"").Append(css).Append("\" x=\"").Append(F((i * step) + (step * 0.15))).Append("\" width=\"").Append(F(step * 0.7))
                .Append("\" y=\"").Append(F(plotHeight - h)).Append("\" height=\"").Append(F(h)).Append("\"/>");
            if (i % Math.Max(1, labelEvery) == 0)
            {
                html.Append("<text class=\"axis\" text-anchor=\"middle\" x=\"").Append(F(LabelX((i + 0.5) * step, bars[i].Label, width))).Append("\" y=\"").Append(height - 2).Append("\">").Append(PageLook.Encode(bars[i].Label)).Append("</text>");
            }
        }

        html.Append("<line x1=\"0\" x2=\"").Append(width).Append("\" y1=\"").Append(plotHeight).Append("\" y2=\"").Append(plotHeight).Append("\" stroke=\"#333\"/>");
        html.Append("</svg><figcaption id=\"").Append(id).Append("\">").Append(captionHtml).Append("</figcaption></figure>\n");
    }

    /// <summary>
    /// Where a centred axis label goes so that it stays whole: its centre moved in from the edges by
    /// half its width (11 px type: about 6.5 units a character, with a margin).
    /// </summary>
    private static double LabelX(double x, string label, int width)
    {
        var half = (label.Length * 3.3) + 1;
        return Math.Clamp(x, half, Math.Max(half, width - half));
    }

    private static void Band(StringBuilder html, int width, double top, double bottom, string css)
    {
        if (bottom > top)
        {
            html.Append("<rect class=\"").Append(css).Append("\" x=\"0\" width=\"").Append(width).Append("\" y=\"").Append(F(top)).Append("\" height=\"").Append(F(bottom - top)).Append("\"/>");
        }
    }

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
