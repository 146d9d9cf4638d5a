namespace Oversight.Domain;

/// <summary>The six burdens of <c>DOMAIN.md</c>; the numeric value is the counter slot.</summary>
public enum EventKind
{
    /// <summary>A document sent down (formal red-head or informal white-head).</summary>
    Document = 0,

    /// <summary>A meeting the targets must attend.</summary>
    Meeting = 1,

    /// <summary>An inspection, check or assessment.</summary>
    Inspection = 2,

    /// <summary>A data request (report, ledger, form).</summary>
    DataRequest = 3,

    /// <summary>A digital demand: work groups, app check-ins, screenshots, contests.</summary>
    DigitalDemand = 4,

    /// <summary>An HQ over-reach incident (总部机关化).</summary>
    Overreach = 5,
}

/// <summary>Wire names of <see cref="EventKind"/>, as <c>API.md</c> spells them.</summary>
public static class EventKinds
{
    /// <summary>Number of kinds.</summary>
    public const int Count = 6;

    /// <summary>The wire names in slot order.</summary>
    public static readonly IReadOnlyList<string> Names =
        ["document", "meeting", "inspection", "dataRequest", "digitalDemand", "overreach"];

    /// <summary>Parses a wire name (case-sensitive, as the contract writes it).</summary>
    public static bool TryParse(string? name, out EventKind kind)
    {
        for (var i = 0; i < Count; i++)
        {
            if (string.Equals(Names[i], name, StringComparison.Ordinal))
            {
                kind = (EventKind)i;
                return true;
            }
        }

        kind = default;
        return false;
    }

    /// <summary>The wire name of a kind.</summary>
    public static string Name(this EventKind kind) => Names[(int)kind];
}
