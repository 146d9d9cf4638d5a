namespace Oversight.Grains;

/// <summary>Receives a tenant's new alerts as they are raised (the live stream subscribes through this).</summary>
public interface IAlertObserver : IGrainObserver
{
    /// <summary>Alerts just raised (each once).</summary>
    void OnAlerts(Governance.Alert[] alerts);
}
