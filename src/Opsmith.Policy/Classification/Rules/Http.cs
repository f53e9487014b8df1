using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// curl, wget and httpie, judged by method: GET/HEAD to standard output read; POST/PUT/PATCH are
/// service-mutation; DELETE is destructive; writes and deletes sent to a data store's HTTP API
/// (Elasticsearch, CouchDB, InfluxDB, Consul KV, etcd) are data-mutation. Saving the body is judged as a file write.
/// </summary>
internal static class Http
{
    private static readonly string[] DataStoreMarkers =
        [":9200", ":9201", "_delete_by_query", "_update_by_query", "/_bulk", "/_doc", ":5984", "/v1/kv/", "/v3/kv/", ":8086", "/api/v2/write", "/api/v2/delete", ":8123", ":2379", "/_snapshot", "/_close", "/api/v1/admin/tsdb/", "elasticsearch", "opensearch", "couchdb"];

    /// <summary>Endpoints that answer queries even when called with POST: Elasticsearch/OpenSearch, Prometheus, Loki, InfluxDB 2 (Flux).</summary>
    private static readonly string[] QueryEndpoints =
    [
        "/_search", "/_count", "/_msearch", "/_validate", "/_analyze", "/_explain", "/_field_caps", "/_mget", "/_cat/", "/_eql/search", "/_async_search", "/_sql?", "/_sql/translate",
        "/api/v1/query", "/api/v1/query_range", "/api/v1/query_exemplars", "/api/v1/series", "/api/v1/labels", "/api/v1/format_query",
        "/loki/api/v1/query", "/loki/api/v1/query_range", "/loki/api/v1/series", "/loki/api/v1/labels", "/api/v2/query", "/prometheus/api/v1/query",
    ];

    private static readonly string[] CurlValueOptions =
    [
        "-o", "--output", "-H", "--header", "-A", "--user-agent", "-e", "--referer", "-u", "--user", "-x", "--proxy", "-K", "--config", "-w", "--write-out",
        "-b", "--cookie", "-c", "--cookie-jar", "-E", "--cert", "--cacert", "--key", "-m", "--max-time", "--connect-timeout", "--retry", "-r", "--range",
        "-C", "--continue-at", "-y", "-Y", "--resolve", "--connect-to", "--limit-rate", "-U", "--proxy-user", "--interface", "--unix-socket", "-z",
        "-D", "--dump-header", "--trace", "--trace-ascii", "--stderr", "--proto", "--retry-delay", "--retry-max-time", "--noproxy", "-Q", "--quote",
        "--oauth2-bearer", "-X", "--request", "-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--json", "-F", "--form", "--form-string",
        "-T", "--upload-file", "--url", "--cert-type", "--key-type", "--aws-sigv4", "--variable", "--max-filesize", "--expect100-timeout", "--capath",
    ];

    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = new()
    {
        ["curl"] = Curl,
        ["wget"] = Wget,
        ["http"] = Httpie,
        ["https"] = Httpie,
        ["xh"] = Httpie,
    };

    private static Verdict Curl(Invocation call)
    {
        // Short options that take a value may be glued to it (-XPOST, -o/tmp/x), so clusters are read the getopt way.
        var options = OptionSyntax.Parse(call.Args, "oHAeuxKwbcEmrCyYUzDQXdFT", CurlValueOptions.Where(o => o.StartsWith("--", StringComparison.Ordinal)).ToList(), stopAtPositional: false);
        var method = options.Value("-X", "--request")?.ToUpperInvariant();
        var sendsData = options.Has("-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--json", "-F", "--form", "--form-string");
        if (method is null && options.Has("-I", "--head")) method = "HEAD";
        method ??= options.Has("-T", "--upload-file") ? "PUT" : sendsData && !options.Has("-G", "--get") ? "POST" : "GET";
        var urls = call.PositionalTexts(CurlValueOptions).Where(u => !u.StartsWith('-')).Concat(options.Values("--url")).ToList();
        var verdicts = new List<Verdict> { InfluxQlRead(method, urls, options) ?? Method(method, urls) };
        foreach (var url in urls)
        {
            var at = url.IndexOf("://", StringComparison.Ordinal);
            var scheme = at > 0 ? url[..at].ToLowerInvariant() : "";
            if (scheme is "gopher" or "gophers" or "dict" or "telnet" or "ldap" or "ldaps" or "smtp" or "smtps" or "mqtt" or "rtsp" or "tftp" or "imap" or "pop3")
            {
                var raw = RawProtocol.Judge($"curl-{scheme}", Uri.UnescapeDataString(RawPayload(url, scheme)), StdinKind.HereDoc, RawProtocol.Port(url[(at + 3)..]));
                verdicts.Add(raw.Tier == Core.Skills.RiskTier.Read ? Verdict.Unknown($"curl.{scheme}", $"{scheme}:// sends raw protocol text to a server; it is not known to be a read") : raw);
            }
            else if (scheme is "file" && (options.Has("-T", "--upload-file") || options.Has("-d", "--data")))
                verdicts.Add(Targets.Write(ShellWord.Literal(url[(at + 3)..]), "curl-file", replaces: true));
        }
        if (options.Value("-o", "--output") is { } output)
        {
            verdicts.Add(Targets.Write(ShellWord.Literal(output), "curl", replaces: true));
            call.Session.NoteWritten(ShellWord.Literal(output));
        }
        if (options.Value("-K", "--config") is { } config && config != "/dev/null") verdicts.Add(Verdict.Unknown("curl.config-file", $"reads options from {config}, which is not read here (it can name output files or uploads)"));
        if (options.Has("-O", "--remote-name", "--remote-name-all")) verdicts.Add(Verdict.Service("curl.write-file", "saves the download in the current directory"));
        if (options.Values("-Q", "--quote").Any(q => q.TrimStart('-', '+', '*').ToUpperInvariant() is var c && (c.StartsWith("DELE") || c.StartsWith("RMD") || c.StartsWith("RM "))))
            verdicts.Add(Verdict.Destructive("curl.ftp-delete", "sends FTP/SFTP delete commands"));
        return Targets.Worst(verdicts, Verdict.Read("http.get", "fetches a URL"));
    }

    /// <summary>The payload of gopher://host:port/_PAYLOAD (and dict://host/COMMAND): the text sent to the server.</summary>
    private static string RawPayload(string url, string scheme)
    {
        var rest = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var slash = rest.IndexOf('/');
        var path = slash < 0 ? "" : rest[(slash + 1)..];
        if (scheme.StartsWith("gopher", StringComparison.Ordinal) && path.Length > 0) path = path[1..];
        if (scheme == "dict") path = path.Replace(':', ' ');
        return path.Replace("%0d%0a", "\n", StringComparison.OrdinalIgnoreCase);
    }

    private static Verdict Wget(Invocation call)
    {
        var options = OptionSyntax.Parse(call.Args, "OoPaeiBTtwUY", ["--output-document", "--output-file", "--directory-prefix", "--method", "--post-data", "--post-file", "--body-data", "--body-file", "--header", "--user", "--password", "--tries", "--timeout", "--user-agent", "--input-file"], stopAtPositional: false);
        var method = options.Value("--method")?.ToUpperInvariant()
                     ?? (options.Has("--post-data", "--post-file") ? "POST" : options.Has("--body-data", "--body-file") ? "PUT" : "GET");
        var urls = call.Args.Where(a => a.Contains("://") || !a.StartsWith('-') && a.Contains('.')).ToList();
        var verdicts = new List<Verdict> { InfluxQlRead(method, urls, options) ?? Method(method, urls) };
        if (options.Has("--spider")) return verdicts[0];
        var document = options.Value("-O", "--output-document");
        if (document is not null and not "-" and not "/dev/stdout")
        {
            verdicts.Add(Targets.Write(ShellWord.Literal(document), "wget", replaces: true));
            call.Session.NoteWritten(ShellWord.Literal(document));
        }
        else if (document is null && !options.Has("--delete-after"))
            verdicts.Add(Targets.Write(ShellWord.Literal(options.Value("-P", "--directory-prefix") is { } dir ? dir.TrimEnd('/') + "/download" : "download"), "wget", replaces: true));
        return Targets.Worst(verdicts, Verdict.Read("http.get", "fetches a URL"));
    }

    /// <summary>http [METHOD] URL [ITEM...]: data items (a=b, a:=b) make it a POST.</summary>
    private static Verdict Httpie(Invocation call)
    {
        var positionals = call.PositionalTexts("-a", "--auth", "-o", "--output", "--session", "--verify", "--cert", "--cert-key", "--timeout", "-A", "--auth-type", "--proxy", "-p", "--print");
        var method = positionals.FirstOrDefault() is { } first && first.All(char.IsAsciiLetterUpper) ? first : null;
        var urls = positionals.Skip(method is null ? 0 : 1).Take(1).ToList();
        var items = positionals.Skip(method is null ? 1 : 2);
        method ??= items.Any(i => i.Contains('=') && !i.Contains("==")) || call.Has("-f", "--form") ? "POST" : "GET";
        var verdict = Method(method, urls);
        if (call.Value("-o", "--output") is { } output) verdict = Verdict.Max(verdict, Targets.Write(ShellWord.Literal(output), "http", replaces: true));
        return verdict;
    }

    /// <summary>
    /// InfluxDB 1.x answers InfluxQL on /query, by GET or POST: read when every statement in q= is SELECT (without INTO)
    /// or SHOW. Null when the request is not such a query.
    /// </summary>
    private static Verdict? InfluxQlRead(string method, IReadOnlyList<string> urls, ParsedOptions options)
    {
        if (method is not ("POST" or "GET") || urls.Count == 0 || !urls.All(u => u.Contains("/query", StringComparison.Ordinal) && !u.Contains("/api/", StringComparison.Ordinal))) return null;
        var parameters = options.Values("-d", "--data", "--data-raw", "--data-urlencode").Concat(urls.SelectMany(u => u.Contains('?') ? u[(u.IndexOf('?') + 1)..].Split('&') : [])).ToList();
        var statements = parameters.Where(p => p.StartsWith("q=", StringComparison.Ordinal)).SelectMany(p => Uri.UnescapeDataString(p[2..].Replace('+', ' ')).Split(';')).Select(q => q.Trim()).Where(q => q.Length > 0).ToList();
        if (statements.Count == 0 || parameters.Any(p => p.StartsWith('@'))) return null;
        return statements.All(q => q.StartsWith("SHOW ", StringComparison.OrdinalIgnoreCase) || q.StartsWith("SELECT ", StringComparison.OrdinalIgnoreCase) && !q.Contains(" INTO ", StringComparison.OrdinalIgnoreCase))
            ? Verdict.Read("http.influxql-read", "an InfluxQL SELECT or SHOW query; it reads") : null;
    }

    private static Verdict Method(string method, IReadOnlyList<string> urls)
    {
        if (method is not ("GET" or "HEAD" or "OPTIONS") && urls.Any(u => u.Contains("/-/quit", StringComparison.Ordinal)))
            return Verdict.Destructive("http.shutdown", $"{method} /-/quit stops the server (Prometheus, Alertmanager)");
        var where = urls.Count == 0 ? "a URL" : string.Join(' ', urls);
        var dataStore = urls.Any(u => DataStoreMarkers.Any(m => u.Contains(m, StringComparison.OrdinalIgnoreCase)));
        var query = urls.Any(u => QueryEndpoints.Any(e => u.Contains(e, StringComparison.Ordinal)));
        return method switch
        {
            "POST" when query => Verdict.Read("http.data-store-query", $"POST {where}: a search or count query; it reads"),
            "GET" or "HEAD" or "OPTIONS" => Verdict.Read($"http.{method.ToLowerInvariant()}", $"{method} {where} only fetches"),
            "DELETE" when dataStore => Verdict.Data("http.delete-data-store", $"DELETE {where}: deletes stored data through the store's HTTP API"),
            "DELETE" => Verdict.Destructive("http.delete", $"DELETE {where}: the server deletes what the URL names"),
            _ when dataStore => Verdict.Data("http.write-data-store", $"{method} {where}: writes or deletes stored data through the store's HTTP API"),
            _ => Verdict.Service($"http.{method.ToLowerInvariant()}", $"{method} {where}: the server changes something; what depends on the service"),
        };
    }
}
