import SparkPlan
import SparkSpec

/// NGINX's server block in front of LiteLLM, and `scripts/certs.sh`, which makes a self-signed
/// certificate when the topology names none.
///
/// Streaming answers (server-sent events) arrive token by token only with proxy buffering off,
/// and an agent's long tool-calling turn outlives NGINX's 60 s read timeout. Before NGINX 1.29.7
/// the proxy speaks HTTP/1.0 with `Connection: close` unless told otherwise, which defeats the
/// upstream keepalive (ngx_http_proxy_module.c; changes.xml 1.29.7).
struct NginxEmitter {
    /// How long a request may run: the one timeout of the chain, LiteLLM's too.
    static let timeoutSeconds = LiteLLMPlan.requestTimeout

    func artifacts(for plan: Plan) -> [Artifact] {
        plan.nodes.flatMap { node -> [Artifact] in
            guard node.has(.nginx), let litellm = node.litellm, let port = node.port(of: .nginx) else { return [] }
            let options = node.options(of: .nginx)
            var artifacts = [
                Artifact(
                    path: Layout.stackFile(node, NginxLayout.config), contents: config(plan, node, litellm, port: port, realCertificate: options?.tls != nil))
            ]
            if options?.tls == nil {
                artifacts.append(Artifact(path: Layout.stackFile(node, NginxLayout.certsScript), contents: certificateScript(plan, node), mode: .executable))
            }
            return artifacts
        }
    }

    private func config(_ plan: Plan, _ node: NodePlan, _ litellm: LiteLLMPlan, port: Int, realCertificate: Bool) -> String {
        let header = Header(
            plan, node: node.name,
            about: [
                "NGINX in front of the LiteLLM of owner '\(node.owner.name)': TLS on \(PlanResolver.loopback):\(port), which",
                "'tailscale serve' forwards from the tailnet; LiteLLM itself faces only this proxy.",
            ])
        let bind = node.options(of: .nginx)?.listen?.description ?? PlanResolver.loopback
        var lines = [
            "upstream litellm {",
            "    server \(litellm.bindAddress):\(litellm.port);",
            "    keepalive 32;",
            "}",
            "",
            "server {",
            "    listen \(bind):\(port) ssl;",
            "    server_name \(node.tailnetHostname);",
            "    ssl_certificate \(NginxLayout.certificateInContainer);",
            "    ssl_certificate_key \(NginxLayout.keyInContainer);",
            "    ssl_protocols TLSv1.2 TLSv1.3;",
            // Requests with images or long histories are large.
            "    client_max_body_size 64m;",
        ]
        if realCertificate {
            // Only a certificate clients trust may pin HTTPS: HSTS on a self-signed one would lock
            // browsers out once it changes.
            lines.append("    add_header Strict-Transport-Security \"max-age=31536000\" always;")
        }
        lines += [
            "",
            "    location / {",
            "        proxy_pass http://litellm;",
            "        proxy_http_version 1.1;",
            "        proxy_set_header Connection \"\";",
            "        proxy_set_header Host $host;",
            "        proxy_set_header X-Real-IP $remote_addr;",
            "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
            "        proxy_set_header X-Forwarded-Proto $scheme;",
            "        proxy_buffering off;",
            "        proxy_cache off;",
            "        proxy_read_timeout \(Self.timeoutSeconds)s;",
            "        proxy_send_timeout \(Self.timeoutSeconds)s;",
            "    }",
            "}",
        ]
        return header.comment() + lines.joined(separator: "\n") + "\n"
    }

    private func certificateScript(_ plan: Plan, _ node: NodePlan) -> String {
        let header = Header(
            plan, node: node.name,
            about: [
                "A self-signed certificate for NGINX, made once (an existing pair is kept). Clients must trust",
                "tls/cert.pem or skip verification (curl -k); name a real certificate under the nginx app's 'tls'.",
                "Run as \(node.user): \(Layout.stackPath(node, NginxLayout.certsScript))",
            ])
        let host = node.tailnetHostname
        var body = "dir=\(Shell.quote(node.stackDir + "/tls"))\n"
        // Files, not just names: Docker creates a missing bind-mount source as a root-owned folder.
        body += "if [ -f \"$dir/cert.pem\" ] && [ -f \"$dir/key.pem\" ]; then\n  echo \"keeping $dir/cert.pem\"\n  exit 0\nfi\n"
        body += "mkdir -p \"$dir\"\n"
        body += "umask 077\n"
        body += Shell.continued(
            "openssl req -x509 -newkey rsa:3072 -sha256 -days 825 -nodes",
            [
                "-keyout \"$dir/key.pem\" -out \"$dir/cert.pem\"",
                "-subj \(Shell.quote("/CN=\(host)"))",
                "-addext \(Shell.quote("subjectAltName=DNS:\(host),DNS:localhost,IP:127.0.0.1"))",
            ])
        body += "chmod 644 \"$dir/cert.pem\"\n"
        body += "echo \"made $dir/cert.pem (valid 825 days)\"\n"
        return ShellScript(header: header, body: body).text
    }
}
