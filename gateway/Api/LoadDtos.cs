using System.Text.Json.Serialization;
using Oversight.Domain;

namespace Oversight.Gateway.Api;

/// <summary>Counts per kind; all six always present.</summary>
public sealed record KindCounts(long Document, long Meeting, long Inspection, long DataRequest, long DigitalDemand, long Overreach)
{
    public static KindCounts From(long[] v, int offset) => new(v[offset], v[offset + 1], v[offset + 2], v[offset + 3], v[offset + 4], v[offset + 5]);
}

/// <summary>A unit's own load over a period.</summary>
public sealed record OwnLoad(KindCounts Received, KindCounts Issued, long MeetingMinutes, long InspectionDays)
{
    public static OwnLoad From(long[] v) => new(
        KindCounts.From(v, LoadCounters.Received(EventKind.Document)),
        KindCounts.From(v, LoadCounters.Issued(EventKind.Document)),
        v[LoadCounters.MeetingMinutes],
        v[LoadCounters.InspectionDays]);
}

/// <summary>A subtree's load over a period, with its size.</summary>
public sealed record SubtreeLoad(KindCounts Received, KindCounts Issued, long MeetingMinutes, long InspectionDays, int Units, long Headcount)
{
    public static SubtreeLoad From(long[] v, TreeView tree, int unit)
    {
        var own = OwnLoad.From(v);
        return new(own.Received, own.Issued, own.MeetingMinutes, own.InspectionDays, tree.SubtreeUnits[unit], tree.SubtreeHeadcount[unit]);
    }
}

/// <summary>One direct child in a load answer.</summary>
public sealed record ChildLoad(string Unit, string Name, SubtreeLoad Subtree);

/// <summary>The answer of <c>GET …/units/{unit}/load</c>.</summary>
public sealed record LoadResponse(
    string Tenant,
    string Unit,
    string Period,
    string AsOf,
    OwnLoad Own,
    SubtreeLoad Subtree,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ChildLoad[]? Children);

/// <summary>One point of a trend; with <c>yoy=true</c> also the same period a year earlier and the change of received load in percent (null when the earlier count is 0).</summary>
public sealed record TrendPoint(
    string Period,
    SubtreeLoad Subtree,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SubtreeLoad? PreviousYear = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Dictionary<string, double?>? Change = null);

/// <summary>The answer of <c>GET …/units/{unit}/trend</c>.</summary>
public sealed record TrendResponse(string Tenant, string Unit, string Granularity, TrendPoint[] Points);
