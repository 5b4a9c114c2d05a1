import SparkSpec

/// NGINX terminating TLS in front of the node's LiteLLM, which then faces only NGINX. It binds
/// loopback like every app; the tailnet reaches it through `tailscale serve`.
struct NginxKind: AppKind {
    let app = App.nginx
    let names = ["NGINX", "nginx"]

    func workload(_ context: AppContext) -> Workload? {
        let stackDir = context.stackDir
        let tls = context.options?.tls
        let certificate = tls?.certificate.absolute(home: context.node.home) ?? "\(stackDir)/\(NginxLayout.selfSignedCertificate)"
        let key = tls?.key.absolute(home: context.node.home) ?? "\(stackDir)/\(NginxLayout.selfSignedKey)"
        return Workload(
            name: app.containerName, image: context.image(default: DefaultImages.nginx.reference),
            mounts: [
                .bind("\(stackDir)/\(NginxLayout.config)", at: NginxLayout.configInContainer, readOnly: true),
                .bind(certificate, at: NginxLayout.certificateInContainer, readOnly: true),
                .bind(key, at: NginxLayout.keyInContainer, readOnly: true),
            ],
            dependsOn: context.node.appOptions[.litellm]?.runner == .compose ? [App.litellm.containerName] : [], path: context.path)
    }

    /// Without a certificate in the topology, the runbook makes a self-signed pair before
    /// anything starts NGINX: Docker would make the missing files root-owned folders. verify.sh
    /// checks TLS, the way to LiteLLM, and HSTS only with a real certificate.
    func operations(_ context: AppContext) -> AppOperations {
        var operations = AppOperations()
        let stackDir = context.stackDir
        if context.options?.tls == nil {
            let script = "\(stackDir)/\(NginxLayout.certsScript)"
            operations.afterSecrets = [
                .init(
                    "\(script)   # as \(context.node.user): NGINX's self-signed certificate, made once", reads: [script],
                    creates: ["\(stackDir)/\(NginxLayout.selfSignedCertificate)", "\(stackDir)/\(NginxLayout.selfSignedKey)"])
            ]
        }
        // rsync replaces a file with a new one; a single-file bind mount keeps the old one.
        operations.notes = [
            "NGINX mounts its server block as a single file, and copying a changed one gives it a new inode the running "
                + "container never sees: after copying a change of `\(NginxLayout.config)`, `docker compose -f \(stackDir)/compose.yaml "
                + "restart \(app.containerName)` (a reload is not enough)."
        ]
        guard let port = context.node.port(of: app) else { return operations }
        let url = "https://\(context.bind):\(port)/health/liveliness"
        operations.checkSection = "NGINX"
        operations.checks = [
            .expect("nginx serves TLS and reaches LiteLLM", command: "curl -fsSk --max-time 5 \(url)"),
            // The headers of a GET that succeeded: a proxy that is down proves neither.
            .function(
                "hsts_sent() { local headers; headers=$(curl -fsSk --max-time 5 -D - -o /dev/null \"$1\") || return 2; grep -qi '^strict-transport-security:' <<<\"$headers\"; }"
            ),
            context.options?.tls != nil
                ? .expect("nginx sends HSTS", command: "hsts_sent \(url)")
                : .expect("nginx sends no HSTS with a self-signed certificate", command: "test \"$(hsts_sent \(url); echo $?)\" = 1"),
        ]
        return operations
    }
}

/// Where NGINX's files are, on the node (relative to the stack directory) and in its container.
public enum NginxLayout {
    /// The generated server block.
    public static let config = "nginx/litellm.conf"
    /// Makes the self-signed pair when the topology names no certificate.
    public static let certsScript = "scripts/certs.sh"
    public static let selfSignedCertificate = "tls/cert.pem"
    public static let selfSignedKey = "tls/key.pem"
    /// In place of the image's default.conf, which would listen on port 80.
    public static let configInContainer = "/etc/nginx/conf.d/default.conf"
    public static let certificateInContainer = "/etc/nginx/tls/cert.pem"
    public static let keyInContainer = "/etc/nginx/tls/key.pem"
}
