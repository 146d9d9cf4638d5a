using System.Text;
using System.Text.RegularExpressions;
using Oversight.Domain;

namespace Oversight.Tests.Domain;

public sealed class IdsTests
{
    // The patterns as API.md writes them (\z: "$" would also accept a trailing newline).
    private static readonly Regex Tenant = new(@"^[a-z0-9][a-z0-9-]{0,62}\z", RegexOptions.CultureInvariant);
    private static readonly Regex UnitOrEvent = new(@"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}\z", RegexOptions.CultureInvariant);

    [Theory]
    [InlineData("hq", true, true)]
    [InlineData("0", true, true)]
    [InlineData("HQ-2026/103", false, true)]
    [InlineData("a.b_c", false, true)]
    [InlineData("a b", false, false)]
    [InlineData("hq!", false, false)]
    [InlineData("-hq", false, false)]
    [InlineData(".hq", false, false)]
    [InlineData("hq\n", false, false)]
    [InlineData("", false, false)]
    [InlineData("总部", false, false)]
    [InlineData("ｈｑ", false, false)]
    [InlineData("sub-1:plant/2.a", false, true)]
    public void IdsFollowThePatterns(string id, bool tenant, bool unit)
    {
        Assert.Equal(tenant, Ids.IsTenantId(id));
        Assert.Equal(unit, Ids.IsUnitOrEventId(id));
        Assert.False(Ids.IsTenantId(null));
        Assert.False(Ids.IsUnitOrEventId(null));
    }

    [Fact]
    public void TheLongestIdsAreAcceptedAndOneMoreIsNot()
    {
        Assert.True(Ids.IsTenantId(new string('a', 63)));
        Assert.False(Ids.IsTenantId(new string('a', 64)));
        Assert.True(Ids.IsUnitOrEventId(new string('A', 128)));
        Assert.False(Ids.IsUnitOrEventId(new string('A', 129)));
    }

    [Fact]
    public void TheChecksAgreeWithThePatternsOnRandomStrings()
    {
        // Allowed characters of both patterns, their neighbours in ASCII, and a few beyond it.
        const string alphabet = "az09AZ-._:/ !_`{@[\n\t\u00e9\uff21\u603b";
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(4) == 0 ? random.Next(60, 131) : random.Next(0, 8);
            var text = new StringBuilder(length);
            for (var c = 0; c < length; c++)
            {
                // Mostly allowed letters, so that long valid ids are common too.
                text.Append(random.Next(10) < 8 ? (char)('a' + random.Next(26)) : alphabet[random.Next(alphabet.Length)]);
            }

            var id = text.ToString();
            Assert.Equal(Tenant.IsMatch(id), Ids.IsTenantId(id));
            Assert.Equal(UnitOrEvent.IsMatch(id), Ids.IsUnitOrEventId(id));
        }
    }
}
