/// Ids of the errors SparkYAML reports before any key is read.
extension DiagnosticID {
    static let yamlIDs: [DiagnosticID] = [
        yamlSyntax, yamlTab, yamlEncoding, yamlControlCharacter, yamlSecondDocument, yamlAlias,
        yamlTooDeep, yamlDuplicateKey, yamlComplexKey,
    ]

    public static let yamlSyntax = DiagnosticID(
        "YA001", .yaml, "syntax", title: "the text is not valid YAML",
        meaning: "libyaml could not parse the file at this position: an unclosed quote or bracket, a bad indentation, a stray character.",
        allowed: "one YAML 1.1 document of mappings, lists and scalars, indented with spaces.",
        fix: "look at the indentation and quoting at and just before the position given.",
        example: "stack: {name: x\nnodes:")

    public static let yamlTab = DiagnosticID(
        "YA002", .yaml, "tab", title: "a tab where YAML expects spaces",
        meaning: "YAML does not allow tabs for indentation; libyaml stops at the first one.",
        allowed: "spaces for indentation; a tab only inside a quoted string.",
        fix: "replace the tab with spaces (most editors have a setting to do it on save).",
        example: "stack:\n\tname: x")

    public static let yamlEncoding = DiagnosticID(
        "YA003", .yaml, "encoding", title: "the file is not UTF-8 text",
        meaning: "A byte sequence is not valid UTF-8 (a Latin-1 accent, a cut multi-byte character, UTF-16).",
        allowed: "UTF-8 text, with or without a byte order mark.",
        fix: "save the file as UTF-8.")

    public static let yamlControlCharacter = DiagnosticID(
        "YA004", .yaml, "control-character", title: "a control character in the text",
        meaning: "YAML does not allow raw control characters (NUL, BEL…) in a document.",
        allowed: "printable characters; special ones as escapes inside double quotes.",
        fix: "remove the character, or write it as an escape such as \"\\u0007\".")

    public static let yamlSecondDocument = DiagnosticID(
        "YA005", .yaml, "second-document", title: "more than one YAML document in the file",
        meaning: "A '---' separator starts a second document; a topology file holds exactly one.",
        allowed: "one document, optionally starting with '---'.",
        fix: "remove the second '---' and what follows, or move it into its own file.",
        example: "version: 1\n---\nversion: 2")

    public static let yamlAlias = DiagnosticID(
        "YA006", .yaml, "alias", title: "a YAML alias ('*name')",
        meaning: "Aliases let one value stand in several places, and let a small file expand without bound; a topology must say each value where it applies.",
        allowed: "values written out in full.",
        fix: "replace '*name' with the value it refers to.",
        example: "defaults: &d {port: 8000}\nmodels:\n  a: *d")

    public static let yamlTooDeep = DiagnosticID(
        "YA007", .yaml, "too-deep", title: "nesting deeper than spark-gen reads",
        meaning: "The document nests more levels than any topology needs; the limit protects the reader from hostile input.",
        allowed: "the few levels the schema describes (docs/topology-reference.md).",
        fix: "flatten the structure.")

    public static let yamlDuplicateKey = DiagnosticID(
        "YA008", .yaml, "duplicate-key", title: "a key given twice in one mapping",
        meaning: "YAML readers disagree on which of two equal keys wins; spark-gen refuses to guess.",
        allowed: "each key once per mapping.",
        fix: "keep one of the two entries.",
        example: "    port: 8000\n    port: 8001")

    public static let yamlComplexKey = DiagnosticID(
        "YA009", .yaml, "complex-key", title: "a mapping key that is not plain text",
        meaning: "A key is a list or a mapping; every key of a topology is a name.",
        allowed: "text keys.",
        fix: "use a name as the key.",
        example: "? [a, b]\n: 1")
}
