import SparkSpec

/// NGINX terminating TLS in front of the node's LiteLLM, which then faces only NGINX. It binds
/// loopback like every app; the tailnet reaches it through `tailscale serve`.
struct NginxKind: AppKind {
    let app = App.nginx
    static let image = "nginx:1.27.4"

    func workload(_ context: AppContext) -> Workload? {
        let stackDir = context.topology.stack.dir.absolute(home: context.node.home)
        let tls = context.options?.tls
        let certificate = tls?.certificate.absolute(home: context.node.home) ?? "\(stackDir)/\(NginxLayout.selfSignedCertificate)"
        let key = tls?.key.absolute(home: context.node.home) ?? "\(stackDir)/\(NginxLayout.selfSignedKey)"
        return Workload(
            name: app.containerName, image: Self.image,
            volumes: [
                "\(stackDir)/\(NginxLayout.config):\(NginxLayout.configInContainer):ro",
                "\(certificate):\(NginxLayout.certificateInContainer):ro",
                "\(key):\(NginxLayout.keyInContainer):ro",
            ],
            dependsOn: context.node.appOptions[.litellm]?.runner == .compose ? [App.litellm.containerName] : [], path: context.path)
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
