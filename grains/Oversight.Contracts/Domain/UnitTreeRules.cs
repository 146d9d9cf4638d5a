namespace Oversight.Domain;

/// <summary>
/// The rules of a bulk unit upsert: fields, one root, known parents, no cycles, and a member's
/// scope. Validated whole and applied whole.
/// </summary>
public static class UnitTreeRules
{
    /// <summary>Most units in one upsert.</summary>
    public const int MaxBatch = 10_000;

    /// <summary>Longest unit name.</summary>
    public const int MaxNameLength = 200;

    /// <summary>Largest headcount of one unit.</summary>
    public const int MaxHeadcount = 10_000_000;

    /// <summary>Checks each unit's fields; returns the records, or null with <paramref name="errors"/> filled.</summary>
    public static List<UnitRecord>? ValidateFields(IReadOnlyList<UnitInput?> batch, Dictionary<string, string[]> errors)
    {
        var records = new List<UnitRecord>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            var u = batch[i];
            if (u is null)
            {
                errors[$"[{i}]"] = ["a unit must be a JSON object"];
                continue;
            }

            if (!Ids.IsUnitOrEventId(u.Id))
            {
                errors[$"[{i}].id"] = ["id must match ^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$"];
            }

            if (u.ParentId is not null && !Ids.IsUnitOrEventId(u.ParentId))
            {
                errors[$"[{i}].parentId"] = ["parentId must be null or a valid unit id"];
            }

            var name = u.Name ?? u.Id ?? "";
            if (!Text.IsCleanLine(name, MaxNameLength))
            {
                errors[$"[{i}].name"] = [$"name must be 1..{MaxNameLength} characters without control characters"];
            }

            var kind = u.Kind ?? "unit";
            if (!Text.IsCleanLine(kind, 64))
            {
                errors[$"[{i}].kind"] = ["kind must be 1..64 characters without control characters"];
            }

            if (u.Headcount is < 0 or > MaxHeadcount)
            {
                errors[$"[{i}].headcount"] = [$"headcount must be between 0 and {MaxHeadcount}"];
            }

            records.Add(new UnitRecord(u.Id ?? "", name, u.ParentId, (int)Math.Clamp(u.Headcount ?? 0, 0, MaxHeadcount), kind));
        }

        return errors.Count == 0 ? records : null;
    }

    /// <summary>
    /// Applies a batch to the current tree. <paramref name="scopeUnit"/> is a member's scope unit
    /// (null for an admin). On success <paramref name="units"/> holds the new tree.
    /// </summary>
    public static TreeChange Apply(Dictionary<string, UnitRecord> units, IReadOnlyList<UnitRecord> batch, string? scopeUnit)
    {
        var errors = new Dictionary<string, string[]>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Count; i++)
        {
            if (!seen.Add(batch[i].Id))
            {
                errors[$"[{i}].id"] = [$"unit '{batch[i].Id}' appears more than once in the batch"];
            }
        }

        if (errors.Count > 0)
        {
            return TreeChange.Invalid(errors);
        }

        var merged = new Dictionary<string, UnitRecord>(units, StringComparer.Ordinal);
        foreach (var u in batch)
        {
            merged[u.Id] = u;
        }

        if (scopeUnit is not null && !WithinScope(units, merged, batch, scopeUnit))
        {
            return TreeChange.Forbidden();
        }

        for (var i = 0; i < batch.Count; i++)
        {
            var parent = batch[i].ParentId;
            if (parent is not null && !merged.ContainsKey(parent))
            {
                errors[$"[{i}].parentId"] = [$"parent '{parent}' is neither in the tenant nor in the batch"];
            }
        }

        if (errors.Count == 0)
        {
            CheckShape(merged, batch, errors);
        }

        if (errors.Count > 0)
        {
            return TreeChange.Invalid(errors);
        }

        int created = 0, updated = 0;
        var moved = new List<string>();
        foreach (var u in batch)
        {
            if (units.TryGetValue(u.Id, out var before))
            {
                updated++;
                if (!string.Equals(before.ParentId, u.ParentId, StringComparison.Ordinal))
                {
                    moved.Add(u.Id);
                }
            }
            else
            {
                created++;
            }

            units[u.Id] = u;
        }

        return new TreeChange(TreeChangeStatus.Applied, [], created, updated, [.. moved]);
    }

    private static void CheckShape(Dictionary<string, UnitRecord> merged, IReadOnlyList<UnitRecord> batch, Dictionary<string, string[]> errors)
    {
        var roots = merged.Values.Where(u => u.ParentId is null).Select(u => u.Id).Order(StringComparer.Ordinal).ToList();
        if (roots.Count != 1)
        {
            errors["units"] = [roots.Count == 0
                ? "the tree would have no root: exactly one unit must have parentId null"
                : $"a tenant has exactly one root; the tree would have {roots.Count}: {string.Join(", ", roots.Take(5))}"];
            return;
        }

        var children = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var u in merged.Values)
        {
            if (u.ParentId is not null)
            {
                if (!children.TryGetValue(u.ParentId, out var list))
                {
                    children[u.ParentId] = list = [];
                }

                list.Add(u.Id);
            }
        }

        var reached = new HashSet<string>(StringComparer.Ordinal) { roots[0] };
        var stack = new Stack<string>();
        stack.Push(roots[0]);
        while (stack.Count > 0)
        {
            if (children.TryGetValue(stack.Pop(), out var list))
            {
                foreach (var c in list)
                {
                    if (reached.Add(c))
                    {
                        stack.Push(c);
                    }
                }
            }
        }

        if (reached.Count == merged.Count)
        {
            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (!reached.Contains(batch[i].Id))
            {
                errors[$"[{i}].parentId"] = [$"parent '{batch[i].ParentId}' would make a cycle: '{batch[i].Id}' would be its own ancestor"];
            }
        }

        if (errors.Count == 0)
        {
            errors["units"] = ["the batch would leave units in a cycle"];
        }
    }

    private static bool WithinScope(Dictionary<string, UnitRecord> before, Dictionary<string, UnitRecord> after, IReadOnlyList<UnitRecord> batch, string scope)
    {
        if (!before.TryGetValue(scope, out var scopeRecord))
        {
            return false;
        }

        var scopeIsRoot = scopeRecord.ParentId is null;
        foreach (var u in batch)
        {
            if (u.Id == scope)
            {
                if (!string.Equals(u.ParentId, scopeRecord.ParentId, StringComparison.Ordinal))
                {
                    return false;
                }

                continue;
            }

            if (before.ContainsKey(u.Id) && !IsWithin(before, u.Id, scope))
            {
                return false;
            }

            // Below the root every structural mistake is also a scope breach; at the root the
            // shape checks give the clearer 400.
            if (!scopeIsRoot && !IsWithin(after, u.Id, scope))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when <paramref name="scope"/> is <paramref name="id"/> or one of its ancestors (cycle-safe).</summary>
    public static bool IsWithin(IReadOnlyDictionary<string, UnitRecord> units, string id, string scope)
    {
        string? current = id;
        for (var steps = 0; current is not null && steps <= units.Count; steps++)
        {
            if (current == scope)
            {
                return true;
            }

            current = units.TryGetValue(current, out var u) ? u.ParentId : null;
        }

        return false;
    }
}
