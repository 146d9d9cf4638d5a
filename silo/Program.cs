using Oversight.Grains.Hosting;

var builder = WebApplication.CreateBuilder(args);
var redis = builder.Configuration.GetConnectionString("Redis");
if (string.IsNullOrEmpty(redis))
{
    Console.Error.WriteLine("A silo needs ConnectionStrings__Redis (e.g. 127.0.0.1:6379). For one process with no services, run the gateway alone: dotnet run --project gateway");
    return 2;
}

builder.UseOrleans(silo => silo.AddOversightCluster(builder.Configuration, redis));
builder.Services.AddHealthChecks();
var app = builder.Build();
app.MapHealthChecks("/health/live");
await app.RunAsync();
return 0;
