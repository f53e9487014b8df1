using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using System.Net.Sockets;
using Opsmith.Core.Runs;
using Opsmith.Core.Skills;
using Opsmith.Execution.Tests.Checks;
using Opsmith.Execution.Tests.Support;
using Opsmith.Testing;

namespace Opsmith.Execution.Tests.Runs;

/// <summary>
/// http, tcp and prometheus checks made from the target (the default for SSH hosts): a read-tier command through
/// the executor on the host, compared as a check from this machine would be.
/// </summary>
public sealed class TargetChecksTests(SshClusterFixture fixture, PrometheusServer prometheus)
    : IClassFixture<SshClusterFixture>, IClassFixture<PrometheusServer>
{
    private static readonly Dictionary<string, string> OnNode1 = new() { ["host"] = "node1" };

    private static Skill CheckSkill(string criterion) => TestRuns.Skill($$$"""
        apiVersion: opsmith/v1
        kind: Skill
        metadata: {name: check-from-target, title: Check from the target, description: One check., stage: detection}
        spec:
          inputs:
            host: {type: host, required: true}
          targets: "{{ inputs.host }}"
          risk: read
          actions:
            - name: noop
              run: "true"
          success_criteria:
            - name: probe
        {{{criterion}}}
        """);

    [Fact]
    public async Task An_http_check_on_an_ssh_host_is_made_from_the_target_by_default_as_a_read_through_the_executor()
    {
        await using var web = await TestWebServer.StartAsync(app => app.MapGet("/health", () => "all good"));
        var skill = CheckSkill($$"""
                  http: {url: "{{web.Url("/health")}}", body_contains: good}
            """);

        var report = await TestRuns.RunAsync(fixture.Cluster, skill, RunMode.Execute, OnNode1);

        var host = Assert.Single(report.Hosts);
        Assert.Equal(RunVerdict.Succeeded, host.Verdict);
        var step = host.Steps.Single(s => s.Name == "probe");
        Assert.Equal("http", step.Kind);
        Assert.StartsWith("curl ", step.Command);
        Assert.Equal(RiskTier.Read, step.Tier);
        Assert.Equal(0, step.ExitCode);
    }

    [Fact]
    public async Task An_http_check_from_the_target_fails_with_the_status_it_saw()
    {
        await using var web = await TestWebServer.StartAsync(app => app.MapGet("/health", () => Results.StatusCode(503)));
        var skill = CheckSkill($$"""
                  http: {url: "{{web.Url("/health")}}", from: target}
            """);

        var report = await TestRuns.RunAsync(fixture.Cluster, skill, RunMode.Execute, OnNode1);

        var step = Assert.Single(report.Hosts).Steps.Single(s => s.Name == "probe");
        Assert.Equal(StepVerdict.Failed, step.Verdict);
        Assert.StartsWith($"GET {web.Url("/health")} (from the target) answered 503, expected 200", step.Detail);
    }

    [Fact]
    public async Task An_http_check_from_the_controller_is_made_here()
    {
        await using var web = await TestWebServer.StartAsync(app => app.MapGet("/health", () => "ok"));
        var skill = CheckSkill($$"""
                  http: {url: "{{web.Url("/health")}}", from: controller}
            """);

        var report = await TestRuns.RunAsync(fixture.Cluster, skill, RunMode.Execute, OnNode1);

        var step = Assert.Single(report.Hosts).Steps.Single(s => s.Name == "probe");
        Assert.Equal(StepVerdict.Passed, step.Verdict);
        Assert.Equal($"GET {web.Url("/health")}", step.Command);
        Assert.Null(step.Tier);
    }

    [Fact]
    public async Task A_tcp_check_from_the_target_tells_open_from_closed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var open = ((IPEndPoint)listener.LocalEndpoint).Port;
        int closed;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            closed = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var openReport = await TestRuns.RunAsync(fixture.Cluster, CheckSkill($$"""
                  tcp: {host: 127.0.0.1, port: {{open}}}
            """), RunMode.Execute, OnNode1);
        var closedReport = await TestRuns.RunAsync(fixture.Cluster, CheckSkill($$"""
                  tcp: {host: 127.0.0.1, port: {{closed}}, expect: closed}
            """), RunMode.Execute, OnNode1);
        var wrongReport = await TestRuns.RunAsync(fixture.Cluster, CheckSkill($$"""
                  tcp: {host: 127.0.0.1, port: {{closed}}}
            """), RunMode.Execute, OnNode1);

        Assert.Equal(RunVerdict.Succeeded, openReport.Verdict);
        Assert.StartsWith("timeout ", Assert.Single(openReport.Hosts).Steps.Single(s => s.Name == "probe").Command);
        Assert.Equal(RunVerdict.Succeeded, closedReport.Verdict);
        var wrong = Assert.Single(wrongReport.Hosts).Steps.Single(s => s.Name == "probe");
        Assert.Equal(StepVerdict.Failed, wrong.Verdict);
        Assert.StartsWith($"tcp 127.0.0.1:{closed} (from the target) is closed (", wrong.Detail);
        Assert.EndsWith("expected open", wrong.Detail);
    }

    [Fact]
    public async Task A_prometheus_check_from_the_target_queries_the_server_from_there()
    {
        var passing = CheckSkill($$"""
                  prometheus: {url: "{{prometheus.Url}}", query: opsmith_test_queue_depth, expect: {equals: 42} }
            """);
        var failing = CheckSkill($$"""
                  prometheus: {url: "{{prometheus.Url}}", query: opsmith_test_queue_depth, expect: {below: 10} }
            """);

        var passed = await TestRuns.RunAsync(fixture.Cluster, passing, RunMode.Execute, OnNode1);
        var failed = await TestRuns.RunAsync(fixture.Cluster, failing, RunMode.Execute, OnNode1);

        Assert.Equal(RunVerdict.Succeeded, passed.Verdict);
        Assert.StartsWith("curl ", Assert.Single(passed.Hosts).Steps.Single(s => s.Name == "probe").Command);
        var step = Assert.Single(failed.Hosts).Steps.Single(s => s.Name == "probe");
        Assert.Equal("prometheus query 'opsmith_test_queue_depth' = 42, expected below 10", step.Detail);
    }
}
