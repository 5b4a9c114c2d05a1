import CJansson

/// Prints `JSONValue`s with jansson, which keeps object members in insertion order.
public enum JanssonEncoder {
    public enum Style: Sendable {
        /// Two-space indentation, one member per line: for files people read and diff.
        case pretty
        /// No whitespace at all: for JSON embedded in a command line.
        case compact
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    // JSON_INDENT(n) and friends are C macros Swift cannot import; these are their values.
    private static let indent2: Int = 2
    private static let compact: Int = 0x20
    private static let encodeAny: Int = 0x200
    /// JSON_REAL_PRECISION(15): the shortest text for the decimals people write, whichever way
    /// the installed jansson prints reals (printf's %g, or dtoa).
    private static let realPrecision15: Int = 15 << 11

    /// The encoded text; `pretty` output ends with a newline like every generated file.
    public static func encode(_ value: JSONValue, style: Style = .pretty) throws -> String {
        guard let json = make(value) else { throw Failure(description: "jansson could not build the value") }
        defer { json_decref(json) }
        let flags = (style == .pretty ? indent2 : compact) | encodeAny | realPrecision15
        guard let text = json_dumps(json, flags) else { throw Failure(description: "jansson could not print the value") }
        defer { free(text) }
        let body = String(cString: text)
        return style == .pretty ? body + "\n" : body
    }

    private static func make(_ value: JSONValue) -> UnsafeMutablePointer<json_t>? {
        switch value {
        case .string(let text):
            // json_stringn takes a length, so text with NUL bytes survives intact.
            let bytes = Array(text.utf8.map { CChar(bitPattern: $0) }) + [0]
            return bytes.withUnsafeBufferPointer { json_stringn($0.baseAddress, $0.count - 1) }
        case .int(let number):
            return json_integer(json_int_t(number))
        case .double(let number):
            return json_real(number)
        case .bool(let flag):
            return flag ? json_true() : json_false()
        case .null:
            return json_null()
        case .array(let items):
            guard let array = json_array() else { return nil }
            for item in items {
                guard let element = make(item), json_array_append_new(array, element) == 0 else {
                    json_decref(array)
                    return nil
                }
            }
            return array
        case .object(let members):
            guard let object = json_object() else { return nil }
            for (key, member) in members {
                guard let element = make(member), json_object_set_new(object, key, element) == 0 else {
                    json_decref(object)
                    return nil
                }
            }
            return object
        }
    }
}
