namespace Opsmith.Policy.Classification.Rules;

/// <summary>Servers started from the command line (nc -l, openssl s_server): on the loopback address only, or on every address.</summary>
internal static class Listener
{
    /// <summary>True when an argument binds the listener to the loopback address (127.x, localhost, ::1), alone or as host:port.</summary>
    public static bool OnLoopback(IEnumerable<string> args) =>
        args.Any(a => a.StartsWith("127.", StringComparison.Ordinal) || a.StartsWith("localhost", StringComparison.Ordinal) || a is "::1" || a.StartsWith("[::1]", StringComparison.Ordinal));
}
