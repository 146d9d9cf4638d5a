namespace Oversight.Grains;

/// <summary>How a tenant upsert ended.</summary>
public enum TenantUpsertResult
{
    /// <summary>A new tenant was created.</summary>
    Created = 0,

    /// <summary>An existing tenant was updated.</summary>
    Updated = 1,

    /// <summary>Refused: the time zone cannot change once events are counted in local days.</summary>
    TimeZoneLocked = 2,
}
