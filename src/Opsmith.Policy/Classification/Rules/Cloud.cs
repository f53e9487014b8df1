using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// Cloud and object-store CLIs: aws, gsutil, gcloud, az, s3cmd, rclone, mc. describe/list/get read;
/// deleting from a storage or database service (aws s3 rm/rb, delete-db-instance, gsutil rm, ...) is
/// data-mutation; deleting other resources is destructive; everything else changes the service.
/// </summary>
internal static class Cloud
{
    private static readonly string[] AwsValueOptions = ["--region", "--profile", "--output", "--endpoint-url", "--query", "--color", "--ca-bundle", "--cli-read-timeout", "--cli-connect-timeout", "--cli-input-json", "--cli-input-yaml"];

    private static readonly HashSet<string> DataServices =
        ["s3", "s3api", "rds", "dynamodb", "redshift", "elasticache", "efs", "backup", "glacier", "docdb", "neptune", "kinesis", "sqs", "timestream-write", "opensearch", "es", "memorydb", "keyspaces", "qldb", "secretsmanager", "ecr", "fsx", "sql", "storage", "spanner", "bigtable", "firestore", "filestore", "alloydb", "datastore", "redis", "memcache", "cosmosdb", "postgres", "mysql", "disk", "snapshot", "bigquery", "pubsub"];

    private static readonly string[] ReadPrefixes = ["describe", "list", "get", "head", "lookup", "search", "batch-get", "scan", "query", "show", "wait", "validate", "estimate", "test-", "check", "tail", "filter-log-events", "help", "version", "export"];

    private static readonly string[] RemovePrefixes = ["delete", "terminate", "remove", "purge", "destroy", "deregister", "drop", "rm", "rb"];

    /// <summary>
    /// The services (aws), command groups (az) and surfaces (gcloud) the classifier knows. A verb is judged by the
    /// cloud CLIs' naming conventions (describe/list/get read) only under one of these; anything else is an unknown
    /// service, judged fail-closed (a plugin, an extension or a typo can do anything).
    /// </summary>
    private static readonly HashSet<string> AwsServices =
    [
        "ec2", "s3", "s3api", "s3control", "iam", "sts", "rds", "rds-data", "dynamodb", "dynamodbstreams", "lambda", "ecs", "eks", "ecr", "ecr-public", "elb", "elbv2", "autoscaling",
        "application-autoscaling", "cloudwatch", "logs", "cloudformation", "cloudfront", "route53", "route53domains", "route53resolver", "sns", "sqs", "kms", "secretsmanager", "ssm",
        "acm", "acm-pca", "apigateway", "apigatewayv2", "elasticache", "es", "opensearch", "opensearchserverless", "kinesis", "firehose", "glue", "athena", "emr", "emr-serverless",
        "emr-containers", "redshift", "redshift-data", "redshift-serverless", "efs", "fsx", "backup", "organizations", "configservice", "cloudtrail", "guardduty", "securityhub",
        "inspector", "inspector2", "waf", "wafv2", "waf-regional", "shield", "events", "scheduler", "stepfunctions", "batch", "codebuild", "codecommit", "codedeploy", "codepipeline",
        "codeartifact", "service-quotas", "support", "ce", "budgets", "pricing", "health", "xray", "appsync", "cognito-idp", "cognito-identity", "docdb", "docdb-elastic", "neptune",
        "memorydb", "mq", "kafka", "kafkaconnect", "timestream-query", "timestream-write", "qldb", "dms", "datasync", "transfer", "storagegateway", "glacier", "lightsail",
        "elasticbeanstalk", "ses", "sesv2", "sagemaker", "bedrock", "ram", "resource-groups", "resourcegroupstaggingapi", "sso", "sso-admin", "identitystore", "directconnect",
        "ec2-instance-connect", "networkmanager", "network-firewall", "globalaccelerator", "vpc-lattice", "servicediscovery", "appmesh", "apprunner", "amp", "grafana", "ds",
        "workspaces", "iot", "dax", "keyspaces", "cloudhsmv2", "signer", "compute-optimizer", "savingsplans", "account", "license-manager", "fis", "outposts", "mgn", "drs",
        "pipes", "osis", "lakeformation", "quicksight", "amplify", "cloudcontrol", "ebs", "ecs", "eks", "imagebuilder", "iot-data", "mediaconvert", "pi", "resiliencehub",
        "cloudwatch-logs", "oam", "internetmonitor", "rum", "synthetics", "evidently", "auditmanager", "macie2", "detective", "accessanalyzer", "trustedadvisor", "cur",
        "configure", "sso", "login", "help", "history", "deploy", "ssm-incidents", "ssm-contacts", "sso-oidc", "verifiedpermissions", "secretsmanager", "textract", "translate",
    ];

    private static readonly HashSet<string> AzGroups =
    [
        "account", "acr", "ad", "advisor", "aks", "apim", "appconfig", "appservice", "backup", "batch", "billing", "cdn", "cognitiveservices", "consumption", "container",
        "containerapp", "cosmosdb", "deployment", "disk", "disk-access", "disk-encryption-set", "eventgrid", "eventhubs", "extension", "feature", "functionapp", "group", "hdinsight",
        "identity", "image", "iot", "keyvault", "kusto", "lock", "managedapp", "maps", "mariadb", "monitor", "mysql", "netappfiles", "network", "policy", "postgres", "provider",
        "redis", "relay", "reservations", "resource", "role", "search", "security", "servicebus", "sf", "sig", "signalr", "snapshot", "sql", "sshkey", "staticwebapp", "storage",
        "synapse", "tag", "ts", "vm", "vmss", "webapp", "bicep", "config", "configure", "login", "logout", "devops", "repos", "pipelines", "boards", "artifacts", "cloud",
        "find", "version", "upgrade", "stack", "databricks", "datafactory", "spring", "aro", "connectedk8s", "k8s-configuration", "k8s-extension", "fleet", "grafana", "afd",
        "logicapp", "elastic", "automation", "costmanagement", "quota", "support", "ml", "bot", "webpubsub", "dataprotection", "ppg", "restore-point", "capacity", "term",
        "dns", "private-dns", "vmware", "communication", "containerapp", "help", "rest", "graph", "resourcemanagement", "mysql", "postgres", "aks", "managed-cassandra",
    ];

    private static readonly HashSet<string> GcloudGroups =
    [
        "compute", "container", "sql", "storage", "iam", "projects", "config", "auth", "logging", "monitoring", "pubsub", "functions", "run", "app", "dns", "kms", "secrets",
        "services", "deployment-manager", "dataproc", "dataflow", "bigtable", "spanner", "firestore", "datastore", "redis", "memcache", "filestore", "artifacts", "builds",
        "source", "scheduler", "tasks", "composer", "organizations", "resource-manager", "components", "info", "init", "version", "help", "topic", "ai", "ai-platform",
        "ml-engine", "healthcare", "network-management", "network-security", "network-services", "access-context-manager", "asset", "billing", "endpoints", "emulators",
        "identity", "workflows", "eventarc", "certificate-manager", "recommender", "policy-intelligence", "essential-contacts", "anthos", "domains", "batch", "transfer",
        "backup-dr", "workstations", "privateca", "resource-settings", "org-policies", "cloud-shell", "netapp", "alloydb", "notebooks", "workbench", "datastream",
        "database-migration", "metastore", "dataplex", "data-catalog", "container-analysis", "edge-cache", "looker", "memorystore", "active-directory", "bq", "scc",
        "deploy", "cheat-sheet", "feedback", "survey", "meta", "access-approval", "api-gateway", "beyondcorp", "bms", "immersive-stream", "ids", "kms", "managed-kafka",
    ];

    /// <summary>Null when <paramref name="first"/> is a service the classifier knows; otherwise the fail-closed verdict.</summary>
    private static Verdict? UnknownService(string program, string? first, HashSet<string> known) =>
        first is null || known.Contains(first) ? null
            : Verdict.Unknown($"{program}.unknown-service", $"{program} {first} is not a service or command group the classifier knows (an extension, a plugin or a mistake can do anything)");

    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = new()
    {
        ["aws"] = Aws,
        ["gcloud"] = call => Generic(call, "gcloud", call.PositionalTexts("--project", "--region", "--zone", "--format", "--filter", "--account", "--configuration")),
        ["az"] = call => Generic(call, "az", call.PositionalTexts("-g", "--resource-group", "-n", "--name", "--subscription", "-o", "--output", "--query")),
        ["gsutil"] = call => ObjectStore(call, "gsutil", read: ["ls", "cat", "du", "stat", "hash", "version", "help", "signurl"], remove: ["rm", "rb"], moves: ["mv"], syncDeletes: call.HasShort('d')),
        ["s3cmd"] = call => ObjectStore(call, "s3cmd", read: ["ls", "la", "info", "get", "du", "--version"], remove: ["del", "rm", "rb"], moves: ["mv"], syncDeletes: call.Has("--delete-removed")),
        ["rclone"] = call => call.Has("--dry-run", "-n") ? Verdict.Read("rclone.dry-run", "only shows what would change")
            : ObjectStore(call, "rclone", read: ["ls", "lsd", "lsl", "lsf", "lsjson", "size", "check", "cat", "about", "tree", "version", "listremotes", "config", "md5sum", "sha1sum", "hashsum"], remove: ["delete", "purge", "rmdir", "rmdirs", "deletefile", "cleanup"], moves: ["move", "moveto", "sync"], syncDeletes: false),
        ["mc"] = call => ObjectStore(call, "mc", read: ["ls", "cat", "stat", "du", "diff", "find", "head", "tree", "ping", "version", "alias", "admin"], remove: ["rm", "rb"], moves: ["mv"], syncDeletes: call.Has("--remove")),
    };

    private static Verdict Aws(Invocation call)
    {
        var words = call.PositionalTexts(AwsValueOptions.Concat(["--bucket", "--key", "--db-instance-identifier", "--table-name", "--instance-ids", "--cluster-identifier", "--exclude", "--include", "--acl", "--storage-class"]).ToArray());
        var service = words.FirstOrDefault() ?? "help";
        var operation = words.ElementAtOrDefault(1) ?? "help";
        if (UnknownService("aws", words.FirstOrDefault(), AwsServices) is { } unknown) return unknown;
        if (service is "configure" or "sso" or "login") return operation is "list" or "get" or "list-profiles" ? Verdict.Read("aws.configure-list", "shows local configuration") : Verdict.Service("aws.configure", "changes local AWS configuration");
        if (service == "s3") return AwsS3(call, operation, words.Skip(2).ToList());
        if (service == "ssm" && operation is "send-command" or "start-session" || service == "ecs" && operation == "execute-command")
            return Verdict.Destructive($"aws.{service}-{operation}", "runs commands on instances or containers; they are not read here");
        if (service == "dynamodb" && operation is "put-item" or "update-item" or "delete-item" or "batch-write-item" or "transact-write-items" or "execute-statement" or "batch-execute-statement" or "restore-table-from-backup")
            return Verdict.Data($"aws.dynamodb-{operation}", "writes or deletes items in a table");
        if (service == "secretsmanager" && operation == "get-secret-value" || service == "ssm" && operation is "get-parameter" or "get-parameters" or "get-parameters-by-path" && call.Has("--with-decryption")
            || service == "kms" && operation == "decrypt" || service == "ecr" && operation == "get-login-password" || service == "sts" && operation is "get-session-token" or "assume-role" or "get-federation-token"
            || service == "iam" && operation == "get-credential-report" || service == "rds" && operation == "generate-db-auth-token")
            return Verdict.Sensitive($"aws.{service}-{operation}", $"aws {service} {operation} prints secret values or credentials");
        if (service == "ec2" && operation == "get-password-data") return Verdict.Sensitive("aws.ec2-get-password-data", "prints an instance's administrator password");
        if (service == "kms" && operation == "schedule-key-deletion")
            return Verdict.Data("aws.kms-schedule-key-deletion", "schedules a key's deletion: whatever it encrypts becomes unreadable");
        if (service == "ecs" && operation is "update-service" && call.Value("--desired-count") == "0"
            || service == "autoscaling" && operation is "set-desired-capacity" or "update-auto-scaling-group" && (call.Value("--desired-capacity") == "0" || call.Value("--max-size") == "0"))
            return Verdict.Destructive($"aws.{service}-scale-to-zero", "scales the service to zero: it stops serving");
        if (service == "s3api" && operation.StartsWith("put-bucket-lifecycle", StringComparison.Ordinal))
            return Verdict.Data("aws.s3api-lifecycle", "sets a lifecycle policy, which can expire and delete objects");
        return Judge("aws", service, operation, service == "ec2" && operation is "delete-volume" or "delete-snapshot" || service == "sqs" && operation == "purge-queue");
    }

    private static Verdict AwsS3(Invocation call, string operation, IReadOnlyList<string> paths)
    {
        var target = paths.LastOrDefault() ?? "";
        return operation switch
        {
            "ls" or "presign" or "help" or "list-buckets" or "list-objects" => Verdict.Read($"aws.s3-{operation}", $"aws s3 {operation} only reads"),
            "rm" => Verdict.Data("aws.s3-rm", $"deletes objects from {target}{(call.Has("--recursive") ? " (all of them, recursively)" : "")}"),
            "rb" => Verdict.Data("aws.s3-rb", $"removes the bucket {target}{(call.Has("--force") ? " and every object in it" : "")}"),
            "mv" when paths.FirstOrDefault()?.StartsWith("s3://", StringComparison.Ordinal) == true => Verdict.Data("aws.s3-mv", "moves objects: the originals are deleted"),
            "sync" when call.Has("--delete") => target.StartsWith("s3://", StringComparison.Ordinal)
                ? Verdict.Data("aws.s3-sync-delete", $"deletes objects in {target} that the source does not have")
                : Verdict.Destructive("aws.s3-sync-delete-local", $"deletes local files in {target} that the bucket does not have"),
            "cp" or "sync" or "mv" when call.Has("--dryrun") => Verdict.Read("aws.s3-dryrun", "only shows what would be copied"),
            "cp" or "sync" or "mv" => target.StartsWith("s3://", StringComparison.Ordinal)
                ? Verdict.Service($"aws.s3-{operation}", $"uploads objects to {target} (same-named objects are replaced)")
                : target == "-" ? Verdict.Read("aws.s3-cp-stdout", "prints an object") : Targets.Write(ShellWord.Literal(target), "aws-s3-download", replaces: true),
            _ => Verdict.Service($"aws.s3-{operation}", $"aws s3 {operation} changes buckets"),
        };
    }

    /// <summary>gcloud/az: the verb is the last word before the resource name, e.g. gcloud sql instances delete NAME.</summary>
    /// <summary>
    /// gcloud/az: the verb is the first word that is a whole verb (<c>gcloud sql instances delete NAME</c>); a word merely
    /// starting like one (<c>versions</c>) is a resource group. <c>ssh --command</c>/<c>-- CMD</c> and <c>run-command --scripts</c>
    /// run their command on the machine, judged as if it ran here.
    /// </summary>
    private static Verdict Generic(Invocation call, string program, IReadOnlyList<string> words)
    {
        var verbIndex = words.ToList().FindIndex(Math.Min(1, words.Count), w => ReadWords.Contains(w) || ServiceWords.Contains(w) || RemovePrefixes.Contains(w) || w is "ssh" or "restore" or "access"
            || w.StartsWith("delete-", StringComparison.Ordinal) || w.StartsWith("remove-", StringComparison.Ordinal) || w.StartsWith("list-", StringComparison.Ordinal) || w.StartsWith("get-", StringComparison.Ordinal) || w.StartsWith("show-", StringComparison.Ordinal) || w.StartsWith("set-", StringComparison.Ordinal) || w.StartsWith("add-", StringComparison.Ordinal));
        var operation = verbIndex >= 0 ? words[verbIndex] : words.LastOrDefault() ?? "help";
        var service = string.Join('-', words.Take(Math.Max(verbIndex, 0)));
        if (words.Count == 0 || words[0] is "version" or "help" or "info" or "--version") return Verdict.Read($"{program}.version", "prints version or help");
        var group = program == "gcloud" && words[0] is "alpha" or "beta" ? words.ElementAtOrDefault(1) : words[0];
        if (UnknownService(program, group, program == "az" ? AzGroups : GcloudGroups) is { } unknown) return unknown;
        if (operation == "ssh" || service.EndsWith("run-command", StringComparison.Ordinal) || operation == "run-command")
        {
            var dashDash = call.Args.ToList().IndexOf("--");
            var command = call.Value("--command", "--scripts") ?? (dashDash >= 0 ? string.Join(' ', call.Args.Skip(dashDash + 1)) : null);
            if (command is null)
                return operation == "ssh" ? Verdict.Unknown($"{program}.ssh-interactive", "opens a shell on a machine; what is typed there is not on the command line")
                    : Verdict.Unknown($"{program}.run-command", "runs a command or script the classifier cannot see");
            call.Session.Script(command, [.. call.Via, $"{program} {service} {operation}".Replace("  ", " ")]);
            return Verdict.Service($"{program}.{operation}", "runs a command on a machine (judged on its own)");
        }
        if (program == "az" && operation == "exists") return Verdict.Read($"az.{service}-exists", "checks that a resource exists");
        if (program == "az" && service.StartsWith("keyvault", StringComparison.Ordinal) && operation is "show" or "download" && service.Contains("secret")
            || program == "az" && service.StartsWith("keyvault-key", StringComparison.Ordinal) && operation is "download" or "decrypt"
            || program == "az" && operation is "get-access-token" || program == "az" && operation is "list-keys" or "keys"
            || program == "az" && (operation.StartsWith("get-", StringComparison.Ordinal) && operation.EndsWith("-keys", StringComparison.Ordinal) || operation.Contains("connection-string", StringComparison.Ordinal)
                || service.EndsWith("-keys", StringComparison.Ordinal) && operation is "list" or "show") || program == "gcloud" && operation is "print-access-token" or "print-identity-token")
            return Verdict.Sensitive($"{program}.{service}-{operation}", $"{program} {service} {operation} prints secret values or credentials");
        return Judge(program, service, operation, operation == "restore" || IsDataService(service) && RemovePrefixes.Any(p => operation.StartsWith(p, StringComparison.Ordinal)));
    }

    /// <summary>Operations (or their first hyphenated word) that change resources in a way that can be put back.</summary>
    private static readonly HashSet<string> ServiceWords =
    [
        "create", "update", "put", "modify", "start", "stop", "reboot", "restart", "run", "tag", "untag", "attach", "detach", "associate", "disassociate",
        "register", "enable", "disable", "set", "add", "change", "copy", "import", "invoke", "publish", "send", "reset", "cancel", "accept", "reject",
        "authorize", "revoke", "allocate", "release", "assign", "unassign", "replace", "upload", "complete", "confirm", "request", "rotate", "apply",
        "deploy", "resize", "scale", "rollback", "promote", "move", "patch", "upgrade", "suspend", "resume", "clone", "login", "logout", "config",
        "configure", "init", "switch", "failover", "reimage", "redeploy", "generalize", "deallocate", "open", "close", "increase", "decrease", "grant",
        "subscribe", "unsubscribe", "batch", "sync", "mount", "unmount", "lock", "unlock", "renew", "activate", "deactivate", "undelete", "recover", "submit",
        "execute", "scp", "connect", "pause", "unpause", "add-iam-policy-binding", "remove-iam-policy-binding", "set-iam-policy", "get-credentials", "start-session",
    ];

    private static readonly HashSet<string> ReadWords =
        ["describe", "list", "get", "show", "exists", "check", "wait", "version", "help", "info", "read", "tail", "browse", "search", "lookup", "head", "query", "scan", "validate", "estimate", "test", "filter-log-events", "print-access-token", "print-identity-token", "can-i", "diff", "preview", "what-if"];

    private static Verdict Judge(string program, string service, string operation, bool forceData)
    {
        var rule = $"{program}.{service}-{operation}".Replace("..", ".");
        var first = operation.Split('-')[0];
        if (operation is "get-credentials" or "get-login" || first is "print" && operation.Contains("token") || operation is "access" && service.Contains("secret"))
            return operation.StartsWith("get-credentials", StringComparison.Ordinal)
                ? Verdict.Service(rule, $"{program} {service} {operation} writes credentials into the local kubeconfig, changing which cluster later commands reach")
                : Verdict.Sensitive(rule, $"{program} {service} {operation} prints secret values or tokens");
        if (ReadWords.Contains(operation) || ReadWords.Contains(first) || program == "aws" && ReadPrefixes.Any(p => operation.StartsWith(p, StringComparison.Ordinal)))
            return Verdict.Read(rule, $"{program} {service} {operation} only reads");
        if (RemovePrefixes.Any(p => operation.StartsWith(p, StringComparison.Ordinal)) || forceData || operation == "restore")
        {
            return forceData || IsDataService(service)
                ? Verdict.Data(rule, $"{program} {service} {operation} deletes or replaces stored data")
                : Verdict.Destructive(rule, $"{program} {service} {operation} deletes resources; they cannot be put back");
        }
        if (ServiceWords.Contains(operation) || ServiceWords.Contains(first))
            return Verdict.Service(rule, $"{program} {service} {operation} changes cloud resources");
        return Verdict.Unknown(rule, $"{program} {service} {operation} is an operation the classifier does not know");
    }

    /// <summary>disks and snapshots are disk and snapshot; secret and key stores hold what decrypts data.</summary>
    private static bool IsDataService(string service) =>
        service.Split('-').Any(w => DataServices.Contains(w) || w.EndsWith('s') && DataServices.Contains(w[..^1]) || w is "secrets" or "secret" or "keyvault" or "kms" or "keys" or "versions" && service.Contains("secret"));

    private static Verdict ObjectStore(Invocation call, string program, string[] read, string[] remove, string[] moves, bool syncDeletes)
    {
        var words = call.PositionalTexts("-h", "-o", "-p", "--config", "--include", "--exclude", "-x");
        var verb = words.FirstOrDefault() ?? "help";
        if (read.Contains(verb)) return Verdict.Read($"{program}.{verb}", $"{program} {verb} only reads");
        if (remove.Contains(verb)) return Verdict.Data($"{program}.{verb}", $"{program} {verb} deletes stored objects");
        if (moves.Contains(verb) || syncDeletes) return Verdict.Data($"{program}.{verb}", $"{program} {verb} deletes objects at the source or destination");
        return Verdict.Service($"{program}.{verb}", $"{program} {verb} uploads or changes objects");
    }
}
