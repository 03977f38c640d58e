using System.Net;
using Microsoft.Playwright;
using Sensors.Testing;

namespace Sensors.Operations.Tests;

/// <summary>
/// What the console says when what it stands on fails: an identity provider that is down (a
/// clear page, never a redirect loop), a sign-in answer that does not hold, a database that
/// does not answer (503 with Retry-After, then pages again when it is back), a settings typo.
/// </summary>
public sealed class ConsoleFailureTests : IAsyncLifetime
{
    private readonly InfluxServer _influx = new();
    private readonly TempFolder _folder = new("console-failures");
    private OidcProvider _identity = null!;
    private ConsoleHost _console = null!;
    private int _identityPort;

    public async Task InitializeAsync()
    {
        FleetData.Seed(_influx);
        File.WriteAllText(_folder.File("devices.yaml"), FleetData.Registry);
        var port = FreePort.Next();
        _identityPort = FreePort.Next();
        _identity = new OidcProvider([$"https://127.0.0.1:{port}/signin-oidc"], new Dictionary<string, (string, string[])> { ["marie"] = ("Marie", ["environment"]) }, _identityPort);
        _console = await ConsoleHost.StartSignedInAsync(_folder, port, _influx, FleetData.Database, _identity, new Dictionary<string, string>
        {
            ["Influx:Timeout"] = "00:00:03",
            ["Registry"] = _folder.File("devices.yaml"),
            ["Every"] = "00:00:01",
        });
    }

    private HttpClient Anonymous() => new(new HttpClientHandler { AllowAutoRedirect = false, ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator }) { BaseAddress = _console.Url };

    [Fact]
    public async Task AnIdentityProviderThatIsDown_GivesAClearPage_NotARedirect_AndSignInWorksWhenItIsBack()
    {
        _identity.Stop();
        using var client = Anonymous();
        using (var down = await client.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.Null(down.Headers.Location);
            Assert.Equal("60", down.Headers.GetValues("Retry-After").Single());
            var page = await down.Content.ReadAsStringAsync();
            Assert.Contains("Le service d'identification de la ville ne répond pas", page, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", page, StringComparison.Ordinal);
        }

        _identity.Start();
        HttpResponseMessage back;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            await Task.Delay(500); // the console asks for the provider's metadata again 10 s after a failure (Oidc RefreshInterval)
            back = await client.GetAsync("/");
        }
        while (back.StatusCode != HttpStatusCode.Found && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.Found, back.StatusCode);
        Assert.StartsWith(_identity.Issuer.ToString().TrimEnd('/'), back.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/signin-oidc?code=forged&state=forged")]
    [InlineData("/signin-oidc?error=access_denied&error_description=refus%C3%A9&state=x")]
    [InlineData("/signin-oidc")]
    [InlineData("/signin-oidc?code=%00%01&state=%3Cscript%3E")]
    public async Task ASignInAnswerThatDoesNotHold_EndsOnAPage_NeverAnotherRedirect(string path)
    {
        using var client = Anonymous();
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Null(response.Headers.Location);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("Connexion refusée", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", page, StringComparison.Ordinal);

        // and the next good request still goes to sign in
        using var next = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Found, next.StatusCode);
    }

    [Fact]
    public async Task ADatabaseThatDoesNotAnswer_Gives503WithRetryAfter_ThenPagesAgain()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var context = await Browser.LocalContextAsync(browser, [], ignoreHttpsErrors: true);
        var page = await ConsoleCity.SignInAsync(context, _console.Url, _identity.Issuer, "marie");
        Assert.Equal(200, (await page.GotoAsync(new Uri(_console.Url, "/passerelles").ToString()))!.Status);

        _influx.Stop();
        IResponse? response = null;
        for (var i = 0; i < 50 && response?.Status != 503; i++)
        {
            await Task.Delay(200); // the console reads the fleet again after 2 × Every (1 s); then the page waits for the database
            response = await page.GotoAsync(new Uri(_console.Url, "/passerelles").ToString());
        }

        Assert.Equal(503, response!.Status);
        Assert.Equal("60", await response.HeaderValueAsync("retry-after"));
        Assert.Contains("La base de données de la ville ne répond pas", await page.InnerTextAsync("main"), StringComparison.Ordinal);

        _influx.Start();
        for (var i = 0; i < 50 && response.Status != 200; i++)
        {
            await Task.Delay(200);
            response = (await page.GotoAsync(new Uri(_console.Url, "/passerelles").ToString()))!;
        }

        Assert.Equal(200, response.Status);
        Assert.Contains("gw-a", await page.InnerTextAsync("tbody"), StringComparison.Ordinal);
        await context.DisposeAsync();
    }

    [Theory]
    [InlineData("--Console:Oidc:Authority=", "Console:Oidc:Authority")]
    [InlineData("--Console:Oidc:Authority=http://sso.ville.fr", "plain HTTP")]
    [InlineData("--Console:Port=99999", "Console:Port")]
    [InlineData("--Console:TimeZone=Mars/Olympus", "Console:TimeZone")]
    [InlineData("--Console:Every=00:00:00", "Console:Every")]
    [InlineData("--Console:Rules:NightFrom=06:00:00", "Console:Rules:NightFrom")]
    [InlineData("--Console:Oidc:Roles:grp-env=jardinier", "Console:Oidc:Roles:grp-env")]
    [InlineData("--Console:GatewayServices:gw-x=parcs", "Console:GatewayServices:gw-x")]
    [InlineData("--Console:Alertmanager:Url=localhost:9093", "Console:Alertmanager:Url")]
    [InlineData("--Console:Influx:Url=influx", "Console:Influx:Url")]
    [InlineData("--Console:Latitude=123", "Console:Latitude")]
    [InlineData("--Console:Https:CertificateFile=/nowhere.pem", "Console:Https:CertificateFile")]
    [InlineData("--Console:Every=soon", "Console settings")]
    public void ASettingsTypo_IsOneLineNamingTheKey(string argument, string named)
    {
        var (app, errors) = ConsoleApp.Build(["--Console:Oidc:Authority=https://sso.ville.example", argument]);
        Assert.Null(app);
        Assert.Contains(errors, e => e.Contains(named, StringComparison.Ordinal) && !e.Contains('\n'));
    }

    public async Task DisposeAsync()
    {
        await _console.DisposeAsync();
        _identity.Dispose();
        _influx.Dispose();
        _folder.Dispose();
    }
}
