namespace Opsmith.Application;

/// <summary>
/// Where Opsmith keeps configuration, data and caches: the XDG folders (~/.config/opsmith, ~/.local/share/opsmith,
/// ~/.cache/opsmith), or everything under $OPSMITH_HOME when it is set (handy for tests and for several
/// independent setups).
/// </summary>
public sealed record OpsmithPaths(string ConfigDirectory, string DataDirectory, string CacheDirectory)
{
    /// <summary>The configuration file: <c>opsmith.yaml</c> in the configuration folder.</summary>
    public string ConfigFile => Path.Combine(ConfigDirectory, "opsmith.yaml");

    public static OpsmithPaths FromEnvironment() => From(Environment.GetEnvironmentVariable);

    public static OpsmithPaths From(Func<string, string?> environment)
    {
        var home = environment("OPSMITH_HOME");
        if (!string.IsNullOrEmpty(home))
            return new OpsmithPaths(Path.Combine(home, "config"), Path.Combine(home, "data"), Path.Combine(home, "cache"));
        var user = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string Xdg(string variable, params string[] fallback) =>
            environment(variable) is { Length: > 0 } set && Path.IsPathRooted(set) ? set : Path.Combine([user, .. fallback]);
        return new OpsmithPaths(Path.Combine(Xdg("XDG_CONFIG_HOME", ".config"), "opsmith"),
            Path.Combine(Xdg("XDG_DATA_HOME", ".local", "share"), "opsmith"),
            Path.Combine(Xdg("XDG_CACHE_HOME", ".cache"), "opsmith"));
    }

    /// <summary>
    /// Where ssh's ControlMaster sockets go: the data folder, unless that path is too long for a Unix socket
    /// (108 bytes, and ssh appends 17 more while creating one) — then a private folder in /tmp named after it.
    /// </summary>
    public string SshControlDirectory
    {
        get
        {
            var preferred = Path.Combine(DataDirectory, "ssh");
            if (preferred.Length <= 60) return preferred;
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(preferred)))[..16];
            return Path.Combine("/tmp", $"opsmith-ssh-{hash}");
        }
    }
}
