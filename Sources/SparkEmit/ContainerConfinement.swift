import SparkPlan

/// verify.sh's check that a vLLM container runs confined as SparkPlan's VLLMContainer says:
/// every capability dropped, no new privileges, the hub cache read-only. A container an older
/// launch script started (or compose has not recreated) fails it until it is started again.
enum ContainerConfinement {
    static let function = #"""

        # confined NAME: the container dropped every capability, refuses new privileges and mounts
        # the Hugging Face hub cache read-only; else prints what Docker reports.
        confined() {
          local seen
          seen=$(docker inspect -f '{{.HostConfig.CapDrop}} {{.HostConfig.SecurityOpt}} {{range .Mounts}}{{if eq .Destination "\#(VLLMContainer.hubCacheInContainer)"}}ro={{not .RW}}{{end}}{{end}}' "$1" 2>&1) || { echo "no container $1"; return 1; }
          case $seen in "[ALL] [no-new-privileges"*"] ro=true") return 0 ;; esac
          echo "capabilities dropped, security options, hub cache: $seen (start it again with its script or compose)"
          return 1
        }

        """#

    /// The check of one container, with what Docker reports under a failure.
    static func check(_ container: String) -> String {
        let what = "container \(container) is confined (cap-drop ALL, no-new-privileges, hub cache read-only)"
        return "if why=$(confined \(Shell.quote(container))); then pass \(Shell.quote(what)); else fail \(Shell.quote(what + ": "))\"$why\"; fi\n"
    }
}
