using System.Net;
using Oversight.Tests.Api;

namespace Oversight.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser (Debian's chromium) against the gateway on a real Kestrel port:
/// it shows the load, follows it live, lists alerts, handles a report and compares groups.
/// </summary>
public sealed class DashboardTests(DashboardTests.KestrelGateway gateway) : IClassFixture<DashboardTests.KestrelGateway>
{
    /// <summary>The gateway on a loopback port, as a browser reaches it.</summary>
    public sealed class KestrelGateway : GatewayFixture
    {
        public KestrelGateway()
        {
            Port = Ports.Free();
            UseKestrel(Port);
            StartServer();
        }

        public int Port { get; }
    }

    private static string Cell(int row, int column) => $"document.querySelectorAll('#load tbody tr')[{row}]?.children[{column}]?.textContent";

    [Fact]
    public async Task TheDashboardShowsFollowsAndActsOnTheLoad()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var token = deadline.Token;
        var group = await Group.CreateAsync(gateway);
        var today = Group.Today;
        var month = Group.Month(today);
        (await group.PostEventsAsync(group.Admin, Group.Document("d1", "hq", today, "s1", "s2"))).AssertOk();
        (await group.Member("s1").PostAsync($"{group.Base}/reports", new { fromUnit = "s1", aboutUnit = "hq", category = "meetings", text = "会议太多 Too many meetings" })).AssertOk(HttpStatusCode.Created);
        await group.SettleAsync();

        await using var browser = await Chromium.StartAsync(token);
        var hq = GatewayFixture.Member(group.Tenant, "hq");
        await browser.NavigateAsync($"http://127.0.0.1:{gateway.Port}/#token={hq}&tenant={group.Tenant}&unit=hq&period={month}", token);

        // The subtree total and one row per child, documents in the second column.
        Assert.Equal("2", await browser.WaitForAsync($"{Cell(0, 1)} === '2' && document.querySelectorAll('#load tbody tr').length === 3 && {Cell(0, 1)}", token));
        Assert.Equal("S1 (s1)|1", await browser.WaitForAsync($"{Cell(1, 0)} && ({Cell(1, 0)} + '|' + {Cell(1, 1)})", token));
        Assert.Equal("S2 (s2)|1", await browser.EvaluateAsync($"{Cell(2, 0)} + '|' + {Cell(2, 1)}", token) is { } s2 ? s2.GetValue<string>() : null);

        // The monthly trend: twelve months ending with this one, this month's bar at 2 receipts.
        Assert.Equal($"{month}|2", await browser.WaitForAsync(
            "document.querySelectorAll('#trend text.label').length === 12 && [...document.querySelectorAll('#trend text.label')].at(-1).textContent + '|' + [...document.querySelectorAll('#trend text.value')].at(-1).textContent", token));

        // Live: the page follows new events without a reload, alerts included.
        await browser.WaitForAsync("!document.getElementById('liveBadge').hidden", token);
        (await group.PostEventsAsync(group.Admin, Group.Document("d2", "hq", today, "s1a"),
            new { id = "i1", kind = "inspection", source = "hq", targets = new[] { "s2" }, occurredAt = Group.At(today), planned = false })).AssertOk();
        Assert.Equal("3", await browser.WaitForAsync($"{Cell(0, 1)} === '3' && {Cell(0, 1)}", token));
        Assert.Equal("2", await browser.WaitForAsync($"{Cell(1, 1)} === '2' && {Cell(1, 1)}", token));
        Assert.Contains("计划外检查 Unplanned inspection", await browser.WaitForAsync("[...document.querySelectorAll('#alerts li')].map(li => li.textContent).find(t => t.includes('计划外检查'))", token), StringComparison.Ordinal);

        // The report from s1, acknowledged from the page by HQ.
        Assert.Contains("待受理 Open", await browser.WaitForAsync("document.querySelector('#reports tbody tr')?.textContent.includes('rpt-1') && document.querySelector('#reports tbody tr').textContent", token), StringComparison.Ordinal);
        await browser.EvaluateAsync("document.querySelector('#reports tbody button').click()", token);
        await browser.WaitForAsync("document.querySelector('#reports tbody tr')?.textContent.includes('已受理 Acknowledged')", token);
        Assert.Equal("acknowledged", (await group.Admin.GetAsync($"{group.Base}/reports/rpt-1")).AssertOk().Json["status"]!.GetValue<string>());

        // HQ compares its own group (a member holding the root may).
        Assert.Contains(group.Tenant, await browser.WaitForAsync($"[...document.querySelectorAll('#compare tbody tr')].map(r => r.textContent).find(t => t.includes('{group.Tenant}'))", token), StringComparison.Ordinal);

        if (Environment.GetEnvironmentVariable("OVERSIGHT_SCREENSHOT") is { Length: > 0 } path)
        {
            await File.WriteAllBytesAsync(path, await browser.ScreenshotAsync(token), token);
        }
    }
}
