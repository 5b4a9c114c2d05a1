import SparkDiagnostics
import SparkPlan
import SparkSpec
import Testing

@testable import SparkEmit

/// The direct compose writer against the general emitter (`YAMLValue` tree through libyaml):
/// wherever the writer writes a file it must write the emitter's bytes, and on the values
/// a build meets it must write the file, not leave it to the emitter.
@Suite struct ComposeWriterTests {
    /// Values that need quotes, look like other types, or are written plain only by luck of
    /// position: each is put in every place of a compose file that takes text, one at a time.
    static let awkward: [String] = [
        "", "8000", "0.80", "-c", "-", "True", "yes", "NULL", "~", "on", ".inf", "=", "<<", "0x1F", "1:20", "1.2.3.4", "+1",
        "a: b", "a:b", "a:", ":a", "?a", "a #b", "a#b", "#a", "- a", "-a", "--port", "---", "--- a", "...", "...a", "a...",
        "'q'", "q'q", "\"q\"", "q\"q", "back\\slash", " lead", "trail ", "in side", "tab\there", "line\nbreak", "cr\rhere",
        "é", "naïve", "\u{2028}", "[a]", "a[b]", "{a}", "&a", "*a", "!a", "|a", ">a", "%a", "@a", "`a`", "a,b", ",a",
        "printf 'requirepass %s\\n' \"$$REDIS_PASSWORD\" | exec redis-server -", "no-new-privileges:true",
        String(repeating: "k", count: 128), String(repeating: "k", count: 129),
    ]

    /// What the writer must write itself (the emitter picks plain or forced double quotes).
    static let direct: Set<String> = [
        "", "8000", "0.80", "-c", "True", "yes", "NULL", "~", "on", ".inf", "0x1F", "1:20", "1.2.3.4", "+1", "a:b", "a#b", "-a",
        "--port", "a...", "q'q", "q\"q", "in side", "a[b]", "a,b", "no-new-privileges:true",
        "printf 'requirepass %s\\n' \"$$REDIS_PASSWORD\" | exec redis-server -", String(repeating: "k", count: 128),
    ]

    static func workload(
        _ value: String = "v", at place: Int = -1, gpus: Hardware.GPUVendor? = nil, gpuIDs: [Int]? = nil, uuids: [String]? = nil,
        entrypoint: [String]? = nil
    ) -> Workload {
        func text(_ n: Int, _ plain: String) -> String { n == place ? value : plain }
        var workload = Workload(
            name: text(0, "app"), image: text(1, "repo/image:1.0"), command: ["serve", text(2, "--flag")],
            environment: [(text(3, "NAME"), "x"), ("PORT", text(4, "8000"))], environmentFiles: [text(5, "/home/me/app.env")],
            mounts: [.volume(text(6, "data"), at: "/data"), .bind("/srv", at: text(7, "/srv"), readOnly: true)],
            entrypoint: place == 8 ? [value] : entrypoint, gpus: gpus, gpuIDs: gpuIDs, hostIPC: true, manualStart: place == 9,
            dependsOn: [text(10, "db")], healthcheck: place == 11 ? ["CMD", value] : nil, path: .root)
        workload.capabilities = place == 12 ? [value] : ["CHOWN"]
        workload.noNewPrivileges = true
        workload.gpuUUIDs = uuids
        return workload
    }

    @Test(arguments: awkward)
    func sameBytesAsTheEmitter(_ value: String) throws {
        for place in 0...12 {
            let workloads = [Self.workload(value, at: place), Self.workload()]
            let reference = try ComposeEmitter.emittedBody(workloads)
            let written = ComposeWriter.body(workloads)
            if let written { #expect(written == reference, "\(value.debugDescription) at place \(place)") }
            // In a mount (places 6 and 7) the value is half of `SOURCE:TARGET`: `:x` or `x:`.
            if Self.direct.contains(value) && place != 6 && place != 7 {
                #expect(written != nil, "\(value.debugDescription) at place \(place) left to libyaml")
            }
        }
    }

    /// Every device shape: NVIDIA by index, by UUID and all GPUs, AMD with and without a
    /// selection, an empty list (libyaml writes `[]`, so the emitter writes it).
    @Test func devices() throws {
        let shapes: [[Workload]] = [
            [Self.workload(gpus: .nvidia, gpuIDs: [0, 1])], [Self.workload(gpus: .nvidia, gpuIDs: [0], uuids: ["GPU-1234abcd"])],
            [Self.workload(gpus: .nvidia)], [Self.workload(gpus: .amd, gpuIDs: [0, 2])], [Self.workload(gpus: .amd)],
            [Self.workload(gpus: .nvidia, gpuIDs: [])], [Self.workload(entrypoint: [])],
        ]
        for (index, workloads) in shapes.enumerated() {
            let written = ComposeWriter.body(workloads)
            if index < 5 {
                #expect(written == (try ComposeEmitter.emittedBody(workloads)), "shape \(index)")
            } else {
                #expect(written == nil, "shape \(index): an empty list is libyaml's to write")
            }
        }
    }

    /// The plain test on its own, for the indicators libyaml's analysis looks for.
    @Test(arguments: [
        ("a", true), ("a:b", true), ("a: b", false), ("a:", false), ("a #b", false), ("a#b", true), ("-a", true), ("- a", false),
        ("-", false), ("---", false), ("..x", true), ("...", false), (" a", false), ("a ", false), ("é", false), ("a\tb", false),
        ("?a", false), ("a?", true),
    ])
    func plain(_ value: String, _ expected: Bool) {
        #expect(ComposeWriter.plain(value) == expected, "\(value.debugDescription)")
    }
}
