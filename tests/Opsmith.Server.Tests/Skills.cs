namespace Opsmith.Server.Tests;

/// <summary>Skills the server tests propose, merge and run on the loopback sshd cluster (group <c>nodes</c>).</summary>
public static class Skills
{
    public static string Read(string name, string command = "uname -s") => $"""
        apiVersion: opsmith/v1
        kind: Skill
        metadata: {"{"}name: {name}, title: Look at a node, description: Reads what the kernel is called., stage: diagnosis, category: system, tags: [demo]{"}"}
        spec:
          targets: nodes
          risk: read
          actions:
            - name: look
              run: {command}
        """;

    /// <summary>A data mutation: whatever the autonomy, another person must approve it before it runs.</summary>
    public static string Mutation(string name, string marker) => $"""
        apiVersion: opsmith/v1
        kind: Skill
        metadata: {"{"}name: {name}, title: Write a marker, description: Writes a marker file., stage: recovery, category: files{"}"}
        spec:
          targets: nodes
          risk: data-mutation
          actions:
            - name: write
              run: touch -- {marker}
          success_criteria:
            - name: written
              run: test -e {marker}
          rollback: {"{"}none: true, reason: a marker file{"}"}
        """;
}
