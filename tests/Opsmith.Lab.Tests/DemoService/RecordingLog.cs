using System.Text;

namespace Opsmith.Lab.Tests.DemoService;

/// <summary>A log the service writes to from request threads while a test reads it.</summary>
internal sealed class RecordingLog : TextWriter
{
    private readonly StringBuilder _text = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_text) _text.Append(value);
    }

    public override void Write(string? value)
    {
        lock (_text) _text.Append(value);
    }

    public override void WriteLine(string? value)
    {
        lock (_text) _text.Append(value).Append('\n');
    }

    public IReadOnlyList<string> Lines()
    {
        lock (_text) return _text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
