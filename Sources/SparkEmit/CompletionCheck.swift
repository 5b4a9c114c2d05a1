import SparkPlan
import SparkSpec

/// One real chat completion per routed model, through LiteLLM (and through NGINX, streamed,
/// where NGINX is in front of it), for verify.sh and smoke.sh.
///
/// `/v1/models` lists every model of the config whether or not its backend is up; only a
/// completion reaches the backend. One token (`max_tokens: 1`) keeps it cheap. The key goes in
/// a header file (`curl -H @file`, curl 7.55 and later: Debian 12 ships 7.88, Ubuntu 22.04
/// 7.81), never on a command line, and no line prints it. A model that may be stopped on
/// purpose (started by hand, or a catalog member that is not swapped in) fails no check: its
/// line shows the error LiteLLM answers while it is stopped, the one the README promises.
struct CompletionCheck {
    let plan: Plan
    let node: NodePlan
    let litellm: LiteLLMPlan

    /// `completion BASE_URL HEADER_FILE MODEL_JSON STREAM`: succeeds on a 200 that carries a
    /// completion (a streamed one ends with `data: [DONE]`) from the model's own backend;
    /// otherwise prints the status and LiteLLM's error. Each prompt is new, so neither Redis
    /// nor LiteLLM's in-memory cache answers in the backend's place, and an answer after a
    /// fallback (LiteLLM 1.106.2 sends `x-litellm-attempted-fallbacks` with it,
    /// router_utils/add_retry_fallback_headers.py) shows that the model's own backend failed.
    static let function = #"""
        # completion BASE_URL HEADER_FILE MODEL_JSON STREAM: one chat completion of one token through
        # LiteLLM, with a prompt no cache has seen. On failure it prints the HTTP status and
        # LiteLLM's answer: the error a client of that model gets. Up to 5 minutes: Ollama loads a
        # model on its first request.
        completion() {
          local answer status body
          answer=$(curl -sSik --max-time 300 -w '\n%{http_code}' -H @"$2" -H 'Content-Type: application/json' \
            --data-binary "{\"model\":$3,\"max_tokens\":1,\"stream\":$4,\"messages\":[{\"role\":\"user\",\"content\":\"Say OK ($(date +%s.%N)).\"}]}" \
            "$1/v1/chat/completions" 2>&1)
          status=${answer##*$'\n'}
          answer=${answer%$'\n'*}
          body=${answer#*$'\r\n\r\n'}
          if [ "$status" = 200 ]; then
            if grep -qiE '^x-litellm-attempted-fallbacks: *[1-9]' <<<"$answer"; then
              echo "answered by a fallback model: its own backend failed"
              return 1
            fi
            case $4 in
              true) grep -q '^data: \[DONE\]' <<<"$body" && return 0 ;;
              *) grep -q '"choices"' <<<"$body" && return 0 ;;
            esac
          fi
          body=${body//$'\r'/}
          body=${body//$'\n'/ }
          printf 'HTTP %s: %s\n' "$status" "${body:0:400}"
          return 1
        }

        """#

    /// NGINX in front of LiteLLM on this node, if any: its base URL.
    var nginxBase: String? {
        guard let service = node.services.first(where: { $0.role == .app(App.nginx.rawValue) }) else { return nil }
        let host = service.bindsEveryAddress ? "127.0.0.1" : service.bindAddress
        return "https://\(host):\(service.port)"
    }

    /// Where the completions go: NGINX where it is in front, else LiteLLM itself.
    var base: String { nginxBase ?? "http://\(litellm.bindAddress):\(litellm.port)" }

    /// Streamed through NGINX, so a proxy that buffers or cuts a stream shows; plain otherwise.
    var streams: Bool { nginxBase != nil }

    /// Where the completion goes, for the check's description.
    var via: String { nginxBase.map { "streamed through NGINX (\($0))" } ?? "through LiteLLM" }

    /// A JSON string literal (served names are plain, but a name is the user's text).
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Why a model may be stopped on purpose, or nil for one that must answer.
    func mayBeStopped(_ route: LiteLLMPlan.Route) -> String? {
        guard let cluster = plan.cluster(serving: route.servedName) else { return nil }
        if let catalog = cluster.catalog { return "catalog \(catalog.name) serves one model at a time" }
        if cluster.start == .manual { return "started by hand" }
        return nil
    }

    /// The lines that send each route its completion, in the form `line(pass, failure)` wants:
    /// the command, a description, and whether a failure only shows (a model stopped on purpose).
    func requests(header: String) -> [(command: String, model: String, stopped: String?)] {
        litellm.routes.map { route in
            ("completion \(base) \(header) \(Shell.quote(Self.jsonString(route.servedName))) \(streams)", route.servedName, mayBeStopped(route))
        }
    }
}
