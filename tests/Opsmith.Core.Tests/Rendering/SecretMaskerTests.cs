using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Opsmith.Core.Rendering;

namespace Opsmith.Core.Tests.Rendering;

/// <summary>
/// A secret must not come back out of Opsmith in any form a command could print it in. Each test prints the
/// secret the way a real tool would (base64, xxd, jq, curl, tr, rev, fold, head -c) and expects none of it left.
/// </summary>
public sealed class SecretMaskerTests
{
    /// <summary>Quotes, a dollar, a slash, HTML characters, a space and a non-ASCII letter: every escaping differs.</summary>
    private const string Secret = "s3cr3t \"Pa$$/wörd\" <&> 'x'";

    private static SecretMasker MaskerFor(params string[] secrets)
    {
        var masker = new SecretMasker();
        foreach (var secret in secrets) masker.Add(secret);
        return masker;
    }

    private static void AssertMasked(string printed, SecretMasker? masker = null)
    {
        var masked = (masker ?? MaskerFor(Secret)).Apply($"before {printed} after");
        Assert.Equal($"before {SecretMasker.Mask} after", masked);
    }

    [Fact]
    public void The_secret_as_printed_is_masked() => AssertMasked(Secret);

    [Fact]
    public void Base64_of_the_secret_is_masked()
    {
        AssertMasked(Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret)));
        AssertMasked(Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret)).TrimEnd('='));
    }

    [Fact]
    public void Base64url_of_the_secret_is_masked() =>
        AssertMasked(Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret)).TrimEnd('=').Replace('+', '-').Replace('/', '_'));

    [Theory]
    [InlineData("")]
    [InlineData("u:")]
    [InlineData("us:")]
    [InlineData("user:")]
    [InlineData("admin:")]
    [InlineData("deploy:")]
    public void A_secret_inside_a_longer_base64_blob_is_masked_at_every_alignment(string before)
    {
        // Basic auth: base64("user:secret"), whatever the user name's length.
        var blob = Convert.ToBase64String(Encoding.UTF8.GetBytes(before + Secret + "@trailer-bytes"));

        var masked = MaskerFor(Secret).Apply(blob);

        Assert.Contains(SecretMasker.Mask, masked);
        var kept = masked.Split(SecretMasker.Mask);
        // What is left is only the bytes of the surroundings (plus at most one mixed character each side).
        Assert.True(kept[0].Length <= (before.Length + 2) / 3 * 4 + 1, $"kept before: {kept[0]}");
        Assert.True(kept[1].Length <= Convert.ToBase64String(Encoding.UTF8.GetBytes("@trailer-bytes")).Length + 2, $"kept after: {kept[1]}");
    }

    [Fact]
    public void Hex_of_the_secret_is_masked_in_lower_and_upper_case()
    {
        var hex = Convert.ToHexString(Encoding.UTF8.GetBytes(Secret));
        AssertMasked(hex);
        AssertMasked(hex.ToLowerInvariant());
    }

    [Fact]
    public void Json_escaped_secret_is_masked_however_the_writer_escapes()
    {
        AssertMasked(JsonSerializer.Serialize(Secret)[1..^1]);
        AssertMasked(JsonSerializer.Serialize(Secret, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping })[1..^1]);
        // jq and Python write \u00f6 in lower case; some writers escape the slash.
        AssertMasked("s3cr3t \\\"Pa$$\\/w\\u00f6rd\\\" <&> 'x'");
        // JSON inside JSON: a body logged as a string.
        AssertMasked(JsonSerializer.Serialize(JsonSerializer.Serialize(Secret)[1..^1])[1..^1]);
    }

    [Fact]
    public void Url_encoded_secret_is_masked_in_every_common_encoding()
    {
        AssertMasked(Uri.EscapeDataString(Secret));
        AssertMasked(Uri.EscapeDataString(Secret).ToLowerInvariant());
        AssertMasked(WebUtility.UrlEncode(Secret));
    }

    [Fact]
    public void Shell_escaped_secret_is_masked()
    {
        AssertMasked(ShellQuote.Quote(Secret));
        AssertMasked("s3cr3t \\\"Pa\\$\\$/wörd\\\" <&> 'x'");
    }

    [Fact]
    public void Upper_and_lower_cased_secret_is_masked()
    {
        AssertMasked(Secret.ToUpperInvariant());
        AssertMasked(Secret.ToLowerInvariant());
    }

    [Fact]
    public void Reversed_secret_is_masked() => AssertMasked(new string(Secret.Reverse().ToArray()));

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void Secret_split_across_lines_is_masked(string newline)
    {
        // fold -w 5, or base64 wrapping at 76 columns.
        var folded = string.Join(newline, Secret.Chunk(5).Select(c => new string(c)));
        AssertMasked(folded);
        var longSecret = string.Concat(Enumerable.Repeat("k3y-material-", 8));
        var wrapped = string.Join(newline, Convert.ToBase64String(Encoding.UTF8.GetBytes(longSecret)).Chunk(76).Select(c => new string(c)));
        AssertMasked(wrapped, MaskerFor(longSecret));
    }

    [Fact]
    public void Each_line_of_a_multi_line_secret_is_masked()
    {
        const string key = "-----BEGIN KEY-----\nMIIEvQIBADANBgkq\n-----END KEY-----";

        var masked = MaskerFor(key).Apply("line 2 is MIIEvQIBADANBgkq here");

        Assert.Equal("line 2 is *** here", masked);
    }

    [Fact]
    public void Overlapping_secrets_are_masked_together()
    {
        var masked = MaskerFor("abcd-1234", "1234-wxyz").Apply("x abcd-1234-wxyz y");

        Assert.Equal("x *** y", masked);
    }

    [Fact]
    public void Ordinary_text_is_left_alone()
    {
        var masker = MaskerFor(Secret, "hunter2");

        Assert.Equal("every line of the audit trail", masker.Apply("every line of the audit trail"));
    }

    // ---- secrets too short to mask ----

    [Theory]
    [InlineData("e")]
    [InlineData("ab")]
    [InlineData("xyz")]
    public void A_secret_shorter_than_the_minimum_is_refused(string secret)
    {
        var masker = new SecretMasker();

        var refused = Assert.Throws<SecretTooShortException>(() => masker.Add(secret));

        Assert.Equal(secret.Length, refused.Length);
        Assert.NotNull(SecretMasker.Problem(secret));
        Assert.Equal("every entry", masker.Apply("every entry"));
    }

    [Fact]
    public void A_secret_of_the_minimum_length_is_accepted()
    {
        var secret = new string('k', SecretMasker.MinimumSecretLength);

        Assert.Null(SecretMasker.Problem(secret));
        Assert.Equal("a *** b", MaskerFor(secret).Apply($"a {secret} b"));
    }

    // ---- truncation ----

    [Fact]
    public void Apply_and_truncate_masks_before_it_cuts()
    {
        var text = "token=" + Secret + " and more text after it";

        var excerpt = MaskerFor(Secret).ApplyAndTruncate(text, 12);

        Assert.Equal("token=*** an…", excerpt);
    }

    [Fact]
    public void A_text_cut_in_the_middle_of_a_secret_keeps_no_start_of_it()
    {
        var masker = MaskerFor("hunter2-s3cr3t");

        Assert.Equal("token=***", masker.ApplyToTruncated("token=hunter2-s3"));
        Assert.Equal("token=***", masker.ApplyToTruncated("token=HUN"));
        Assert.Equal("token=***", masker.ApplyToTruncated("token=" + Convert.ToBase64String(Encoding.UTF8.GetBytes("hunter2-s3cr3t"))[..5]));
    }

    [Fact]
    public void A_text_cut_after_fewer_characters_than_the_minimum_prefix_is_kept()
    {
        Assert.Equal("token=hu", MaskerFor("hunter2-s3cr3t").ApplyToTruncated("token=hu"));
    }

    [Fact]
    public void A_whole_text_is_not_treated_as_cut()
    {
        Assert.Equal("token=hunt", MaskerFor("hunter2-s3cr3t").Apply("token=hunt"));
    }

    [Fact]
    public void Truncating_masked_text_never_splits_a_surrogate_pair()
    {
        Assert.Equal("ab…", SecretMasker.TruncateMasked("ab\U0001F600cd", 3));
    }

    // ---- cost ----

    [Fact]
    public void Masking_costs_time_linear_in_the_text_whatever_the_secrets()
    {
        // Many long forms that share prefixes with the text: the worst case for a search that restarts per form.
        var masker = MaskerFor(new string('a', 2000) + "b", new string('a', 1000) + "c", Secret, "hunter2-s3cr3t");
        Assert.True(masker.FormCount > 20);
        var text = new string('a', 1 << 20);

        var steps = masker.StepsFor(text);

        Assert.True(steps <= 2L * text.Length, $"{steps} steps for {text.Length} characters");
        Assert.Equal(text, masker.Apply(text));
    }

    [Fact]
    public void Every_occurrence_in_a_large_text_is_masked()
    {
        var masker = MaskerFor(Secret, "hunter2-s3cr3t");
        var text = string.Concat(Enumerable.Repeat("line with hunter2-s3cr3t and " + Uri.EscapeDataString(Secret) + "\n", 20_000));

        var masked = masker.Apply(text);

        Assert.Equal(string.Concat(Enumerable.Repeat("line with *** and ***\n", 20_000)), masked);
    }
}
