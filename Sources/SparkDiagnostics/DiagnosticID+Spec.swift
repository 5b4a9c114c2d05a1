/// Ids of the errors the decoder (SparkSpec) reports: a key or value that does not fit the
/// schema in docs/topology-reference.md.
extension DiagnosticID {
    static let specIDs: [DiagnosticID] = [
        specWrongType, specUnknownKey, specMissingKey, specEmptyValue, specInvalidValue,
        specOutOfRange, specUnknownChoice, specInvalidAddress, specRetiredSetting,
        specDisallowedPath, specConflictingKeys, specMissingCompanionKey,
        specInconsistentCounts, specEmptyTopology, specUnsupportedVersion, specWeakAcceptance,
        specDuplicateEntry, specNullValue,
    ]

    public static let specWrongType = DiagnosticID(
        "SP001", .spec, "wrong-type", title: "a value of the wrong shape",
        meaning: "The schema asks for a mapping, a list, text or a number here, and the topology gives another shape.",
        allowed: "the shape docs/topology-reference.md gives for the key.",
        fix: "rewrite the value in the shape the message names; the help line shows one.",
        example: "nodes:\n  - spark-01")

    public static let specUnknownKey = DiagnosticID(
        "SP002", .spec, "unknown-key", title: "a key the schema does not have",
        meaning: "Usually a typo; a key spark-gen does not know would otherwise be silently ignored.",
        allowed: "the keys the help line lists for this entry.",
        fix: "correct the spelling (the help line suggests the nearest key) or remove the key.",
        example: "    dac_ipp: 198.51.100.2")

    public static let specMissingKey = DiagnosticID(
        "SP003", .spec, "missing-key", title: "a required key is missing",
        meaning: "The entry cannot be built without this key, and spark-gen has no safe default for it.",
        allowed: "the entry with the key given.",
        fix: "add the key; the help line shows its form.")

    public static let specEmptyValue = DiagnosticID(
        "SP004", .spec, "empty-value", title: "a value that must not be empty is empty",
        meaning: "An empty name, list or text would produce a broken artifact (an empty user list, an RDMA port with no device).",
        allowed: "at least one character or one item.",
        fix: "give the value, or remove the key when it is optional.",
        example: "    user: \"\"")

    public static let specInvalidValue = DiagnosticID(
        "SP005", .spec, "invalid-value", title: "text that does not match the value's grammar",
        meaning:
            "Names, images, digests, paths and policy entries are written into shell scripts, unit files and policies; only the characters their grammar allows are safe there.",
        allowed: "the form the help line names ('expected …').",
        fix: "rewrite the value in that form.",
        example: "    image: open-webui; curl evil")

    public static let specOutOfRange = DiagnosticID(
        "SP006", .spec, "out-of-range", title: "a number outside its allowed range",
        meaning: "Ports, ids, sizes and fractions have bounds set by the programs that read them.",
        allowed: "a number within the range the help line gives.",
        fix: "use a number in range.",
        example: "    port: 70000")

    public static let specUnknownChoice = DiagnosticID(
        "SP007", .spec, "unknown-choice", title: "a value that is not one of the choices",
        meaning: "The key takes one of a fixed set of words (an app, a runtime, a link kind, a protocol).",
        allowed: "one of the choices the help line lists.",
        fix: "pick one of them (the help line suggests the nearest).",
        example: "    apps: [litelm]")

    public static let specInvalidAddress = DiagnosticID(
        "SP008", .spec, "invalid-address", title: "not an IPv4 address or network of the form required",
        meaning:
            "Addresses go into firewall rules, netplan and policies; a malformed one, a leading zero, an IPv6 address or a network with host bits set would be read differently by each.",
        allowed: "dotted IPv4 (192.0.2.21), or address/prefix with no host bits (198.51.100.0/30); tailnet_ip within 100.64.0.0/10.",
        fix: "write the address as the help line shows.",
        example: "    mgmt_ip: 192.0.2.022")

    public static let specRetiredSetting = DiagnosticID(
        "SP009", .spec, "retired-setting", title: "a setting its program no longer takes",
        meaning: "The runtime removed this option; passing it would stop the server from starting.",
        allowed: "the settings the current release of the program takes.",
        fix: "remove it, or use its replacement as the help line says.")

    public static let specDisallowedPath = DiagnosticID(
        "SP010", .spec, "disallowed-path", title: "a path outside the places allowed for it",
        meaning: "Paths are written into unit files and mounts; one outside the allowed roots could expose or overwrite the node's files.",
        allowed: "the paths the help line describes.",
        fix: "use a path under an allowed root.")

    public static let specConflictingKeys = DiagnosticID(
        "SP011", .spec, "conflicting-keys", title: "keys that cannot be given together",
        meaning:
            "Two keys say different things about one entry (an address given twice, 'node' and 'cluster', a setting a catalog decides), or a key does not apply to this kind of entry.",
        allowed: "one of the two, as the help line says.",
        fix: "remove one of them.",
        example: "    node: spark-01\n    cluster: {head: spark-01, workers: [spark-02]}")

    public static let specMissingCompanionKey = DiagnosticID(
        "SP012", .spec, "missing-companion-key", title: "a key that needs another key beside it",
        meaning: "This key only makes sense with another (a second DAC address without the first, a tailnet host without its tag, a host without any address).",
        allowed: "both keys, or neither.",
        fix: "add the key the help line names, or remove this one.",
        example: "    dac_second_ip: 198.51.100.6")

    public static let specInconsistentCounts = DiagnosticID(
        "SP013", .spec, "inconsistent-counts", title: "values that contradict each other",
        meaning: "Two values describe the same hardware differently (a GPU count and a list of GPU memories, usable memory above installed memory).",
        allowed: "values that agree.",
        fix: "give the fact once, or correct the one that is wrong.",
        example: "    memory_gb: 128\n    usable_gb: 200")

    public static let specEmptyTopology = DiagnosticID(
        "SP014", .spec, "empty-topology", title: "the topology is empty",
        meaning: "The file holds no document, or only a comment or null.",
        allowed: "a mapping with version, stack, owners, tailnets, nodes and models.",
        fix: "start from examples/split-trust/topology.yaml or run 'spark-gen init'.")

    public static let specUnsupportedVersion = DiagnosticID(
        "SP015", .spec, "unsupported-version", title: "a topology version this spark-gen does not read",
        meaning: "The schema of another version may mean different things by the same keys.",
        allowed: "the versions the help line names.",
        fix: "write the supported version, or use the spark-gen release that reads yours.",
        example: "version: 2")

    public static let specWeakAcceptance = DiagnosticID(
        "SP016", .spec, "weak-acceptance", title: "an accepted risk without a real reason",
        meaning: "accept_risks turns a rule's error into a note; a reviewer must be able to judge why.",
        allowed: "a reason of a sentence: who agreed, and why the risk is acceptable.",
        fix: "write the reason out.",
        example: "accept_risks:\n  - {rule: TR001, reason: ok}")

    public static let specDuplicateEntry = DiagnosticID(
        "SP017", .spec, "duplicate-entry", title: "an item listed twice",
        meaning: "A list that names things (apps of a node) holds the same one twice.",
        allowed: "each item once.",
        fix: "remove the second one.",
        example: "    apps: [litellm, litellm]")

    public static let specNullValue = DiagnosticID(
        "SP018", .spec, "null-value", title: "a key with no value",
        meaning: "'key:' with nothing after it is null, which no setting takes.",
        allowed: "a value, or no key at all.",
        fix: "give it a value, or leave the key out.",
        example: "    max_model_len:")
}
