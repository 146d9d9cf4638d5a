namespace Oversight.Gateway.Api;

/// <summary>The body and answer of <c>…/units/{unit}/quotas</c>: caps per kind, per month and per year.</summary>
public sealed class QuotasDto
{
    public Dictionary<string, long>? Month { get; set; }

    public Dictionary<string, long>? Year { get; set; }
}

/// <summary>An alert as <c>GET …/alerts</c> lists it.</summary>
public sealed record AlertDto(string Id, string Type, string Unit, string[] Affected, string? EventId, string? Period, string RaisedAt, string Detail)
{
    /// <summary>An alert with its time in the tenant's zone.</summary>
    public static AlertDto From(Governance.Alert alert, TimeZoneInfo zone) =>
        new(alert.Id, alert.Type, alert.Unit, alert.Affected, alert.EventId, alert.Period, Domain.Rfc3339.Format(alert.RaisedAt, zone), alert.Detail);
}

/// <summary>One depth of a cascade.</summary>
public sealed record CascadeLayerDto(int Depth, int Events, long Deliveries);

/// <summary>The answer of <c>GET …/events/{id}/cascade</c>.</summary>
public sealed record CascadeDto(string Root, CascadeLayerDto[] Layers, int TotalEvents);
