using Oversight.Grains.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.UseOrleans(silo => silo.AddOversightEmbedded(builder.Configuration));
builder.Services.AddHealthChecks();
var app = builder.Build();
app.MapHealthChecks("/health/live");
await app.RunAsync();
