using Oversight.Gateway;
using Oversight.Gateway.Auth;

if (args.Length > 0 && args[0] == TokenCommand.Name)
{
    var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
    return TokenCommand.Run(args[1..], configuration, Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddOversightGateway();
var app = builder.Build();
app.MapOversightGateway();
await app.RunAsync();
return 0;

/// <summary>Entry point, visible to <c>WebApplicationFactory</c> in tests.</summary>
public partial class Program;
