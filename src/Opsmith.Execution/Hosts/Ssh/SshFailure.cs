namespace Opsmith.Execution.Hosts.Ssh;

/// <summary>Turns what ssh printed when it could not connect into a sentence that says what to do.</summary>
internal static class SshFailure
{
    public static string Describe(string hostName, string address, int port, string sshError)
    {
        var where = $"{hostName} ({address}:{port})";
        var e = sshError;
        if (e.Contains("REMOTE HOST IDENTIFICATION HAS CHANGED", StringComparison.Ordinal) ||
            e.Contains("Host key for", StringComparison.Ordinal) && e.Contains("has changed", StringComparison.Ordinal))
            return $"the host key of {where} does not match known_hosts: refusing to connect (it may have been reinstalled, or someone is in the middle); verify it and update known_hosts";
        if (e.Contains("Host key verification failed", StringComparison.Ordinal) || e.Contains("No ED25519 host key is known", StringComparison.Ordinal)
            || e.Contains("host key is known", StringComparison.Ordinal))
            return $"the host key of {where} is not in known_hosts (host_key_checking: strict); verify its fingerprint and add it, or set host_key_checking: accept-new for a new host";
        if (e.Contains("Connection refused", StringComparison.Ordinal))
            return $"{where} refused the connection (is sshd running on port {port}?)";
        if (e.Contains("timed out", StringComparison.OrdinalIgnoreCase))
            return $"connecting to {where} timed out";
        if (e.Contains("No route to host", StringComparison.Ordinal) || e.Contains("Network is unreachable", StringComparison.Ordinal))
            return $"there is no route to {where}";
        if (e.Contains("Permission denied", StringComparison.Ordinal))
            return $"{where} rejected the key (Permission denied): check user and identity_file";
        if (e.Contains("Could not resolve hostname", StringComparison.Ordinal))
            return $"the address of {where} does not resolve";
        var first = e.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim();
        return $"cannot reach {where}: {(string.IsNullOrEmpty(first) ? "ssh failed without a message" : first)}";
    }
}
