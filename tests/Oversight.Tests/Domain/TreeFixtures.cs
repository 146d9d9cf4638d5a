using Oversight.Domain;

namespace Oversight.Tests.Domain;

/// <summary>Small trees for domain tests.</summary>
public static class TreeFixtures
{
    /// <summary>hq → (s1 → (s1a, s1b), s2).</summary>
    public static TreeView Group() => new(
        [
            new UnitRecord("hq", "HQ", null, 100, "hq"),
            new UnitRecord("s1", "S1", "hq", 50, "subsidiary"),
            new UnitRecord("s1a", "S1A", "s1", 20, "branch"),
            new UnitRecord("s1b", "S1B", "s1", 10, "branch"),
            new UnitRecord("s2", "S2", "hq", 5, "subsidiary"),
        ],
        1);
}
