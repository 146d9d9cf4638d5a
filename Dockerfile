# One image per process:
#   docker build --build-arg PROJECT=gateway --build-arg APP=Oversight.Gateway -t oversight-gateway:1.0.0 .
#   docker build --build-arg PROJECT=silo    --build-arg APP=Oversight.Silo    -t oversight-silo:1.0.0 .
# charts/oversight deploys them on Kubernetes against a Redis.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG PROJECT=gateway
WORKDIR /src
COPY . .
RUN dotnet publish ${PROJECT} -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
ARG APP=Oversight.Gateway
ENV APP=${APP}
WORKDIR /app
COPY --from=build /app .
USER app
EXPOSE 8080
ENTRYPOINT ["sh", "-c", "exec dotnet /app/${APP}.dll"]
