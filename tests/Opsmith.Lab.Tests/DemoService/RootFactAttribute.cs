namespace Opsmith.Lab.Tests.DemoService;

/// <summary>A fact that needs root (to mount a filesystem); skipped, saying so, for anyone else.</summary>
internal sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Environment.UserName != "root")
            Skip = "needs root to mount a tiny tmpfs and fill it (run the tests as root, as CI does)";
    }
}
