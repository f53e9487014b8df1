using System.Text;

namespace Opsmith.Core.Tests.Fuzzing;

/// <summary>
/// Turns a valid document into a broken one the way people and tools break files: flipped, inserted and
/// deleted bytes, truncation, deep nesting, huge numbers and durations, odd unicode, anchors and aliases,
/// tabs, shuffled and repeated lines. Deterministic for a given <see cref="Random"/> seed.
/// </summary>
public sealed class DocumentMutator(Random random)
{
    private static readonly string[] HugeValues =
    [
        "999999999999999999999d", "99999999999999999999999999999999999999999ms", "1000000d", "9223372036854775808",
        "-9223372036854775809", "1e999", "-1e999", ".inf", ".nan", "NaN", "0x7fffffffffffffff", "36500d1ms", "2147483648",
        "00000000000000000000000000000000001s", "1h" + string.Concat(Enumerable.Repeat("59m", 200)),
    ];

    private static readonly string[] OddText =
    [
        "\uFEFF", "\u202E", "\u200B", "\u00A0", "\u2028", "\u0085", "e\u0301", "\U0001F525", "\uFFFD", "\r", "\t", "\v", "\f",
        "\u3000", "ǅ", "İ", "ß", "\u0000",
    ];

    private static readonly string[] YamlBits =
    [
        "&a ", "*a", "*missing", "<<: *a\n", "&a [*a]", "!!binary ", "!<tag:x> ", "? ", "- ", ": ", "{", "}", "[", "]", "|", ">-",
        "---\n", "...\n", "%YAML 1.1\n", "'", "\"", "#", "@", "`", "\\", "{{ inputs.x }}", "{{", "}}", "${x}", "\t", "  ", "\n",
    ];

    public byte[] Mutate(byte[] original)
    {
        var bytes = original;
        var rounds = 1 + random.Next(3);
        for (var i = 0; i < rounds; i++) bytes = MutateOnce(bytes);
        return bytes;
    }

    private byte[] MutateOnce(byte[] bytes)
    {
        if (bytes.Length == 0) return Encoding.UTF8.GetBytes(Pick(YamlBits));
        switch (random.Next(12))
        {
            case 0: // flip a bit
            {
                var copy = (byte[])bytes.Clone();
                copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
                return copy;
            }
            case 1: // truncate
                return bytes[..random.Next(bytes.Length)];
            case 2: // delete a run of bytes
            {
                var start = random.Next(bytes.Length);
                var length = Math.Min(bytes.Length - start, 1 + random.Next(20));
                return [.. bytes[..start], .. bytes[(start + length)..]];
            }
            case 3: // insert a random byte
            {
                var at = random.Next(bytes.Length + 1);
                return [.. bytes[..at], (byte)random.Next(256), .. bytes[at..]];
            }
            default:
                return Encoding.UTF8.GetBytes(MutateText(Encoding.UTF8.GetString(bytes)));
        }
    }

    private string MutateText(string text)
    {
        var lines = text.Split('\n').ToList();
        var line = random.Next(lines.Count);
        switch (random.Next(10))
        {
            case 0: // a huge number or duration in place of a value
            {
                var colon = lines[line].IndexOf(": ", StringComparison.Ordinal);
                lines[line] = colon >= 0 ? lines[line][..(colon + 2)] + Pick(HugeValues) : lines[line] + Pick(HugeValues);
                break;
            }
            case 1: // deep nesting, flow or block
                lines.Insert(line, random.Next(2) == 0
                    ? "deep: " + new string('[', 10 + random.Next(200)) + new string(']', random.Next(210))
                    : string.Concat(Enumerable.Range(0, 10 + random.Next(100)).Select(i => new string(' ', i) + "k:\n")));
                break;
            case 2: // odd unicode somewhere
                lines[line] = Insert(lines[line], Pick(OddText));
                break;
            case 3: // a tab in the indentation or on a blank line
                lines[line] = random.Next(2) == 0 ? "\t" + lines[line] : lines[line].Replace("  ", "\t", StringComparison.Ordinal);
                if (random.Next(3) == 0) lines.Insert(line, "\t");
                break;
            case 4: // anchors and aliases, including a small bomb
                if (random.Next(4) == 0)
                    lines.Insert(0, "x0: &x0 [a, a, a, a, a, a, a, a, a, a]\nx1: &x1 [*x0, *x0, *x0, *x0, *x0, *x0, *x0, *x0, *x0, *x0]\n" +
                                    "x2: &x2 [*x1, *x1, *x1, *x1, *x1, *x1, *x1, *x1, *x1, *x1]\nx3: [*x2, *x2, *x2, *x2, *x2, *x2, *x2, *x2, *x2, *x2, *x2]");
                else lines[line] = Insert(lines[line], Pick(YamlBits));
                break;
            case 5: // repeat a line (duplicate keys)
                lines.Insert(line, lines[line]);
                break;
            case 6: // swap two lines
            {
                var other = random.Next(lines.Count);
                (lines[line], lines[other]) = (lines[other], lines[line]);
                break;
            }
            case 7: // re-indent a line
                lines[line] = new string(' ', random.Next(12)) + lines[line].TrimStart();
                break;
            case 8: // a syntax character
                lines[line] = Insert(lines[line], Pick(YamlBits));
                break;
            default: // a very long line
                lines[line] += new string('x', random.Next(20_000));
                break;
        }
        return string.Join('\n', lines);
    }

    private string Insert(string text, string piece)
    {
        var at = random.Next(text.Length + 1);
        return text[..at] + piece + text[at..];
    }

    private string Pick(string[] values) => values[random.Next(values.Length)];
}
