using System.Security.Cryptography;
using Router.Core.Config;

namespace Router.Core.Tests.Config;

public class PeerSecretRuleTests
{
    [Theory]
    [InlineData("hunter2hunter2hunter2hunter2hunter2", "only 7 different characters")]
    [InlineData("correct horse battery staple 42", "31 characters, at least 32")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "only 1 different ones")]
    [InlineData("0101010101010101010101010101010101010101010101010101010101010101", "only 2 different ones")]
    public void APasswordLikeSecretIsRefusedNamingGenkeyAndNotQuotingIt(string secret, string why)
    {
        var problem = PeerSecretRule.Problem(secret);
        Assert.NotNull(problem);
        Assert.Contains(why, problem);
        Assert.Contains("routerha genkey", problem);
        Assert.DoesNotContain(secret, problem);
    }

    [Fact]
    public void RandomKeysInBase64OrHexAreAccepted()
    {
        for (var i = 0; i < 200; i++)
        {
            var bytes = RandomNumberGenerator.GetBytes(32);
            Assert.Null(PeerSecretRule.Problem(Convert.ToBase64String(bytes)));
            Assert.Null(PeerSecretRule.Problem(Convert.ToHexString(bytes)));
            Assert.Null(PeerSecretRule.Problem(Convert.ToHexString(bytes).ToLowerInvariant() + "\n"));
        }
    }
}
