namespace Opsmith.Policy.Tests.Classification;

/// <summary>kubectl, helm, terraform and container engines.</summary>
public sealed class ClusterRuleTests
{
    [Theory]
    [InlineData("kubectl get pods -A", "kubectl.get")]
    [InlineData("kubectl --context prod -n web describe deploy api", "kubectl.describe")]
    [InlineData("kubectl logs -f deploy/api --since=5m", "kubectl.logs")]
    [InlineData("kubectl top pod", "kubectl.top")]
    [InlineData("kubectl rollout status deploy/api", "kubectl.rollout-status")]
    [InlineData("kubectl delete pod x --dry-run=client", "kubectl.delete-dry-run")]
    [InlineData("oc get pods", "kubectl.get")]
    public void Kubectl_reads_are_read(string command, string rule) => Expect.Read(command, rule);

    [Theory]
    [InlineData("kubectl apply -f deploy.yaml", "kubectl.apply")]
    [InlineData("kubectl scale sts/web --replicas=3", "kubectl.scale")]
    [InlineData("kubectl rollout restart deploy/api", "kubectl.rollout")]
    [InlineData("kubectl patch deploy api -p '{\"spec\":{\"replicas\":2}}'", "kubectl.patch")]
    [InlineData("kubectl cordon node-1", "kubectl.cordon")]
    public void Kubectl_changes_are_service_mutation(string command, string rule) => Expect.Service(command, rule);

    [Theory]
    [InlineData("kubectl delete pod web-0", "kubectl.delete")]
    [InlineData("kubectl delete deploy,svc -l app=x", "kubectl.delete")]
    [InlineData("kubectl delete -f old.yaml", "kubectl.delete-from-file")]
    [InlineData("kubectl drain node-1 --ignore-daemonsets", "kubectl.drain")]
    [InlineData("kubectl apply --prune -l a=b -f dir/", "kubectl.apply-prune")]
    public void Kubectl_deletes_are_destructive(string command, string rule) => Expect.Destructive(command, rule);

    [Theory]
    [InlineData("kubectl delete pvc data-0", "kubectl.delete-pvc")]
    [InlineData("kubectl delete persistentvolumeclaims --all -n db", "kubectl.delete-pvc")]
    [InlineData("kubectl delete pv/pvc-123", "kubectl.delete-pv")]
    [InlineData("kubectl delete pod,pvc -l app=db", "kubectl.delete-pvc")]
    [InlineData("kubectl delete namespace team-a", "kubectl.delete-namespace")]
    [InlineData("kubectl delete ns team-a team-b", "kubectl.delete-namespace")]
    [InlineData("kubectl delete crd widgets.example.com", "kubectl.delete-crd")]
    [InlineData("kubectl patch pv pv1 --type merge -p '{\"spec\":{\"persistentVolumeReclaimPolicy\":\"Delete\"}}'", "kubectl.reclaim-policy-patch")]
    [InlineData("kubectl patch pvc data-0 --type=json -p='[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]'", "kubectl.volume-finalizers")]
    public void Kubectl_deleting_volumes_or_namespaces_is_data_mutation(string command, string rule) => Expect.Data(command, rule);

    [Fact]
    public void Helm_and_terraform_are_judged_by_verb()
    {
        Expect.Read("helm list -A", "helm.list");
        Expect.Read("helm upgrade --install web ./chart --dry-run", "helm.upgrade-dry-run");
        Expect.Service("helm upgrade --install web ./chart -f values.yaml", "helm.upgrade");
        Expect.Service("helm rollback web 3", "helm.rollback");
        Expect.Destructive("helm uninstall web", "helm.uninstall");
        Expect.Read("terraform plan -out tf.plan", "terraform.plan");
        Expect.Read("terraform -chdir=infra state list", "terraform.state-list");
        Expect.Service("terraform init -upgrade", "terraform.init");
        Expect.Destructive("terraform apply tf.plan", "terraform.apply");
        Expect.Data("terraform destroy -target=aws_db_instance.main", "terraform.destroy");
        Expect.Data("tofu apply -destroy", "tofu.destroy");
    }

    [Theory]
    [InlineData("docker ps -a", "docker.ps")]
    [InlineData("docker container ls", "docker.container-ls")]
    [InlineData("docker -H ssh://host logs web", "docker.logs")]
    [InlineData("docker volume ls", "docker.volume-ls")]
    [InlineData("docker compose -f prod.yml ps", "docker.compose-ps")]
    [InlineData("docker-compose logs web", "docker-compose.logs")]
    [InlineData("podman pod ps", "podman.pod-ps")]
    public void Container_reads_are_read(string command, string rule) => Expect.Read(command, rule);

    [Theory]
    [InlineData("docker restart web", "docker.restart")]
    [InlineData("docker compose up -d", "docker.compose-up")]
    [InlineData("docker pull nginx:1.27", "docker.pull")]
    [InlineData("docker run -d --name web nginx", "docker.run")]
    public void Container_lifecycle_is_service_mutation(string command, string rule) => Expect.Service(command, rule);

    [Theory]
    [InlineData("docker rm -f web", "docker.rm")]
    [InlineData("docker image prune -a", "docker.image-prune")]
    [InlineData("docker compose down", "docker.compose-down")]
    [InlineData("docker run --privileged alpine", "docker.run-privileged")]
    [InlineData("docker run -v /:/host alpine", "docker.run-privileged")]
    public void Removing_containers_is_destructive(string command, string rule) => Expect.Destructive(command, rule);

    [Theory]
    [InlineData("docker volume rm data", "docker.volume-rm")]
    [InlineData("docker volume prune", "docker.volume-prune")]
    [InlineData("docker compose down --volumes", "docker.compose-down-volumes")]
    [InlineData("docker system prune --volumes -f", "docker.system-prune-volumes")]
    [InlineData("docker rm -v db", "docker.rm-volumes")]
    public void Removing_volumes_is_data_mutation(string command, string rule) => Expect.Data(command, rule);
}
