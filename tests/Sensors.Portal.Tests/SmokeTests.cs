namespace Sensors.Portal.Tests;

[Collection("seeded city")]
public sealed class SmokeTests(SeededCity city)
{
    [Fact]
    public void Pages_Answer()
    {
        foreach (var path in new[] { "/", "/ecoles", "/ecoles/ecole-test", "/ecoles/ecole-test/cm1", "/dechets", "/eclairage", "/donnees", "/comment-ca-marche", "/catalogue.jsonld", "/donnees/qualite-air-classes-horaire.csv" })
        {
            var text = city.Get(path);
            File.WriteAllText("/tmp/portal" + path.Replace('/', '_') + ".html", text);
        }

        Console.WriteLine($"seeded in {city.SeedTime}");
    }
}
