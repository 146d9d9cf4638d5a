namespace Oversight.Domain;

/// <summary>How a bulk unit upsert ended.</summary>
public enum TreeChangeStatus
{
    /// <summary>Applied whole.</summary>
    Applied = 0,

    /// <summary>Rejected whole: the errors say why.</summary>
    Invalid = 1,

    /// <summary>Rejected whole: a unit lies outside the caller's scope.</summary>
    Forbidden = 2,
}

/// <summary>The outcome of a bulk unit upsert.</summary>
[GenerateSerializer, Immutable, Alias("Oversight.TreeChange")]
public sealed record TreeChange(
    [property: Id(0)] TreeChangeStatus Status,
    [property: Id(1)] Dictionary<string, string[]> Errors,
    [property: Id(2)] int Created,
    [property: Id(3)] int Updated,
    [property: Id(4)] string[] Moved)
{
    /// <summary>A rejection with errors.</summary>
    public static TreeChange Invalid(Dictionary<string, string[]> errors) => new(TreeChangeStatus.Invalid, errors, 0, 0, []);

    /// <summary>A rejection for scope.</summary>
    public static TreeChange Forbidden() => new(TreeChangeStatus.Forbidden, [], 0, 0, []);
}
