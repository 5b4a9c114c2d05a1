import CYAML

/// Writes a `YAMLValue` as block-style YAML with libyaml's emitter.
///
/// libyaml chooses plain or quoted style by itself for most strings, but it writes `8000`,
/// `yes` or `null` plain; those are forced into double quotes so they read back as strings.
public enum YAMLEmitter {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func emit(_ value: YAMLValue) throws -> String {
        var emitter = yaml_emitter_t()
        guard yaml_emitter_initialize(&emitter) == 1 else { throw Failure(description: "libyaml emitter did not start") }
        defer { yaml_emitter_delete(&emitter) }
        let output = OutputBuffer()
        yaml_emitter_set_output(
            &emitter,
            { data, buffer, size in
                let output = Unmanaged<OutputBuffer>.fromOpaque(data!).takeUnretainedValue()
                output.bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
                return 1
            }, Unmanaged.passUnretained(output).toOpaque())
        yaml_emitter_set_unicode(&emitter, 1)
        yaml_emitter_set_indent(&emitter, 2)
        yaml_emitter_set_width(&emitter, -1)
        yaml_emitter_set_break(&emitter, YAML_LN_BREAK)

        var session = Session(emitter: emitter)
        try session.send { yaml_stream_start_event_initialize(&$0, YAML_UTF8_ENCODING) }
        try session.send { yaml_document_start_event_initialize(&$0, nil, nil, nil, 1) }
        try session.write(value)
        try session.send { yaml_document_end_event_initialize(&$0, 1) }
        try session.send { yaml_stream_end_event_initialize(&$0) }
        try session.flush()
        emitter = session.emitter
        return String(decoding: output.bytes, as: UTF8.self)
    }

    /// The style a string scalar is asked for: the one place that decides it, for this
    /// emitter and for the writers that write a fixed shape of YAML directly
    /// (SparkEmit's `ComposeWriter`), which must write the same bytes.
    public enum ScalarStyle: Equatable, Sendable {
        /// `|` block: the text has a line feed.
        case literal
        /// Forced into double quotes: a plain scalar would read back as a number, bool or null.
        case doubleQuoted
        /// libyaml picks: plain where its analysis allows, else single or double quotes.
        case libyamlChoice
    }

    public static func style(of text: String) -> ScalarStyle {
        // Bytes first: a Character search for "\n" walks grapheme clusters (and, since
        // "\r\n" is one Character, only a line feed byte can make it match).
        if text.utf8.contains(UInt8(ascii: "\n")) && text.contains("\n") { return .literal }
        if YAMLScalar.needsQuoting(text) { return .doubleQuoted }
        return .libyamlChoice
    }

    private final class OutputBuffer {
        var bytes: [UInt8] = []
    }

    private struct Session {
        var emitter: yaml_emitter_t

        mutating func send(_ make: (inout yaml_event_t) -> Int32) throws {
            var event = yaml_event_t()
            guard make(&event) == 1 else { throw Failure(description: "libyaml could not build an event") }
            // yaml_emitter_emit takes ownership of the event, also when it fails.
            guard yaml_emitter_emit(&emitter, &event) == 1 else {
                let problem = emitter.problem.map { String(cString: $0) } ?? "unknown problem"
                throw Failure(description: "libyaml emitter: \(problem)")
            }
        }

        mutating func flush() throws {
            guard yaml_emitter_flush(&emitter) == 1 else { throw Failure(description: "libyaml emitter could not flush") }
        }

        mutating func write(_ value: YAMLValue) throws {
            switch value {
            case .string(let text):
                let style: yaml_scalar_style_t
                switch YAMLEmitter.style(of: text) {
                case .literal: style = YAML_LITERAL_SCALAR_STYLE
                case .doubleQuoted: style = YAML_DOUBLE_QUOTED_SCALAR_STYLE
                case .libyamlChoice: style = YAML_ANY_SCALAR_STYLE
                }
                try scalar(text, style: style)
            case .int(let number):
                try scalar(String(number), style: YAML_PLAIN_SCALAR_STYLE)
            case .double(let number):
                try scalar(String(number), style: YAML_PLAIN_SCALAR_STYLE)
            case .bool(let flag):
                try scalar(flag ? "true" : "false", style: YAML_PLAIN_SCALAR_STYLE)
            case .sequence(let items):
                try send { yaml_sequence_start_event_initialize(&$0, nil, nil, 1, YAML_BLOCK_SEQUENCE_STYLE) }
                for item in items { try write(item) }
                try send { yaml_sequence_end_event_initialize(&$0) }
            case .mapping(let pairs):
                try send { yaml_mapping_start_event_initialize(&$0, nil, nil, 1, YAML_BLOCK_MAPPING_STYLE) }
                for (key, item) in pairs {
                    try write(.string(key))
                    try write(item)
                }
                try send { yaml_mapping_end_event_initialize(&$0) }
            }
        }

        private mutating func scalar(_ text: String, style: yaml_scalar_style_t) throws {
            // libyaml copies `length` bytes into the event. `withCString` lends a native
            // String's own bytes (never a null pointer, an empty one included): copying each
            // scalar into a new array first was a tenth of the emitter's time.
            let length = Int32(text.utf8.count)
            try text.withCString { pointer in
                let bytes = UnsafeRawPointer(pointer).assumingMemoryBound(to: yaml_char_t.self)
                try send {
                    yaml_scalar_event_initialize(&$0, nil, nil, bytes, length, 1, 1, style)
                }
            }
        }
    }
}
