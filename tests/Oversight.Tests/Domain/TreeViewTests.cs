namespace Oversight.Tests.Domain;

public sealed class TreeViewTests
{
    [Fact]
    public void SubtreeSizesHeadcountsPathsAndScopeFollowTheTree()
    {
        var tree = TreeFixtures.Group();
        Assert.True(tree.TryGetIndex("hq", out var hq));
        Assert.True(tree.TryGetIndex("s1", out var s1));
        Assert.True(tree.TryGetIndex("s1a", out var s1a));
        Assert.True(tree.TryGetIndex("s2", out var s2));
        Assert.Equal(hq, tree.Root);
        Assert.Equal(5, tree.SubtreeUnits[hq]);
        Assert.Equal(185, tree.SubtreeHeadcount[hq]);
        Assert.Equal(3, tree.SubtreeUnits[s1]);
        Assert.Equal(80, tree.SubtreeHeadcount[s1]);
        Assert.Equal(["hq", "s1", "s1a"], tree.Path(s1a));
        Assert.Equal(["s1", "s2"], tree.Children[hq].Select(c => tree.Units[c].Id));
        Assert.True(tree.IsWithin(s1a, s1));
        Assert.True(tree.IsWithin(s1, s1));
        Assert.False(tree.IsWithin(s1, s1a));
        Assert.False(tree.IsWithin(s2, s1));
        Assert.True(tree.IsWithin(s2, hq));
    }
}
