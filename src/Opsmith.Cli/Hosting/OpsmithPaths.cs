namespace Opsmith.Cli.Hosting;

/// <summary>
/// Where Opsmith keeps configuration and data: the XDG folders (~/.config/opsmith, ~/.local/share/opsmith),
/// or everything under $OPSMITH_HOME when it is set (handy for tests and for several independent setups).
/// </summary>
public sealed record OpsmithPaths(string ConfigDirectory, string DataDirectory)
{
    public static OpsmithPaths FromEnvironment()
    {
        var home = Environment.GetEnvironmentVariable("OPSMITH_HOME");
        if (!string.IsNullOrEmpty(home))
            return new OpsmithPaths(Path.Combine(home, "config"), Path.Combine(home, "data"));
        var user = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } c ? c : Path.Combine(user, ".config");
        var data = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } d ? d : Path.Combine(user, ".local", "share");
        return new OpsmithPaths(Path.Combine(config, "opsmith"), Path.Combine(data, "opsmith"));
    }
}
