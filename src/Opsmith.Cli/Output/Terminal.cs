namespace Opsmith.Cli.Output;

/// <summary>Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org) or TERM is dumb.</summary>
public sealed class Terminal(TextWriter writer, bool colour)
{
    public TextWriter Writer { get; } = writer;
    public bool Colour { get; } = colour;

    public static bool ShouldColour(TextWriter writer) =>
        writer == Console.Out && !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
        && Environment.GetEnvironmentVariable("TERM") != "dumb";

    public string Red(string text) => Paint(text, "31");
    public string Green(string text) => Paint(text, "32");
    public string Yellow(string text) => Paint(text, "33");
    public string Dim(string text) => Paint(text, "2");
    public string Bold(string text) => Paint(text, "1");

    private string Paint(string text, string code) => Colour ? $"\u001b[{code}m{text}\u001b[0m" : text;
}
