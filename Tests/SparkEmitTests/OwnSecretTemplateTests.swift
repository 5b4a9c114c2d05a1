import SparkTestSupport
import Testing

@testable import SparkEmit

/// A template of a secret an app owns is text, not shell: only `${NAME}` of one of the file's
/// variables expands, and nothing else in it can run a command or name another variable.
@Suite struct OwnSecretTemplateTests {
    @Test func onlyTheFilesVariablesExpand() {
        let template = "u:${PASSWORD}@h $(echo ran) `id` \"q\" \\ ${HOME} $PASSWORD"
        let quoted = SecretRecipe.doubleQuoted(template, variables: ["PASSWORD"]) { "v_" + $0 }
        let result = CommandRunner.tool("bash", ["-c", "v_PASSWORD=secret; printf '%s' \(quoted)"])
        #expect(result.status == 0)
        #expect(result.stdout == "u:secret@h $(echo ran) `id` \"q\" \\ ${HOME} $PASSWORD")
    }
}
