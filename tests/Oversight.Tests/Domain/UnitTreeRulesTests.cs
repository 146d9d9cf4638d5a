using Oversight.Domain;

namespace Oversight.Tests.Domain;

public sealed class UnitTreeRulesTests
{
    private static UnitRecord U(string id, string? parent, int headcount = 0) => new(id, id, parent, headcount, "unit");

    private static Dictionary<string, UnitRecord> Tree(params UnitRecord[] units) => units.ToDictionary(u => u.Id, StringComparer.Ordinal);

    [Fact]
    public void ABatchMayIntroduceParentsAndChildrenInAnyOrder()
    {
        var units = Tree();
        var change = UnitTreeRules.Apply(units, [U("c", "b"), U("b", "a"), U("a", null)], null);
        Assert.Equal(TreeChangeStatus.Applied, change.Status);
        Assert.Equal(3, change.Created);
        Assert.Equal(3, units.Count);
    }

    [Fact]
    public void ASecondRootIsRejectedWhole()
    {
        var units = Tree(U("a", null));
        var change = UnitTreeRules.Apply(units, [U("b", "a"), U("z", null)], null);
        Assert.Equal(TreeChangeStatus.Invalid, change.Status);
        Assert.Contains("units", change.Errors.Keys);
        Assert.Single(units);
    }

    [Fact]
    public void AnUnknownParentNamesTheOffendingItem()
    {
        var units = Tree(U("a", null));
        var change = UnitTreeRules.Apply(units, [U("b", "a"), U("c", "ghost")], null);
        Assert.Equal(TreeChangeStatus.Invalid, change.Status);
        Assert.Equal(["[1].parentId"], change.Errors.Keys);
    }

    [Fact]
    public void AMoveThatMakesACycleIsRejected()
    {
        var units = Tree(U("a", null), U("b", "a"), U("c", "b"));
        var change = UnitTreeRules.Apply(units, [U("b", "c")], null);
        Assert.Equal(TreeChangeStatus.Invalid, change.Status);
        Assert.Equal(["[0].parentId"], change.Errors.Keys);
        Assert.Equal("a", units["b"].ParentId);
    }

    [Fact]
    public void AnIdTwiceInOneBatchIsRejected()
    {
        var change = UnitTreeRules.Apply(Tree(), [U("a", null), U("a", null)], null);
        Assert.Equal(TreeChangeStatus.Invalid, change.Status);
        Assert.Equal(["[1].id"], change.Errors.Keys);
    }

    [Fact]
    public void AParentChangeIsReportedAsAMove()
    {
        var units = Tree(U("a", null), U("b", "a"), U("c", "a"), U("d", "b"));
        var change = UnitTreeRules.Apply(units, [U("d", "c"), U("b", "a", 40)], null);
        Assert.Equal(TreeChangeStatus.Applied, change.Status);
        Assert.Equal(["d"], change.Moved);
        Assert.Equal(2, change.Updated);
        Assert.Equal(40, units["b"].Headcount);
    }

    [Fact]
    public void AMemberMayChangeItsSubtreeButNotMoveItsScopeUnit()
    {
        var units = Tree(U("a", null), U("b", "a"), U("c", "a"), U("d", "b"));
        Assert.Equal(TreeChangeStatus.Applied, UnitTreeRules.Apply(units, [U("e", "d"), U("b", "a", 9)], "b").Status);
        Assert.Equal(TreeChangeStatus.Forbidden, UnitTreeRules.Apply(units, [U("b", "c")], "b").Status);
        Assert.Equal(TreeChangeStatus.Forbidden, UnitTreeRules.Apply(units, [U("c", "a", 5)], "b").Status);
        Assert.Equal(TreeChangeStatus.Forbidden, UnitTreeRules.Apply(units, [U("x", "c")], "b").Status);
        Assert.Equal(TreeChangeStatus.Forbidden, UnitTreeRules.Apply(units, [U("d", "c")], "b").Status);
        Assert.Equal(TreeChangeStatus.Forbidden, UnitTreeRules.Apply(units, [U("y", "ghost")], "b").Status);
        Assert.Equal(5, units.Count);
    }

    [Fact]
    public void FieldRulesNameEachBadField()
    {
        var errors = new Dictionary<string, string[]>();
        var records = UnitTreeRules.ValidateFields(
            [
                new UnitInput { Id = "ok", Name = "Fine" },
                new UnitInput { Id = "-bad" },
                new UnitInput { Id = "n", Name = "line\nbreak" },
                new UnitInput { Id = "h", Headcount = -1 },
                null,
            ],
            errors);
        Assert.Null(records);
        Assert.Equal(["[1].id", "[2].name", "[3].headcount", "[4]"], errors.Keys.Order(StringComparer.Ordinal));
    }
}
