namespace Oversight.Domain;

/// <summary>One unit as a client sends it in a bulk upsert, before validation.</summary>
public sealed class UnitInput
{
    /// <summary>Unit id.</summary>
    public string? Id { get; set; }

    /// <summary>Display name; defaults to the id.</summary>
    public string? Name { get; set; }

    /// <summary>Parent id; null or absent for the root.</summary>
    public string? ParentId { get; set; }

    /// <summary>Staff of this unit alone; defaults to 0.</summary>
    public long? Headcount { get; set; }

    /// <summary>Free-form kind; defaults to <c>unit</c>.</summary>
    public string? Kind { get; set; }
}
