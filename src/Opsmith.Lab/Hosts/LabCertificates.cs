using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Opsmith.Lab.Hosts;

/// <summary>
/// The lab's TLS material: a lab CA, and for each node a valid server certificate and an expired one (the
/// expired-certificate fault swaps it in). Written as PEM files.
/// </summary>
public static class LabCertificates
{
    public static void Write(LabLayout lab)
    {
        var folder = Path.Combine(lab.Directory, "tls");
        Directory.CreateDirectory(folder);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN=Opsmith lab {lab.Name} CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddYears(-3), now.AddYears(5));
        File.WriteAllText(lab.CaCertificatePath, ca.ExportCertificatePem() + "\n");

        foreach (var node in lab.Nodes)
        {
            var tls = Path.Combine(lab.HostDirectory(node), "etc", "nginx", "tls");
            Directory.CreateDirectory(tls);
            Issue(ca, node, now.AddDays(-1), now.AddYears(1), Path.Combine(tls, "valid"));
            Issue(ca, node, now.AddDays(-400), now.AddDays(-30), Path.Combine(tls, "expired"));
            File.Copy(Path.Combine(tls, "valid.crt"), Path.Combine(tls, "server.crt"), true);
            File.Copy(Path.Combine(tls, "valid.key"), Path.Combine(tls, "server.key"), true);
            // The CA beside the certificates: what a client on the node verifies the served chain against.
            File.Copy(lab.CaCertificatePath, Path.Combine(tls, "ca.crt"), true);
        }
    }

    private static void Issue(X509Certificate2 ca, LabHost node, DateTimeOffset notBefore, DateTimeOffset notAfter, string pathWithoutExtension)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={node.Name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(node.Name);
        names.AddIpAddress(IPAddress.Parse(node.Address));
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        using var certificate = request.Create(ca, notBefore, notAfter, serial);
        File.WriteAllText(pathWithoutExtension + ".crt", certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(pathWithoutExtension + ".key", key.ExportPkcs8PrivateKeyPem() + "\n");
        File.SetUnixFileMode(pathWithoutExtension + ".key", UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
