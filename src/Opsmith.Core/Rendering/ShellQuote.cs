namespace Opsmith.Core.Rendering;

/// <summary>
/// POSIX shell quoting: the value becomes exactly one word whatever it contains. Single quotes end nothing
/// inside themselves except a single quote, which is written as '\'' (close, escaped quote, reopen).
/// </summary>
public static class ShellQuote
{
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''") + "'";
}
