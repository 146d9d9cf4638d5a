using System.Globalization;
using System.Net;

namespace Oversight.Tests.Api;

/// <summary>
/// A fresh tenant with a small group: hq(100) → s1(50) → s1a(20), s1b(10); hq → s2(5).
/// Dates are relative to the tenant's local today so the tests hold on any day.
/// </summary>
public sealed class Group
{
    public static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public static readonly (string Id, string? Parent, int Headcount, int Depth)[] Units =
    [
        ("hq", null, 100, 0), ("s1", "hq", 50, 1), ("s1a", "s1", 20, 2), ("s1b", "s1", 10, 2), ("s2", "hq", 5, 1),
    ];

    private Group(GatewayFixture gateway, string tenant)
    {
        Gateway = gateway;
        Tenant = tenant;
        Admin = gateway.Client(GatewayFixture.Admin());
    }

    public GatewayFixture Gateway { get; }

    public string Tenant { get; }

    public ApiClient Admin { get; }

    public string Base => $"/api/v1/tenants/{Tenant}";

    /// <summary>The tenant's local today.</summary>
    public static DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Shanghai).DateTime);

    /// <summary>A day two months back: always inside every window, never in the future.</summary>
    public static DateOnly Anchor => new DateOnly(Today.Year, Today.Month, 1).AddMonths(-2).AddDays(9);

    public static string At(DateOnly day, int hour = 10) => $"{day:yyyy-MM-dd}T{hour:D2}:00:00+08:00";

    public static string Month(DateOnly day) => day.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static async Task<Group> CreateAsync(GatewayFixture gateway, bool withUnits = true)
    {
        var group = new Group(gateway, "g-" + Guid.NewGuid().ToString("N")[..12]);
        (await group.Admin.PutAsync($"/api/v1/tenants/{group.Tenant}", new { name = "测试集团 Test Group", timeZone = "Asia/Shanghai" })).AssertOk(HttpStatusCode.Created);
        if (withUnits)
        {
            (await group.Admin.PutAsync($"{group.Base}/units", Units.Select(u => new { id = u.Id, name = u.Id.ToUpperInvariant(), parentId = u.Parent, headcount = u.Headcount, kind = "unit" }))).AssertOk();
        }

        return group;
    }

    public ApiClient Member(string unit) => Gateway.Client(GatewayFixture.Member(Tenant, unit));

    public Task<Reply> PostEventsAsync(ApiClient client, params object[] events) => client.PostAsync($"{Base}/events", events);

    public Task SettleAsync() => Gateway.SettleAsync(Tenant, Units.Select(u => (u.Id, u.Depth)));

    public async Task<Reply> LoadAsync(string unit, string period, bool children = false, ApiClient? client = null)
    {
        await SettleAsync();
        return await (client ?? Admin).GetAsync($"{Base}/units/{unit}/load?period={period}{(children ? "&children=true" : "")}");
    }

    public static object Document(string id, string source, DateOnly day, params string[] targets) =>
        new { id, kind = "document", source, targets, occurredAt = At(day) };
}
