namespace Opsmith.Application.Tests.Import;

/// <summary>
/// Source files written for these tests in the formats of OpsSkill, Legator and Agent Skills, shaped like the files those
/// systems' users write (fields, comments, hard-coded names, unsafe settings), not copied from their repositories.
/// </summary>
internal static class ImportFixtures
{
    public const string OpsSkillRecovery = """
        version: "0.1"
        name: restart-checkout
        intent: Restart the checkout deployment when its pods stop answering after a bad config push
        namespace: shop
        metadata:
          stage: recovery
          category: action
          risk_level: low
          owner: payments-sre
          required_tools: [kubectl]
          instance_parameters:
            namespace_env: OPS_NAMESPACE
            deployment_name: checkout
          hidden_checks:
            - name: checkout-available
              signal: deployment-availability
              command: kubectl -n shop get deployment checkout -o jsonpath='{.status.availableReplicas}'
              expect_stdout_contains: "3"
        preconditions:
          - name: checkout deployment exists
            command: kubectl -n shop get deployment checkout
        actions:
          - name: restart checkout rollout
            command: kubectl -n shop rollout restart deployment/checkout
            on_failure: rollback
        success_criteria:
          - name: rollout finished
            command: kubectl -n shop rollout status deployment/checkout --timeout=180s
            expect_stdout_contains: successfully rolled out
        rollback:
          - name: undo checkout rollout
            command: kubectl -n shop rollout undo deployment/checkout
        """;

    public const string OpsSkillDetection = """
        version: '0.1'
        name: warning-events-snapshot
        intent: Collect recent warning events and pod phases in the namespace
        namespace: shop
        metadata:
          stage: detection
          risk_level: none
        preconditions:
          - name: namespace visible
            command: kubectl get namespace shop
            expect_exit_code: 0
        actions:
          - name: warning events
            command: kubectl -n "$OPS_NAMESPACE" get events --field-selector type=Warning
            on_failure: continue
          - name: pod phases
            command: kubectl -n shop get pods -o jsonpath='{range .items[*]}{.metadata.name}={.status.phase}{"\n"}{end}'
            on_failure: continue
        success_criteria:
          - name: pods listed
            command: printf '%s\n' "shop" && kubectl -n shop get pods --no-headers
            expect_stdout_contains: shop
        rollback: []
        """;

    public const string OpsSkillTaskCard = """
        name: checkout-recover-rollout
        intent: Bring checkout back after a memory leak made its pods restart in a loop
        fault_domain: memory
        task_family: T2
        task_type: mutating
        namespace: shop
        workload: checkout
        expected_outcome: checkout is rolled out again and all its pods are Running
        opsskill_skill: skills/recovery/restart_checkout.yaml
        hidden_checks:
          - name: pods-running
            command: "kubectl -n shop get pods -l app=checkout -o jsonpath='{.items[*].status.phase}'"
            expect_stdout_contains: Running
        """;

    public const string OpsSkillCluster = """
        # staging cluster, reached through the office bastion
        jump_host: ops@203.0.113.7
        target_host: ubuntu@10.20.3.110
        namespace: shop
        ssh_options:
          - -o
          - StrictHostKeyChecking=no
          - -o
          - ServerAliveInterval=30
        """;

    public const string OpsSkillInstances = """
        benchmark_suite: shop-bench-v1
        task_instances:
          - id: rec-001
            stage: recovery
            skill: skills/recovery/restart_checkout.yaml
            namespace: shop
            scenario: recover checkout after a crash loop
            specialization:
              namespace_env: shop
              deployment_name: checkout
            expected_hidden_signals:
              - deployment-availability
          - stage: detection
            scenario: an instance someone forgot to number
        """;

    public const string LegatorAgentWithSkill = """
        apiVersion: legator.io/v1alpha1
        kind: LegatorAgent
        metadata:
          name: disk-watch
          namespace: agents
        spec:
          description: "Watches disk and memory on the web servers every 15 minutes"
          environmentRef: web-fleet
          schedule:
            interval: "15m"
          model:
            tier: fast
            tokenBudget: 24000
            timeout: "90s"
          skills:
            - source: "configmap://skill-disk-watch"
          guardrails:
            autonomy: automate-safe
            deniedActions:
              - "ssh.exec rm *"
            maxIterations: 6
            maxRetries: 1
          reporting:
            onFailure: escalate
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: skill-disk-watch
          namespace: agents
        data:
          SKILL.md: |
            # Disk watch

            For each web server:

            1. **Disk usage**: `df -P /var`
               - WARNING above 80%
            2. **Memory**: `free -m`
            3. **Biggest logs**:

               ```bash
               du -sh /var/log/nginx
               ```

            4. If /var is above 95%, delete old logs: `find /var/log/nginx -name '*.gz' -mtime +7 -delete`
          actions.yaml: |
            actions:
              - name: run-checks
                tool: ssh.exec
                tier: read
        """;

    public const string LegatorEnvironment = """
        apiVersion: legator.io/v1alpha1
        kind: LegatorEnvironment
        metadata:
          name: web-fleet
          namespace: agents
        spec:
          endpoints:
            web-1:
              url: "ssh://deploy@web-1.internal.example:2222"
            prometheus:
              url: http://prometheus.monitoring:9090
              healthPath: /-/healthy
            shop:
              url: https://shop.example.com
              healthPath: /healthz
          credentials:
            db-1:
              type: ssh-key
              secretRef: ssh-db-1
            grafana:
              type: token
              secretRef: grafana-token
          dataResources:
            databases:
              - kind: postgres
                name: orders
                host: db-1
            persistentStorage:
              - kind: PersistentVolumeClaim
                namespace: shop
                name: uploads
          channels:
            ops-hook:
              type: webhook
              target: https://hooks.example.com/services/T0/B0/abcdef
            pager:
              type: telegram
              target: "123456"
          namespaces:
            apps: [shop]
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: ssh-db-1
        stringData:
          host: 10.0.0.21
          user: postgres-admin
          private-key: "-----BEGIN OPENSSH PRIVATE KEY----- not-a-real-key"
        """;

    public const string LegatorModelTiers = """
        apiVersion: legator.io/v1alpha1
        kind: ModelTierConfig
        metadata:
          name: default
        spec:
          defaultAuth:
            type: apiKey
            secretRef: llm-api-key
            secretKey: api-key
          tiers:
            - tier: fast
              provider: anthropic
              model: claude-haiku-4-5
              maxTokens: 4096
              costPerMillionInput: "1.00"
            - tier: standard
              provider: vllm
              model: qwen3-32b
              endpoint: http://vllm.models:8000/v1
              auth:
                type: none
            - tier: reasoning
              provider: bedrock
              model: some-model
        """;

    public const string LegatorScaffold = """
        apiVersion: legator.io/v1alpha1
        kind: LegatorAgent
        metadata:
          name: legator-sample
        spec:
          # TODO(user): Add fields here
        """;

    public const string AgentSkill = """
        ---
        name: nginx-triage
        description: Find out why nginx stopped answering
        version: 1.2.0
        ---
        # nginx triage

        ## Look

        ```sh
        $ systemctl is-active nginx
        nginx -t
        journalctl -u nginx -n 50 --no-pager
        ```

        Check the upstream with `curl -sS -o /dev/null -w '%{http_code}' http://127.0.0.1:<port>/`.

        ```sql
        SELECT count(*) FROM pg_stat_activity;
        ```

        ## Fix

        If the configuration is valid, restart it: `systemctl restart nginx`.
        """;
}
