/// `ansible/drift.sh`: the playbook's files in check mode, exiting 1 and naming node and file
/// when a node differs from the output tree. `--check` alone exits 0 with changes pending.
///
/// The JSON stdout callback is `ansible.posix.json`, not part of ansible-core, so the script
/// reads the builtin default callback instead: with ok and skipped hosts hidden, each
/// `changed: [node]` line follows the `TASK [File /path]` header of the file that differs.
enum AnsibleDrift {
    static func script(header: String) -> String {
        """
        #!/bin/sh
        \(header)#
        # Compares every node's files with this output tree without changing them:
        # exit 0 when all match, 1 naming each node and file that differs, 2 when the run
        # itself failed (a node unreachable, a task failing). Extra arguments go to
        # ansible-playbook (--limit spark-01, say).
        set -u
        here=$(cd "$(dirname "$0")" && pwd)
        log=$(mktemp)
        trap 'rm -f "$log"' EXIT
        ANSIBLE_STDOUT_CALLBACK=ansible.builtin.default ANSIBLE_NOCOLOR=1 \\
          ANSIBLE_DISPLAY_OK_HOSTS=false ANSIBLE_DISPLAY_SKIPPED_HOSTS=false \\
          ansible-playbook -i "$here/inventory.yml" "$here/site.yml" --check --diff --tags files "$@" >"$log" 2>&1
        status=$?
        cat "$log"
        if [ "$status" -ne 0 ]; then
          echo "drift: ansible-playbook failed (exit $status); no verdict" >&2
          exit 2
        fi
        awk '
          /^TASK \\[/ { task = $0; sub(/^TASK \\[/, "", task); sub(/\\] \\**$/, "", task); next }
          /^changed: \\[/ {
            node = $0; sub(/^changed: \\[/, "", node); sub(/\\].*$/, "", node)
            sub(/^(File|Directory) /, "", task)
            print "drift: " node ": " task; found = 1
          }
          END { exit found ? 1 : 0 }
        ' "$log" >&2
        """ + "\n"
    }
}
